// Tests of the call outcome reports, run by `callscript test` inside the engine itself. The
// reporting service is mocked: tests never reach the network.
import { clock, expect, jsonResponse, mockFetch, simulateCall, test } from "callscript/test";

import completedCall from "./testdata/session-summary-completed.json";

const REPORTS = "POST https://reports.example.com/v1/call-outcomes";

test("a completed call with two legs is reported as JSON", async () => {
  const reports = mockFetch({ [REPORTS]: jsonResponse({ stored: true }, { status: 201 }) });

  // 8x8's own sample: a caller bridged to an agent for 146 seconds.
  const step = await simulateCall().send(completedCall);

  expect(reports.calls).toHaveLength(1);
  const [request] = reports.calls;
  expect(request.headers.get("content-type")).toBe("application/json");
  expect(request.headers.get("idempotency-key")).toBe("3f1c2c9a-5b7e-11ef-9a41-0242ac120002");
  expect(request.json()).toEqual({
    sessionId: "3f1c2c9a-5b7e-11ef-9a41-0242ac120002",
    status: "COMPLETED",
    startedAt: "2026-03-02T09:15:04.100Z",
    endedAt: "2026-03-02T09:17:30.900Z",
    durationSeconds: 147,
    lastAction: "MAKE_CALL",
    legs: [
      { leg: "A", callId: "3f1c2b6e-5b7e-11ef-9a41-0242ac120002", direction: "INBOUND", from: "+6591234567", to: "+6560001000", status: "COMPLETED", durationSeconds: 146 },
      { leg: "B", callId: "9a0d1e22-5b7e-11ef-9a41-0242ac120002", direction: "OUTBOUND", from: "+6560001000", to: "+6560002002", status: "COMPLETED", durationSeconds: 130 },
    ],
    error: null,
  });
  expect(step.logs).toEqual([{ level: "info", message: "call outcome reported", fields: { status: "COMPLETED", durationSeconds: 147 } }]);
});

test("a failed call is reported with 8x8's error code", async () => {
  const reports = mockFetch({ [REPORTS]: 201 });
  clock.set("2026-03-02T10:00:58Z");

  await simulateCall({ from: "+6598765432" }).end({ errorCode: -2003, errorMessage: "The call flow provided is invalid", duration: 15 });

  expect(reports.calls[0].json()).toMatchObject({
    status: "ERROR",
    startedAt: "2026-03-02T10:00:58.000Z",
    endedAt: "2026-03-02T10:01:13.000Z",
    durationSeconds: 15,
    legs: [{ leg: "A", from: "+6598765432", status: "ERROR", durationSeconds: 15 }],
    error: { code: -2003, message: "The call flow provided is invalid" },
  });
});

test("legs written CallA, as in some of 8x8's examples, are read too", async () => {
  const reports = mockFetch({ [REPORTS]: 201 });
  const { callA, callB } = completedCall.payload.details;

  await simulateCall().send({ ...completedCall, payload: { ...completedCall.payload, details: { CallB: callB, CallA: callA } } });

  expect(reports.calls[0].json()).toMatchObject({ legs: [{ leg: "A" }, { leg: "B" }] });
});

test("when the reporting service refuses the outcome, it is kept in the error log", async () => {
  mockFetch({ [REPORTS]: jsonResponse({ error: "database unavailable" }, { status: 503 }) });

  const step = await simulateCall().send(completedCall);

  expect(step.logs).toHaveLength(1);
  expect(step.logs[0]).toMatchObject({
    level: "error",
    message: "the reporting service refused the call outcome",
    fields: { status: 503, outcome: { sessionId: "3f1c2c9a-5b7e-11ef-9a41-0242ac120002", durationSeconds: 147 } },
  });
});

test("when the reporting service cannot be reached, the outcome is kept in the error log", async () => {
  mockFetch(() => {
    throw new TypeError("connection reset by peer");
  });

  const step = await simulateCall().send(completedCall);

  expect(step.logs[0]).toMatchObject({
    level: "error",
    message: "the reporting service could not be reached",
    fields: {
      error: "TypeError: fetch failed: https://reports.example.com/v1/call-outcomes: connection reset by peer",
      outcome: { status: "COMPLETED" },
    },
  });
});
