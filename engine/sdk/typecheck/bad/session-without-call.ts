// A VIRTUAL_NUMBER_UPDATE belongs to no call: its ctx has no session.
import { defineHandler } from "callscript";

export default defineHandler({
  onNumbersUpdated(event, ctx) {
    ctx.session["count"] = event.payload.totalNumbers;
  },
});
