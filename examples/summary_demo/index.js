// Reports the outcome of every call to a reporting service.
//
// 8x8 posts a SESSION_SUMMARY when a call ends (point the sub-account's session summary
// webhook here). This script turns it into the service's JSON (status, duration, legs, error)
// and POSTs it to OUTCOMES_URL from tenant.json. The reporting service being down must not
// lose the outcome: it then goes into the error log line, for replay.
import { defineHandler } from "callscript";

import { outcomeOf } from "./outcome.js";

export default defineHandler({
  async onSessionSummary(event, ctx) {
    const outcome = outcomeOf(event.payload);
    const url = ctx.env.OUTCOMES_URL;
    if (typeof url !== "string") {
      throw new Error("tenant.json env.OUTCOMES_URL must be the reporting service's URL");
    }
    try {
      const response = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json", "idempotency-key": outcome.sessionId },
        body: JSON.stringify(outcome),
      });
      if (!response.ok) {
        ctx.log.error("the reporting service refused the call outcome", { status: response.status, outcome });
        return;
      }
      ctx.log.info("call outcome reported", { status: outcome.status, durationSeconds: outcome.durationSeconds });
    } catch (error) {
      ctx.log.error("the reporting service could not be reached", { error: String(error), outcome });
    }
  },
});
