// Reads every documented field of every webhook event, with the type each one must have.
import type {
  ActionCompletedEvent,
  CallActionEvent,
  CallLeg,
  CallRecordingStatusEvent,
  SessionSummaryEvent,
  VirtualNumberUpdateEvent,
  WebhookEvent,
} from "callscript";
import { assertType, type Equal } from "./assert";

export function describeLeg(p: CallLeg): string {
  assertType<Equal<typeof p.callDirection, "INBOUND" | "OUTBOUND">>();
  assertType<Equal<typeof p.callType, "PSTN" | "VOIP">>();
  assertType<Equal<typeof p.callDuration, number | string>>();
  assertType<Equal<typeof p.sourceRefId, string | null | undefined>>();
  assertType<Equal<typeof p.sipCode, number>>();
  const parts: (string | number | null | undefined)[] = [
    p.eventId,
    p.callId,
    p.sessionId,
    p.subAccountId,
    p.callDirection,
    p.callType,
    p.source,
    p.destination,
    p.sourceFormat,
    p.destinationFormat,
    p.sourceCountryCode,
    p.destinationCountryCode,
    p.sourceRefId,
    p.destinationRefId,
    Number(p.callDuration),
    p.sipCode,
    p.timestamp,
  ];
  // A field 8x8 adds later is there, as unknown.
  const later: unknown = p["somethingNew"];
  return parts.join(" ") + String(later);
}

// The captured digits in each of the three forms 8x8 uses.
export function digitsOf(event: ActionCompletedEvent | CallActionEvent): string | null {
  const p = event.payload;
  assertType<Equal<typeof p.clientActionId, string | undefined>>();
  if (typeof p.eventData === "string") return p.eventData;
  if (p.eventData !== undefined) {
    assertType<Equal<typeof p.eventData.dtmf, string | null>>();
    return p.eventData.dtmf ?? p.eventData.asrCaptured ?? null;
  }
  return p.dtmf ?? null;
}

export function describeSummary(event: SessionSummaryEvent): string {
  const p = event.payload;
  assertType<Equal<typeof event.eventType, "SESSION_SUMMARY">>();
  assertType<Equal<typeof event.version, number | undefined>>();
  const status:
    | "COMPLETED"
    | "BUSY"
    | "NO_ANSWER"
    | "FAILED"
    | "CANCELED"
    | "ERROR"
    | "COMPLETED_UNSUBSCRIBED"
    | "COMPLETED_UNSUB_ERROR"
    | "UNSUBSCRIBED_CONTACT" = p.sessionStatus;
  const error = p.errorDetails ? `${p.errorDetails.errorCode} ${p.errorDetails.errorMsg}` : "";
  if (p.errorDetails?.errorCode === -2003) console.error("8x8 refused a callflow");
  const legs = Object.entries(p.details).map(([name, leg]) =>
    leg
      ? [
          name,
          leg.callId,
          leg.callDirection,
          leg.callType,
          leg.initiatedTimestamp,
          leg.connectedTimestamp,
          leg.disconnectedTimestamp,
          leg.source,
          leg.destination,
          leg.sourceFormat,
          leg.destinationFormat,
          leg.sourceCountryCode,
          leg.destinationCountryCode,
          leg.sourceRefId,
          leg.destinationRefId,
          leg.callStatus,
          leg.callDuration,
          leg.callQuality?.mos,
          leg.callQuality?.packetLossRate,
          leg.callQuality?.jitter,
        ].join(" ")
      : name,
  );
  const a = p.details.callA?.callId ?? "";
  return [
    p.sessionId,
    p.subAccountId,
    status,
    p.startTime,
    p.endTime,
    p.lastAction,
    p.callCount,
    p.clientRequestId,
    error,
    a,
    ...legs,
  ].join(" ");
}

export function describeRecording(event: CallRecordingStatusEvent): string {
  const p = event.payload;
  assertType<Equal<typeof p.durationSeconds, number>>();
  return [p.sessionId, p.recordingId, p.durationSeconds, p.filePath, p.status === "UPLOAD_COMPLETED"].join(
    " ",
  );
}

export function describeNumbers(event: VirtualNumberUpdateEvent): string {
  const p = event.payload;
  assertType<Equal<typeof p.updateEventType, "SNAPSHOT" | "UPDATES">>();
  const numbers = p.virtualNumbers.map((n) =>
    [
      n.msisdn,
      n.countryCode,
      n.operationalStatus,
      n.referenceId,
      n.updatedTimestamp,
      n.numberHealthCheckEnabled,
      n.updateStatus,
    ].join(" "),
  );
  return [p.subAccountId, p.totalNumbers, p.updateEventType, ...numbers].join(" ");
}

// The envelope narrows on eventType.
export function describe(event: WebhookEvent): string {
  assertType<Equal<typeof event.namespace, "VOICE">>();
  switch (event.eventType) {
    case "CALL_ACTION":
      return `${event.description ?? ""} ${event.payload.callStatus}`;
    case "CALL_STATUS":
      return event.payload.callStatus;
    case "SESSION_SUMMARY":
      return describeSummary(event);
    case "CALL_RECORDING_STATUS":
      return describeRecording(event);
    case "VIRTUAL_NUMBER_UPDATE":
      return describeNumbers(event);
  }
}
