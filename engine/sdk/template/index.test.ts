// Tests of index.ts, run by `callscript test` inside the engine itself (never by the server).
import { expect, simulateCall, test } from "callscript/test";

test("a new call hears the main menu", async () => {
  const call = simulateCall();
  const answer = await call.start();
  expect(answer.clientActionId).toBe("main_menu");
});

test("pressing 1 puts the caller through to sales", async () => {
  const call = simulateCall();
  await call.start();
  const answer = await call.press("1");
  expect(answer.callflow[1]?.action).toBe("makeCall");
});
