// Tests of the number masking, run by `callscript test` inside the engine itself.
import { expect, simulateCall, test } from "callscript/test";

const MASKED_LINE = "+6531580000";

test("a rider is bridged to the driver behind the masked number, recorded", async () => {
  const answer = await simulateCall({ from: "+6590001111", to: MASKED_LINE }).start();
  expect(answer.callflow).toEqual([
    { action: "makeCall", params: { source: MASKED_LINE, destination: "+6590002222", callRecording: true } },
  ]);
  expect(answer.session).toEqual({ trip: "TRIP-1042" });
});

test("the driver reaches the rider the same way", async () => {
  const answer = await simulateCall({ from: "+6590002222", to: MASKED_LINE }).start();
  expect(answer.callflow[0].params.destination).toBe("+6590001111");
});

test("a caller without a trip is told so, and the call ends", async () => {
  const answer = await simulateCall({ from: "+6599999999", to: MASKED_LINE }).start();
  expect(answer.callflow.map((a) => a.action)).toEqual(["say", "hangup"]);
  expect(answer.spoken[0]).toMatch(/could not find an active trip/);
});
