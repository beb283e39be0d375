// A hook name with a typo: onCallRecieved.
import { defineHandler, hangup } from "callscript";

export default defineHandler({
  onCallRecieved: () => [hangup()],
});
