// Number masking for a ride-hailing service.
//
// Riders and drivers call each other through a virtual number, so neither learns the other's
// real number. When a call reaches the virtual number, the booking service says who the caller
// should be put through to; the call is bridged and recorded. When the caller has no active
// booking, or the service cannot answer, the caller hears a polite explanation and the call
// ends.
import { defineHandler, hangup, makeCall, say } from "callscript";

import { findBooking } from "./bookings";

/** What the engine keeps in ctx.session for the rest of the call. */
type CallState = { bookingId?: string };

export default defineHandler<CallState>({
  async onCallReceived(event, ctx) {
    const { source: caller, destination: line } = event.payload;
    const lookup = await findBooking(ctx, caller, line);

    switch (lookup.status) {
      case "found":
        ctx.session.bookingId = lookup.booking.bookingId;
        ctx.log.info("connecting a masked call", { bookingId: lookup.booking.bookingId });
        return [
          say("Connecting you now. This call is recorded for your safety."),
          // The callee sees the virtual number, never the caller's own.
          makeCall({ source: line, destination: lookup.booking.connectTo, callRecording: true }),
        ];
      case "none":
        return [
          say("Sorry, we could not find an active booking for your phone number. Please check your booking in the app. Goodbye."),
          hangup(),
        ];
      case "unavailable":
        return [say("Sorry, we cannot connect your call right now. Please try again in a few minutes. Goodbye."), hangup()];
    }
  },

  // 8x8 reports the end of the bridged call as a finished action: the conversation is over.
  onActionCompleted: () => [hangup()],

  onSessionSummary(event, ctx) {
    const { sessionStatus, callCount } = event.payload;
    ctx.log.info("masked call ended", { bookingId: ctx.session.bookingId ?? null, status: sessionStatus, legs: callCount });
  },
});
