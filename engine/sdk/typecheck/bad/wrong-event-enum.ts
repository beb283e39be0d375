// A callStatus 8x8 never sends.
import { defineHandler, hangup, say } from "callscript";

export default defineHandler({
  onCallAction(event) {
    if (event.payload.callStatus === "CALL_ANSWERED") return [say("Hi.")];
    return [hangup()];
  },
});
