// ACME's customer line.
//
// During opening hours a caller is welcomed and hears the main menu: 1 reaches sales, 2 opens
// the support menu (1 technical support, 2 billing, 9 back to the main menu). Pressing nothing
// or a wrong key repeats the menu with an apology, three times at most. Outside opening hours
// the caller hears when the line is open. Opening hours, time zone and the teams' numbers come
// from the env of tenant.json.
import {
  defineHandler,
  dialogs,
  hangup,
  makeCall,
  menu,
  say,
  type CallActionEvent,
  type Context,
  type Dialog,
} from "callscript";

import { describeHours, isOpen } from "./hours";
import { readSettings, type Team } from "./settings";

/** A menu option that puts the caller through to a team, after an announcement. */
function transferTo(team: Team, announcement: string) {
  return (event: CallActionEvent, ctx: Context) => [
    say(announcement),
    // The caller id the agent sees is the number the caller dialled: the team knows the
    // call came through the customer line.
    makeCall({ source: event.payload.destination, destination: readSettings(ctx.env).agents[team] }),
  ];
}

/** How both menus re-prompt and give up. */
const reprompts = {
  noInput: ["Sorry, I did not hear anything.", "Please press a key on your phone now."],
  wrongInput: "Sorry, that is not one of the options.",
  maxTries: 3,
  onTooManyTries: () => [say("Sorry, we could not understand your choice. Please call again later. Goodbye."), hangup()],
};

// The two menus lead to each other, so TypeScript needs their type spelt out.
const supportMenu: Dialog = menu("support_menu", {
  prompt: "For technical support, press 1. For billing, press 2. To go back to the main menu, press 9.",
  options: {
    "1": transferTo("technical", "Connecting you to technical support."),
    "2": transferTo("billing", "Connecting you to our billing team."),
    "9": () => mainMenu,
  },
  ...reprompts,
});

const mainMenu: Dialog = menu("main_menu", {
  prompt: "For sales, press 1. For support, press 2.",
  options: {
    "1": transferTo("sales", "Connecting you to sales."),
    "2": supportMenu,
  },
  ...reprompts,
});

// The caller's keys go to the menu that asked for them. Keys no menu asked for (a call that
// began before this script changed, say) start over at the main menu.
const ivr = dialogs([mainMenu, supportMenu], { otherwise: mainMenu });

export default defineHandler({
  onCallReceived(event, ctx) {
    const { company, hours } = readSettings(ctx.env);
    if (!isOpen(hours, new Date())) {
      ctx.log.info("call outside opening hours", { from: event.payload.source });
      return [
        say(`Thank you for calling ${company}. We are closed right now. We are open ${describeHours(hours)}. Goodbye.`),
        hangup(),
      ];
    }
    return mainMenu.start(ctx, { before: say(`Welcome to ${company}.`) });
  },

  onActionCompleted: ivr.continue,

  onSessionSummary(event, ctx) {
    const { sessionStatus, lastAction, errorDetails } = event.payload;
    if (errorDetails) {
      ctx.log.error("call failed", { status: sessionStatus, code: errorDetails.errorCode, message: errorDetails.errorMsg });
      return;
    }
    ctx.log.info("call ended", { status: sessionStatus, transferred: lastAction === "MAKE_CALL" });
  },
});
