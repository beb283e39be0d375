// The outcome of a call, as the reporting service stores it, made from 8x8's SESSION_SUMMARY.

/**
 * @typedef {import("callscript").SessionSummaryPayload} SessionSummaryPayload
 * @typedef {import("callscript").LegSummary} LegSummary
 *
 * @typedef {object} Leg
 * @property {string} leg "A" for the caller's leg, "B" for the first party it was bridged to, ...
 * @property {string} callId
 * @property {string} direction "INBOUND" or "OUTBOUND"
 * @property {string} from
 * @property {string} to
 * @property {string} status
 * @property {number} durationSeconds
 *
 * @typedef {object} Outcome
 * @property {string} sessionId
 * @property {string} status 8x8's sessionStatus: "COMPLETED", "BUSY", "NO_ANSWER", "ERROR", ...
 * @property {string} startedAt ISO 8601
 * @property {string} endedAt ISO 8601
 * @property {number | null} durationSeconds null when 8x8's times cannot be read
 * @property {string} lastAction
 * @property {Leg[]} legs
 * @property {{ code: number, message: string } | null} error
 */

/**
 * The legs of a call in order: callA, callB, ... 8x8's documented examples sometimes write
 * "CallA", so the names are read whatever their case.
 *
 * @param {SessionSummaryPayload["details"] | undefined} details
 * @returns {Leg[]}
 */
function legsOf(details) {
  return Object.entries(details ?? {})
    .filter(/** @returns {entry is [string, LegSummary]} */ (entry) => /^call[a-z]$/i.test(entry[0]) && typeof entry[1] === "object" && entry[1] !== null)
    .map(([name, leg]) => ({
      leg: name.slice(4).toUpperCase(),
      callId: leg.callId,
      direction: leg.callDirection,
      from: leg.source,
      to: leg.destination,
      status: leg.callStatus,
      durationSeconds: Number(leg.callDuration) || 0,
    }))
    .sort((a, b) => a.leg.localeCompare(b.leg));
}

/**
 * Whole seconds from `start` to `end` (ISO 8601), or null when either cannot be read.
 *
 * @param {string} start
 * @param {string} end
 */
function secondsBetween(start, end) {
  const ms = Date.parse(end) - Date.parse(start);
  return Number.isFinite(ms) && ms >= 0 ? Math.round(ms / 1000) : null;
}

/**
 * The outcome of the call a SESSION_SUMMARY reports.
 *
 * @param {SessionSummaryPayload} summary
 * @returns {Outcome}
 */
export function outcomeOf(summary) {
  const { errorDetails } = summary;
  return {
    sessionId: summary.sessionId,
    status: summary.sessionStatus,
    startedAt: summary.startTime,
    endedAt: summary.endTime,
    durationSeconds: secondsBetween(summary.startTime, summary.endTime),
    lastAction: summary.lastAction,
    legs: legsOf(summary.details),
    error: errorDetails ? { code: errorDetails.errorCode, message: errorDetails.errorMsg } : null,
  };
}
