// Tests of the customer line, run by `callscript test` inside the engine itself.
import { clock, describe, expect, simulateCall, test } from "callscript/test";

const CALLER = "+6591234567";
const LINE = "+6560001000"; // the virtual number the caller dialled

// Moments in Singapore time (UTC+8), the line's time zone in tenant.json.
const MONDAY_10AM = "2026-03-02T02:00:00Z";
const MONDAY_8PM = "2026-03-02T12:00:00Z";
const SATURDAY_11AM = "2026-03-07T03:00:00Z";

const MAIN_MENU = "For sales, press 1. For support, press 2.";
const SUPPORT_MENU = "For technical support, press 1. For billing, press 2. To go back to the main menu, press 9.";

/** Starts a call during opening hours; the caller is at the main menu. */
async function callWhileOpen() {
  clock.set(MONDAY_10AM);
  const call = simulateCall({ from: CALLER, to: LINE });
  await call.start();
  return call;
}

describe("during opening hours", () => {
  test("a caller is welcomed and hears the main menu", async () => {
    clock.set(MONDAY_10AM);
    const call = simulateCall({ from: CALLER, to: LINE });
    const answer = await call.start();

    expect(answer.clientActionId).toBe("main_menu");
    expect(answer.spoken).toEqual(["Welcome to ACME.", MAIN_MENU]);
    // The server sends the callflow normalized: the voice from tenant.json, explicit capture settings.
    expect(answer.callflow).toEqual([
      { action: "say", params: { text: "Welcome to ACME.", voiceProfile: "en-US-Standard-C" } },
      {
        action: "sayAndCapture",
        params: { promptMessage: MAIN_MENU, voiceProfile: "en-US-Standard-C", maxDigits: 1, overallTimeout: 10000, noOfTries: 1 },
      },
    ]);
  });

  test("pressing 1 puts the caller through to sales, showing the number they dialled", async () => {
    const call = await callWhileOpen();
    const answer = await call.press("1");

    expect(answer.event.payload.clientActionId).toBe("main_menu"); // 8x8 echoes the menu's name back
    expect(answer.callflow).toMatchObject([
      { action: "say", params: { text: "Connecting you to sales." } },
      { action: "makeCall", params: { source: LINE, destination: "+6560000001" } },
    ]);
  });

  test("2 opens the support menu, where 2 reaches billing", async () => {
    const call = await callWhileOpen();

    const support = await call.press("2");
    expect(support.clientActionId).toBe("support_menu");
    expect(support.spoken).toEqual([SUPPORT_MENU]);

    const billing = await call.press("2");
    expect(billing.callflow[1]).toEqual({ action: "makeCall", params: { source: LINE, destination: "+6560000003" } });
  });

  test("9 in the support menu goes back to the main menu", async () => {
    const call = await callWhileOpen();
    await call.press("2");

    const main = await call.press("9");
    expect(main.clientActionId).toBe("main_menu");
    expect(main.spoken).toEqual([MAIN_MENU]);

    const technical = await call.press("2").then(() => call.press("1"));
    expect(technical.callflow[1]).toMatchObject({ action: "makeCall", params: { destination: "+6560000002" } });
  });

  test("pressing nothing repeats the menu with an apology, then gives up after three tries", async () => {
    const call = await callWhileOpen();

    const first = await call.noInput();
    expect(first.spoken).toEqual([`Sorry, I did not hear anything. ${MAIN_MENU}`]);

    const second = await call.noInput();
    expect(second.spoken).toEqual([`Please press a key on your phone now. ${MAIN_MENU}`]);

    const third = await call.noInput();
    expect(third.spoken[0]).toMatch(/could not understand your choice/);
    expect(third.callflow.at(-1)).toEqual({ action: "hangup" });
  });

  test("a wrong key repeats the menu; wrong keys and silence count together", async () => {
    const call = await callWhileOpen();

    const wrong = await call.press("7");
    expect(wrong.clientActionId).toBe("main_menu");
    expect(wrong.spoken).toEqual([`Sorry, that is not one of the options. ${MAIN_MENU}`]);

    await call.noInput();
    const last = await call.press("5");
    expect(last.callflow.map((action) => action.action)).toEqual(["say", "hangup"]);
  });

  test("the tries start afresh in the support menu", async () => {
    const call = await callWhileOpen();
    await call.press("8");
    await call.press("2");

    const retry = await call.noInput();
    expect(retry.clientActionId).toBe("support_menu");
    expect(retry.spoken).toEqual([`Sorry, I did not hear anything. ${SUPPORT_MENU}`]);
  });

  test("the end of a transferred call is logged", async () => {
    const call = await callWhileOpen();
    await call.press("1");

    const summary = await call.end({ status: "COMPLETED" });
    expect(summary.logs).toEqual([{ level: "info", message: "call ended", fields: { status: "COMPLETED", transferred: true } }]);
  });
});

describe("outside opening hours", () => {
  test("in the evening the caller hears when the line is open, and the call ends", async () => {
    clock.set(MONDAY_8PM);
    const answer = await simulateCall({ from: CALLER, to: LINE }).start();

    expect(answer.spoken).toEqual([
      "Thank you for calling ACME. We are closed right now. We are open Monday to Friday, from 9 AM to 6 PM. Goodbye.",
    ]);
    expect(answer.callflow.at(-1)).toEqual({ action: "hangup" });
    expect(answer.logs).toContainEqual({ level: "info", message: "call outside opening hours", fields: { from: CALLER } });
  });

  test("on a Saturday the line is closed", async () => {
    clock.set(SATURDAY_11AM);
    const answer = await simulateCall().start();
    expect(answer.spoken[0]).toMatch(/closed right now/);
  });

  test("the line opens at 9 and closes at 6, local time", async () => {
    clock.set("2026-03-02T00:59:00Z"); // 08:59 in Singapore
    expect((await simulateCall().start()).spoken[0]).toMatch(/closed/);

    clock.advance(60_000); // 09:00
    expect((await simulateCall().start()).clientActionId).toBe("main_menu");

    clock.set("2026-03-02T10:00:00Z"); // 18:00
    expect((await simulateCall().start()).spoken[0]).toMatch(/closed/);
  });
});
