// _default serves every sub-account that has no folder of its own: callers
// hear that the number is not set up, and the call ends.
import { say, hangup } from "callscript";

// No tenant.json here, so the voice is named explicitly.
const VOICE = "en-US-Standard-A";

// A function export receives every webhook; only a CALL_ACTION needs an
// answer, and for any other event the return value is ignored.
export default function notConfigured(event, ctx) {
  if (event.eventType !== "CALL_ACTION") return;
  const payload = event.payload ?? {};
  ctx.log.warn("call to a sub-account without scripts", {
    subAccountId: payload.subAccountId ?? null,
    number: payload.destination ?? null,
  });
  return [
    say("Sorry, this number is not configured yet. Please try again later. Goodbye.", { voiceProfile: VOICE }),
    hangup(),
  ];
}
