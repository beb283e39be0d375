-- wrk script: POST the sample CALL_ACTION to tenant "ivr", each request with its own eventId
-- and sessionId, so that no answer is an idempotent replay. The template is cut once at the
-- three replaced values; each request only concatenates (wrk shares the cores with the server,
-- so its per-request work is kept small).
local f = assert(io.open(os.getenv("EVENT") or "engine/webhook/testdata/events/ivr-action-completed-dtmf.json"))
local template = f:read("*a")
f:close()
template = template:gsub('"acme_ivr"', '"ivr"')

local function cut(s, value)
  local i, j = s:find(value, 1, true)
  assert(i, "the event template has no " .. value)
  return s:sub(1, i - 1), s:sub(j + 1)
end
local a, rest = cut(template, "4a07d3e2-5b7e-11ef-9a41-0242ac120002") -- payload.eventId
local b, c = cut(rest, "3f1c2c9a-5b7e-11ef-9a41-0242ac120002")        -- payload.sessionId
local headers = { ["Content-Type"] = "application/json" }

-- Each wrk thread runs this file in a Lua state of its own: setup (in the main state) numbers
-- the threads through the global thread_id of each, so that no two threads make the same id.
local threads = 0
setup = function(thread) thread:set("thread_id", threads); threads = threads + 1 end
local counter = 0
local run_id = tostring(os.time())
request = function()
  counter = counter + 1
  local id = run_id .. "-" .. thread_id .. "-" .. counter
  return wrk.format("POST", "/webhooks/voice", headers, a .. "ev-" .. id .. b .. "s-" .. id .. c)
end
