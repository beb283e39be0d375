// The menus of the ACME hotline: what each one says, and the answers the
// handler in index.js puts together from them.
import { say, sayAndCapture, makeCall, hangup } from "callscript";

// Each menu's name travels to 8x8 as the answer's clientActionId and comes
// back as ctx.clientActionId with the caller's keypress: that is how the
// handler knows which question the digits answer.
export const MAIN_MENU = "main_menu";
export const SUPPORT_MENU = "support_menu";
// The satisfaction survey is an outbound call placed through 8x8's API with
// this clientActionId on its question; its answer arrives here like a menu's.
export const SURVEY = "survey_q1";

// Who answers each queue.
export const AGENTS = {
  sales: "+6560002001",
  technicalSupport: "+6560002002",
  billing: "+6560002003",
};

// How often a caller may press nothing, or a key the menu does not know,
// before we stop asking.
export const MAX_ATTEMPTS = 3;

const PROMPTS = {
  [MAIN_MENU]:
    "Welcome to ACME. For sales, press 1. For support, press 2. " +
    "To hear these options again, press 9.",
  [SUPPORT_MENU]:
    "For technical support, press 1. For billing, press 2. " +
    "To go back to the main menu, press 0. To hear these options again, press 9.",
};

// menu asks the caller to choose from the menu `name`. An optional `preface`
// ("Sorry, that is not a valid choice.") is spoken before the options.
// voiceProfile is left out: tenant.json's defaults supply it.
export function menu(name, preface = "") {
  const prompt = preface ? `${preface} ${PROMPTS[name]}` : PROMPTS[name];
  return {
    clientActionId: name,
    callflow: [
      // One key, eight seconds to press it, one try: when nothing comes, the
      // handler decides what to say next rather than 8x8 repeating itself.
      sayAndCapture(prompt, { maxDigits: 1, overallTimeout: 8000, noOfTries: 1 }),
    ],
  };
}

// transfer announces the transfer and bridges the caller to an agent. The
// agent's phone shows the ACME number the caller dialled (the destination of
// the inbound call), never the caller's own number.
export function transfer(event, agent, announcement) {
  return [
    say(announcement),
    makeCall({ source: event.payload.destination, destination: agent }),
  ];
}

// goodbye says a last sentence and ends the call.
export function goodbye(text = "Thank you for calling ACME. Goodbye.") {
  return [say(text), hangup()];
}
