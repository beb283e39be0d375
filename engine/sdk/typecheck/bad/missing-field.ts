// Reading a field ctx does not have.
import { defineHandler, say } from "callscript";

export default defineHandler({
  onCallReceived(event, ctx) {
    return [say(ctx.subAccountId)];
  },
});
