// rideshare_nm: number masking for a ride-hailing service.
//
// Riders and drivers call the same virtual number. We look up the caller's
// active trip and bridge the call to the other party, so neither ever sees
// the other's real phone number.
import { say, makeCall, hangup } from "callscript";

// This tenant has no tenant.json with defaults, so its actions name a voice.
const VOICE = "en-US-Standard-A";

// The active trips. A real service would ask its booking system (with
// fetch, under the tenant's fetch policy); a table keeps the example
// self-contained.
const TRIPS = [
  { id: "TRIP-1042", rider: "+6590001111", driver: "+6590002222" },
  { id: "TRIP-1043", rider: "+6590003333", driver: "+6590004444" },
];

// findTrip returns the caller's trip, their role in it and the number of the
// party they should reach; or null when the caller has no active trip.
function findTrip(caller) {
  for (const trip of TRIPS) {
    if (trip.rider === caller) return { trip, role: "rider", reach: trip.driver };
    if (trip.driver === caller) return { trip, role: "driver", reach: trip.rider };
  }
  return null;
}

// masked hides all but the last four digits of a phone number: the point of
// the service is that real numbers stay private, in the logs too.
function masked(number) {
  return number.length > 4 ? "*".repeat(number.length - 4) + number.slice(-4) : number;
}

export default {
  // A rider or driver dialled the virtual number.
  onCallReceived(event, ctx) {
    const { source, destination } = event.payload;
    const match = findTrip(source);
    if (match === null) {
      ctx.log.info("caller has no active trip", { caller: masked(source) });
      return [
        say("Sorry, we could not find an active trip for this phone number. Goodbye.", { voiceProfile: VOICE }),
        hangup(),
      ];
    }
    // Remember the trip for the rest of the call: the status and recording
    // events below carry no caller, only the session.
    ctx.session.trip = match.trip.id;
    ctx.log.info("connecting trip", { trip: match.trip.id, caller: match.role });
    return [
      // The other party sees the virtual number, not the caller's.
      makeCall({ source: destination, destination: match.reach, callRecording: true }),
    ];
  },

  // The bridged call has finished: nothing more to do.
  onActionCompleted(event, ctx) {
    return [hangup()];
  },

  onCallStatus(event, ctx) {
    ctx.log.info("call status", {
      trip: ctx.session.trip ?? null,
      status: event.payload.callStatus,
      direction: event.payload.callDirection,
    });
  },

  onRecordingUploaded(event, ctx) {
    const { recordingId, status, durationSeconds, filePath } = event.payload;
    ctx.log.info("call recording", {
      trip: ctx.session.trip ?? null,
      recordingId,
      status,
      seconds: durationSeconds,
      file: filePath,
    });
  },

  onNumbersUpdated(event, ctx) {
    const { updateEventType, totalNumbers, virtualNumbers = [] } = event.payload;
    ctx.log.info("virtual numbers updated", { kind: updateEventType, total: totalNumbers });
    for (const number of virtualNumbers) {
      ctx.log.info("virtual number", {
        number: number.msisdn,
        status: number.operationalStatus,
        referenceId: number.referenceId,
      });
    }
  },
};
