// A small IVR, to show the deployment working: the caller picks a department, and the choice
// is kept in ctx.session, which lives in Redis: the next webhook of the call may reach any
// replica.
import { say, sayAndCapture, makeCall, hangup } from "callscript";

const DEPARTMENTS = { "1": ["sales", "+6560002001"], "2": ["support", "+6560002002"] };

export default {
  onCallReceived(event, ctx) {
    ctx.session.tries = 0;
    return { clientActionId: "menu", callflow: [sayAndCapture("For sales, press 1. For support, press 2.", { maxDigits: 1 })] };
  },
  onActionCompleted(event, ctx) {
    const department = DEPARTMENTS[ctx.dtmf];
    if (department) {
      const [name, number] = department;
      ctx.log.info("transferring", { department: name, replica: ctx.env.REPLICA });
      return [say(`Connecting you to ${name}.`), makeCall({ source: event.payload.destination, destination: number })];
    }
    ctx.session.tries += 1;
    if (ctx.session.tries >= 3) return [say("Goodbye."), hangup()];
    return { clientActionId: "menu", callflow: [sayAndCapture("Sorry. For sales, press 1. For support, press 2.", { maxDigits: 1 })] };
  },
};
