// The other form of handler: one function for every event.
import { defineHandler, hangup, say, sayAndCapture, type Handler } from "callscript";
import { describe } from "./events";

export const handler = defineHandler(async (event, ctx) => {
  ctx.log.info(describe(event));
  if (event.eventType !== "CALL_ACTION") return;
  if (event.payload.callStatus === "CALL_RECEIVED") {
    return { clientActionId: "ask", callflow: [sayAndCapture("Press 1.", { maxDigits: 1 })] };
  }
  return ctx.dtmf === "1" ? say("You pressed one.") : [say("Goodbye."), hangup()];
});

// Without defineHandler, `satisfies` gives the same checks.
export const hooks = {
  onCallReceived: () => [say("Hello."), hangup()],
} satisfies Handler;
