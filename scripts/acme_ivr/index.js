// acme_ivr: the ACME hotline, a classic IVR.
//
//   main menu:    1 sales (transfer)   2 support menu   9 repeat
//   support menu: 1 technical support  2 billing        0 main menu   9 repeat
//
// Pressing nothing or a wrong key repeats the menu with an apology, up to
// MAX_ATTEMPTS times. The answer to the outbound survey call (survey_q1) is
// handled here too.
import {
  AGENTS,
  MAIN_MENU,
  MAX_ATTEMPTS,
  SUPPORT_MENU,
  SURVEY,
  goodbye,
  menu,
  transfer,
} from "./menus.js";

export default {
  // A caller dialled our number.
  onCallReceived(event, ctx) {
    ctx.session.attempts = 0;
    ctx.log.info("incoming call", { number: event.payload.destination });
    return menu(MAIN_MENU);
  },

  // An action we answered earlier has finished; ctx.clientActionId says which
  // one, and ctx.dtmf holds the keys pressed (null when none were).
  onActionCompleted(event, ctx) {
    switch (ctx.clientActionId) {
      case MAIN_MENU:
        return mainMenu(event, ctx);
      case SUPPORT_MENU:
        return supportMenu(event, ctx);
      case SURVEY:
        return survey(ctx);
      default:
        // An answer we never asked for (from an older version of this script,
        // say): end the call politely rather than guess.
        ctx.log.warn("unexpected clientActionId", { clientActionId: ctx.clientActionId });
        return goodbye();
    }
  },

  // The call is over: 8x8 sums it up.
  onSessionSummary(event, ctx) {
    const { sessionStatus, lastAction, callCount, errorDetails } = event.payload;
    const outcome = { status: sessionStatus, lastAction, legs: callCount };
    if (errorDetails) {
      ctx.log.error("call ended with an error", {
        ...outcome,
        errorCode: errorDetails.errorCode,
        errorMessage: errorDetails.errorMsg,
      });
    } else {
      ctx.log.info("call ended", outcome);
    }
  },
};

function mainMenu(event, ctx) {
  switch (ctx.dtmf) {
    case "1":
      return transfer(event, AGENTS.sales, "Connecting you to our sales team.");
    case "2":
      ctx.session.attempts = 0; // a new menu: a fresh set of attempts
      return menu(SUPPORT_MENU);
    case "9":
      return menu(MAIN_MENU);
    default:
      return tryAgain(MAIN_MENU, ctx);
  }
}

function supportMenu(event, ctx) {
  switch (ctx.dtmf) {
    case "1":
      return transfer(event, AGENTS.technicalSupport, "Connecting you to technical support.");
    case "2":
      return transfer(event, AGENTS.billing, "Connecting you to our billing team.");
    case "0":
      ctx.session.attempts = 0;
      return menu(MAIN_MENU);
    case "9":
      return menu(SUPPORT_MENU);
    default:
      return tryAgain(SUPPORT_MENU, ctx);
  }
}

// tryAgain asks the same menu again after no input or a wrong key, and gives
// up after MAX_ATTEMPTS. ctx.session lives as long as the call, so the count
// survives from one webhook to the next.
function tryAgain(name, ctx) {
  ctx.session.attempts = (ctx.session.attempts ?? 0) + 1;
  if (ctx.session.attempts >= MAX_ATTEMPTS) {
    ctx.log.info("caller made no valid choice", { menu: name, attempts: ctx.session.attempts });
    return goodbye("Sorry, we could not understand your choice. Please call again later. Goodbye.");
  }
  const preface = ctx.dtmf === null ? "Sorry, I did not hear a choice." : "Sorry, that is not a valid choice.";
  return menu(name, preface);
}

// survey records the answer to the one survey question and ends the call.
function survey(ctx) {
  if (ctx.dtmf === null) {
    ctx.log.info("survey not answered");
    return goodbye("We did not receive an answer. Thank you for your time. Goodbye.");
  }
  ctx.log.info("survey answered", { question: SURVEY, answer: ctx.dtmf });
  return goodbye("Thank you for your feedback. Goodbye.");
}
