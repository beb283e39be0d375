// A CALL_ACTION hook that returns nothing on one path (the caller would hear the fallback).
import { defineHandler, hangup } from "callscript";

export default defineHandler({
  onActionCompleted(event, ctx) {
    if (ctx.dtmf === "1") return [hangup()];
  },
});
