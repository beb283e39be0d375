// The call logic of 8x8 sub-account __TENANT__.
//
// A caller hears the main menu: 1 reaches sales, 2 asks for an order number and reads out its
// status. Pressing nothing or a wrong key repeats the menu with an apology, three times at most.
import { collectNumber, defineHandler, dialogs, hangup, makeCall, menu, say } from "callscript";

// Who answers the sales line. Replace with a real number (E.164).
const SALES = "+6560000001";

// The order number dialog: 6 digits, read back for confirmation.
const order = collectNumber("order_number", {
  prompt: "Please enter your six digit order number.",
  minDigits: 6,
  maxDigits: 6,
  noInput: "Sorry, I did not hear anything.",
  wrongInput: "Sorry, an order number has six digits.",
  onComplete: (digits, event, ctx) => {
    ctx.log.info("order status asked", { order: digits });
    return [say(`Order ${digits.split("").join(" ")} is on its way. Goodbye.`), hangup()];
  },
});

// The main menu. An option is what pressing its key does: a function that returns the next
// callflow, or another dialog to start.
const main = menu("main_menu", {
  prompt: "Welcome. For sales, press 1. For the status of an order, press 2.",
  options: {
    "1": (event) => [
      say("Connecting you to our sales team."),
      // The caller id the agent sees is the number the caller dialled.
      makeCall({ source: event.payload.destination, destination: SALES }),
    ],
    "2": order,
  },
  noInput: ["Sorry, I did not hear anything.", "Please press a key on your phone now."],
  wrongInput: "Sorry, that is not one of the options.",
  maxTries: 3,
  onTooManyTries: () => [say("Sorry, we could not understand your choice. Goodbye."), hangup()],
});

// The dialogs that can be waiting for the caller's keys.
const ivr = dialogs([main, order], {
  // The caller's keys arrived for no dialog (say, after this script changed): start over.
  otherwise: main,
});

export default defineHandler({
  onCallReceived(event, ctx) {
    ctx.log.info("incoming call", { from: event.payload.source, to: event.payload.destination });
    return main.start(ctx);
  },

  onActionCompleted: ivr.continue,

  onSessionSummary(event, ctx) {
    const { sessionStatus, errorDetails } = event.payload;
    if (errorDetails) {
      ctx.log.error("call ended with an error", { status: sessionStatus, code: errorDetails.errorCode });
    } else {
      ctx.log.info("call ended", { status: sessionStatus });
    }
  },
});
