-- wrk script: POST the sample CALL_ACTION, each request with its own eventId and sessionId,
-- so that no answer is an idempotent replay.
local f = assert(io.open(os.getenv("EVENT") or "engine/webhook/testdata/events/ivr-action-completed-dtmf.json"))
local template = f:read("*a")
f:close()
local counter = 0
local thread_id = 0
setup = function(thread) thread:set("thread_id", thread_id); thread_id = thread_id + 1 end
request = function()
  counter = counter + 1
  local id = thread_id .. "-" .. counter
  local body = template:gsub("4a07d3e2%-5b7e%-11ef%-9a41%-0242ac120002", "ev-" .. id)
                       :gsub("3f1c2c9a%-5b7e%-11ef%-9a41%-0242ac120002", "s-" .. id)
                       :gsub('"acme_ivr"', '"ivr"')
  return wrk.format("POST", "/webhooks/voice", { ["Content-Type"] = "application/json" }, body)
end
