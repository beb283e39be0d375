// The benchmark's Node.js comparison: the same tenant script callscript serves, run by Node's
// own http module, with ctx built the way the engine builds it.
//
//   node bench/node/server.mjs --port 18082 --script engine/testdata/bench/ivr/index.js \
//        [--sdk bench/node/callscript.mjs] [--workers 2]
//
// With --workers N the primary forks N node:cluster workers sharing the port. No npm
// dependencies. What it does per webhook: read the body, JSON.parse, pick the hook by
// callStatus, build ctx (session kept in a Map per process, by sessionId), await the hook,
// turn an array or a single action into {callflow}, fill a missing voiceProfile with the
// default, JSON.stringify. What it does not do, unlike callscript: validate the callflow,
// keep answers for idempotent replays, enforce a deadline, isolate tenants, or log.
import cluster from "node:cluster";
import http from "node:http";
import { register } from "node:module";
import path from "node:path";
import { parseArgs } from "node:util";
import { pathToFileURL } from "node:url";

const { values: args } = parseArgs({
  options: {
    host: { type: "string", default: "127.0.0.1" },
    port: { type: "string", default: "18082" },
    script: { type: "string", default: "engine/testdata/bench/ivr/index.js" },
    sdk: { type: "string", default: new URL("./callscript.mjs", import.meta.url).pathname },
    workers: { type: "string", default: "0" },
  },
});

const workers = Number(args.workers);
if (workers > 0 && cluster.isPrimary) {
  for (let i = 0; i < workers; i++) cluster.fork();
  cluster.on("exit", (worker, code, signal) => {
    console.error(`worker ${worker.process.pid} exited (${signal ?? code})`);
    process.exit(1);
  });
} else {
  await serve();
}

async function serve() {
  const script = path.resolve(args.script);
  register(new URL("./hooks.mjs", import.meta.url), {
    data: { sdk: path.resolve(args.sdk), root: path.dirname(script) + path.sep },
  });
  const mod = await import(pathToFileURL(script).href);
  const handler = mod.default ?? mod;
  const sessions = new Map();
  const DEFAULT_VOICE = "en-US-Standard-A";
  const noLog = { info() {}, warn() {}, error() {} };

  // hookFor picks the handler the engine would call for an event, or null.
  const hookFor = (event) => {
    if (typeof handler === "function") return handler;
    const payload = event.payload ?? {};
    switch (event.eventType) {
      case "CALL_ACTION":
        if (payload.callStatus === "CALL_RECEIVED" && handler.onCallReceived) return handler.onCallReceived;
        if (payload.callStatus === "ACTION_COMPLETED" && handler.onActionCompleted) return handler.onActionCompleted;
        return handler.onCallAction ?? null;
      case "SESSION_SUMMARY":
        return handler.onSessionSummary ?? null;
      case "CALL_STATUS":
        return handler.onCallStatus ?? null;
      case "CALL_RECORDING_STATUS":
        return handler.onRecordingUploaded ?? null;
      case "VIRTUAL_NUMBER_UPDATE":
        return handler.onNumbersUpdated ?? null;
    }
    return null;
  };

  // dtmfOf takes the digits from where the engine looks, in its order.
  const dtmfOf = (payload) => {
    const data = payload.eventData;
    for (const v of [data?.dtmf, typeof data === "string" ? data : undefined, payload.dtmf]) {
      if (typeof v === "string" && v !== "") return v;
      if (typeof v === "number" && Number.isInteger(v) && v >= 0) return String(v);
    }
    return null;
  };

  // answerOf shapes a CALL_ACTION result as {clientActionId?, callflow}.
  const answerOf = (result) => {
    let answer = result;
    if (Array.isArray(result)) answer = { callflow: result };
    else if (result && typeof result.action === "string") answer = { callflow: [result] };
    if (!answer || !Array.isArray(answer.callflow)) throw new Error("the handler returned no callflow");
    for (const action of answer.callflow) {
      if ((action.action === "say" || action.action === "sayAndCapture") && action.params && !action.params.voiceProfile) {
        action.params.voiceProfile = DEFAULT_VOICE;
      }
    }
    return answer;
  };

  const handle = async (body) => {
    const event = JSON.parse(body);
    const payload = event.payload ?? {};
    const sessionId = typeof payload.sessionId === "string" ? payload.sessionId : null;
    const session = (sessionId && sessions.get(sessionId)) || {};
    const ctx = {
      tenant: payload.subAccountId,
      version: "node",
      eventId: payload.eventId ?? null,
      sessionId,
      callId: payload.callId ?? null,
      dtmf: dtmfOf(payload),
      clientActionId: typeof payload.clientActionId === "string" ? payload.clientActionId : null,
      session,
      env: {},
      deadline: 2000,
      log: noLog,
    };
    const hook = hookFor(event);
    let result = hook ? hook.call(handler, event, ctx) : undefined;
    if (result && typeof result.then === "function") result = await result;
    if (sessionId) sessions.set(sessionId, session);
    if (event.eventType !== "CALL_ACTION") return "{}";
    return JSON.stringify(answerOf(result));
  };

  const server = http.createServer((req, res) => {
    if (req.method !== "POST" || req.url !== "/webhooks/voice") {
      res.writeHead(req.url === "/readyz" ? 200 : 404, { "Content-Type": "text/plain" }).end("ok\n");
      return;
    }
    const chunks = [];
    req.on("data", (chunk) => chunks.push(chunk));
    req.on("end", () => {
      handle(Buffer.concat(chunks).toString("utf8")).then(
        (out) => {
          res.writeHead(200, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(out) }).end(out);
        },
        (err) => {
          const out = JSON.stringify({ error: String(err?.message ?? err) });
          res.writeHead(400, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(out) }).end(out);
        },
      );
    });
  });
  server.keepAliveTimeout = 60_000;
  server.listen(Number(args.port), args.host);
}
