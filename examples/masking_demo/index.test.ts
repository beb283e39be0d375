// Tests of the number masking, run by `callscript test` inside the engine itself. The booking
// service is mocked: tests never reach the network.
import { expect, jsonResponse, mockFetch, simulateCall, test, textResponse } from "callscript/test";

const RIDER = "+6591234567";
const DRIVER = "+6590002222";
const MASKED_LINE = "+6531580000";
const LOOKUP = "GET https://bookings.example.com/v1/bookings/active*";

const callFromRider = () => simulateCall({ from: RIDER, to: MASKED_LINE });

test("a rider with a booking is put through to the driver, recorded, behind the masked number", async () => {
  const bookings = mockFetch({ [LOOKUP]: { bookingId: "B-1042", connectTo: DRIVER } });

  const answer = await callFromRider().start();

  expect(answer.callflow).toEqual([
    { action: "say", params: { text: "Connecting you now. This call is recorded for your safety.", voiceProfile: "en-GB-Emma" } },
    { action: "makeCall", params: { source: MASKED_LINE, destination: DRIVER, callRecording: true } },
  ]);
  expect(bookings.calls).toHaveLength(1);
  const [request] = bookings.calls;
  expect(request.url).toBe("https://bookings.example.com/v1/bookings/active?caller=%2B6591234567&line=%2B6531580000");
  expect(request.headers.get("Accept")).toBe("application/json");
});

test("the booking stays with the call until its summary", async () => {
  mockFetch({ [LOOKUP]: { bookingId: "B-1042", connectTo: DRIVER } });
  const call = callFromRider();

  const answer = await call.start();
  expect(answer.session).toEqual({ bookingId: "B-1042" });

  const summary = await call.end({ status: "COMPLETED", duration: 95 });
  expect(summary.event.payload).toMatchObject({ callCount: 2, lastAction: "MAKE_CALL" });
  expect(summary.logs).toEqual([
    { level: "info", message: "masked call ended", fields: { bookingId: "B-1042", status: "COMPLETED", legs: 2 } },
  ]);
});

test("when the driver hangs up, the call ends", async () => {
  mockFetch({ [LOOKUP]: { bookingId: "B-1042", connectTo: DRIVER } });
  const call = callFromRider();
  await call.start();

  const answer = await call.complete();
  expect(answer.callflow).toEqual([{ action: "hangup" }]);
});

test("a caller without a booking is told so, and the call ends", async () => {
  mockFetch({ [LOOKUP]: jsonResponse({ error: "no active booking" }, { status: 404 }) });

  const answer = await callFromRider().start();

  expect(answer.spoken).toEqual([
    "Sorry, we could not find an active booking for your phone number. Please check your booking in the app. Goodbye.",
  ]);
  expect(answer.callflow.map((action) => action.action)).toEqual(["say", "hangup"]);
  expect(answer.session).toEqual({});
});

const UNAVAILABLE = "Sorry, we cannot connect your call right now. Please try again in a few minutes. Goodbye.";

test("when the booking service fails, the caller is asked to try again later", async () => {
  mockFetch({ [LOOKUP]: textResponse("upstream timeout", { status: 503 }) });

  const answer = await callFromRider().start();

  expect(answer.spoken).toEqual([UNAVAILABLE]);
  expect(answer.logs).toEqual([{ level: "error", message: "the booking service failed", fields: { status: 503 } }]);
});

test("when the booking service cannot be reached, the caller is asked to try again later", async () => {
  mockFetch(() => {
    throw new TypeError("connection refused");
  });

  const answer = await callFromRider().start();

  expect(answer.spoken).toEqual([UNAVAILABLE]);
  expect(answer.logs[0].message).toBe("the booking service could not be reached");
});

test("an answer that is not a booking is not trusted", async () => {
  mockFetch({ [LOOKUP]: { bookingId: "B-1042", connectTo: "call the driver" } });

  const answer = await callFromRider().start();

  expect(answer.spoken).toEqual([UNAVAILABLE]);
  expect(answer.callflow.map((action) => action.action)).not.toContain("makeCall");
  expect(answer.logs[0].message).toBe("the booking service answered something that is not a booking");
});
