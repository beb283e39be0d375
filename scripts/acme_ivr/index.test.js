// Tests of the ACME hotline, run by `callscript test` inside the engine itself.
import { expect, simulateCall, test } from "callscript/test";

const call = () => simulateCall({ from: "+6591234567", to: "+6560001000" });

test("a caller hears the main menu", async () => {
  const answer = await call().start();
  expect(answer.clientActionId).toBe("main_menu");
  expect(answer.callflow[0].action).toBe("sayAndCapture");
  expect(answer.spoken[0]).toMatch(/For sales, press 1/);
});

test("1 puts the caller through to sales from the number they called", async () => {
  const c = call();
  await c.start();
  const answer = await c.press("1");
  expect(answer.callflow[1]).toEqual({
    action: "makeCall",
    params: { source: "+6560001000", destination: "+6560002001" },
  });
});

test("2 opens the support menu, and 2 there reaches billing", async () => {
  const c = call();
  await c.start();
  expect((await c.press("2")).clientActionId).toBe("support_menu");
  const answer = await c.press("2");
  expect(answer.callflow[1].params.destination).toBe("+6560002003");
});

test("silence and wrong keys re-prompt, then the call ends politely", async () => {
  const c = call();
  await c.start();
  const first = await c.noInput();
  expect(first.spoken[0]).toMatch(/^Sorry, I did not hear a choice\./);
  const second = await c.press("7");
  expect(second.spoken[0]).toMatch(/^Sorry, that is not a valid choice\./);
  const last = await c.noInput();
  expect(last.callflow.map((a) => a.action)).toEqual(["say", "hangup"]);
  expect(last.session.attempts).toBe(3);
});
