// A CALL_ACTION hook must return a callflow, not a string.
import { defineHandler } from "callscript";

export default defineHandler({
  onCallReceived: () => "Hello, caller",
});
