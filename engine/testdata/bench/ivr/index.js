// The IVR the benchmarks run: the same logic as nativeIVR in bench_test.go.
import { say, sayAndCapture, makeCall, hangup } from "callscript";

const MAIN = "Welcome to ACME. For sales, press 1. For support, press 2.";
const SUPPORT = "For technical support, press 1. For billing, press 2.";
const AGENTS = { "1": "+6560002001", "2": "+6560002002" };

const menu = (id, prompt) => ({
  clientActionId: id,
  callflow: [sayAndCapture(prompt, { maxDigits: 1, overallTimeout: 8000, noOfTries: 1 })],
});

export default {
  onCallReceived(event, ctx) {
    ctx.session.attempts = 0;
    return menu("main_menu", MAIN);
  },
  onActionCompleted(event, ctx) {
    if (ctx.clientActionId === "main_menu") {
      if (ctx.dtmf === "1") return [say("Connecting you to sales."), makeCall({ source: event.payload.destination, destination: AGENTS["1"] })];
      if (ctx.dtmf === "2") return menu("support_menu", SUPPORT);
    }
    ctx.session.attempts = (ctx.session.attempts ?? 0) + 1;
    if (ctx.session.attempts >= 3) return [say("Goodbye."), hangup()];
    return menu("main_menu", "Sorry. " + MAIN);
  },
};
