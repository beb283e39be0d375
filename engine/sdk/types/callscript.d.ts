// TypeScript declarations of callscript: the "callscript" module, the handler a tenant's entry
// exports, the 8x8 webhook events it receives, its ctx argument, and the globals a script has
// (fetch and console). Scripts run in an ES2022 engine with no DOM and no Node.js: compile
// with `"lib": ["es2022"]` and `"types": []` so that nothing else appears to be available.
//
// This file ships with callscript (`callscript init` copies it into a new tenant folder);
// do not edit it there, it is replaced on upgrade.

/** Writes a log line to the server's structured log, with the tenant, version, event and session ids. */
interface Console {
  log(...data: unknown[]): void;
  info(...data: unknown[]): void;
  warn(...data: unknown[]): void;
  error(...data: unknown[]): void;
  debug(...data: unknown[]): void;
  trace(...data: unknown[]): void;
}

/** Logs to the server's structured log: `console.log` and `console.info` at info level, and so on. */
declare var console: Console;

/**
 * Fetches a URL under the tenant's policy (`fetch.allow` in tenant.json) and within the time
 * left to the event (`ctx.deadline`). The same function as `ctx.fetch`.
 */
declare function fetch(
  input: string,
  init?: import("callscript").FetchInit,
): Promise<import("callscript").FetchResponse>;

declare module "callscript" {
  // ------------------------------------------------------------------------------------------
  // Actions: what a callflow is made of (8x8's five actions).

  /** Options of `say`. */
  export interface SayOptions {
    /** A speech profile such as `"en-US-Standard-A"`; tenant.json's `defaults.voiceProfile` when left out. */
    voiceProfile?: string;
    /** How many times to say the text: 1, 2 or 3 (default 1). */
    repetition?: number;
    /** Speaking rate, 0.5 to 2.0 (default 1). */
    speed?: number;
  }

  /** Options of `sayAndCapture`. */
  export interface SayAndCaptureOptions {
    /** A speech profile such as `"en-US-Standard-A"`; tenant.json's `defaults.voiceProfile` when left out. */
    voiceProfile?: string;
    /** The fewest digits accepted, at least 1; requires `maxDigits`. */
    minDigits?: number;
    /** The most digits accepted, 1 to 25; required when `completeOnHash` is false. */
    maxDigits?: number;
    /** Milliseconds to wait between two digits, at least 1; requires a greater `overallTimeout`. */
    digitTimeout?: number;
    /** Milliseconds to wait for the whole entry, at least 1. */
    overallTimeout?: number;
    /** Whether `#` ends the entry (default true). */
    completeOnHash?: boolean;
    /** How often 8x8 asks again after a failed entry, at least 1. */
    noOfTries?: number;
    /** Said after a valid entry; `null` for nothing. */
    successMessage?: string | null;
    /** Said after a failed entry; `null` for nothing. */
    failureMessage?: string | null;
    /** Speaking rate, 0.5 to 2.0. */
    speed?: number;
    /** How many times to say the prompt: 1, 2 or 3. */
    repetition?: number;
  }

  /** Options of `playFile`. */
  export interface PlayFileOptions {
    /** How many times to play the file: 1, 2 or 3. */
    repetition?: number;
  }

  /** The argument of `makeCall`. */
  export interface MakeCallOptions {
    /** The caller id the callee sees: a virtual number of the sub-account, E.164 (`"+6560000000"`). */
    source: string;
    /** Who to call, E.164 (`"+6560000001"`). */
    destination: string;
    /** Whether to record the bridged call. */
    callRecording?: boolean;
  }

  /** The params of a `say` action. */
  export interface SayParams extends SayOptions {
    /** What to say, 1 to 3000 characters. */
    text: string;
  }

  /** The params of a `sayAndCapture` action. */
  export interface SayAndCaptureParams extends SayAndCaptureOptions {
    /** What to say before collecting digits, 1 to 3000 characters. */
    promptMessage: string;
  }

  /** The params of a `playFile` action. */
  export interface PlayFileParams extends PlayFileOptions {
    /** An absolute http or https URL of an mp3 or wav file of at most 5 MB. */
    fileUrl: string;
  }

  /** The params of a `makeCall` action. */
  export interface MakeCallParams extends MakeCallOptions {}

  /** Text to speech. */
  export interface SayAction {
    action: "say";
    params: SayParams;
  }

  /** A prompt, then DTMF digits: they come back as `ctx.dtmf` in the next CALL_ACTION. It must end the callflow. */
  export interface SayAndCaptureAction {
    action: "sayAndCapture";
    params: SayAndCaptureParams;
  }

  /** Plays an audio file. */
  export interface PlayFileAction {
    action: "playFile";
    params: PlayFileParams;
  }

  /** Bridges the call to another party (at most two in one callflow). */
  export interface MakeCallAction {
    action: "makeCall";
    params: MakeCallParams;
  }

  /** Ends the call. Only last in a callflow, and never straight after `sayAndCapture`. */
  export interface HangupAction {
    action: "hangup";
    params?: Record<string, never>;
  }

  /** One step of a callflow; `action` tells which. */
  export type Action = SayAction | SayAndCaptureAction | PlayFileAction | MakeCallAction | HangupAction;

  /** The name of an action. */
  export type ActionName = Action["action"];

  /** The actions 8x8 carries out, in order. */
  export type Callflow = Action[];

  /** The full answer to a CALL_ACTION. */
  export interface Answer {
    /** Names this step of the call; 8x8 sends it back as `ctx.clientActionId` in the next CALL_ACTION. */
    clientActionId?: string | null;
    callflow: Callflow;
  }

  /** What a CALL_ACTION hook returns: the full answer, the callflow alone, or one action. */
  export type CallActionResult = Answer | Callflow | Action;

  /** A value, or a promise of it: every hook may be `async`. */
  export type MaybePromise<T> = T | Promise<T>;

  /** Says `text`: `say("Welcome to ACME.")`. */
  export function say(text: string, options?: SayOptions): SayAction;

  /** Says `promptMessage` and collects DTMF digits: `sayAndCapture("Press 1 for sales.", { maxDigits: 1 })`. */
  export function sayAndCapture(promptMessage: string, options?: SayAndCaptureOptions): SayAndCaptureAction;

  /** Plays the mp3 or wav file at `fileUrl`. */
  export function playFile(fileUrl: string, options?: PlayFileOptions): PlayFileAction;

  /** Bridges the call: `makeCall({ source: event.payload.destination, destination: "+6560000001" })`. */
  export function makeCall(options: MakeCallOptions): MakeCallAction;

  /** Ends the call. */
  export function hangup(): HangupAction;

  // ------------------------------------------------------------------------------------------
  // Webhook events: `event` is the body 8x8 posted, exactly as posted. Fields 8x8 adds later
  // appear as `unknown` through the index signatures. Its members become JavaScript values when
  // first read; it behaves as a plain object except that it cannot be frozen or sealed, given
  // accessor or read-only properties, or hold symbol-keyed ones (copy it first: `{ ...event }`).

  /** The kinds of 8x8 voice webhook. */
  export type EventType =
    "CALL_ACTION" | "SESSION_SUMMARY" | "CALL_STATUS" | "CALL_RECORDING_STATUS" | "VIRTUAL_NUMBER_UPDATE";

  /** The envelope every webhook shares. */
  export interface WebhookEnvelope<T extends EventType, P> {
    namespace: "VOICE";
    eventType: T;
    description?: string;
    payload: P;
    [field: string]: unknown;
  }

  /** Where a CALL_ACTION is in the call. */
  export type CallActionStatus = "CALL_RECEIVED" | "ACTION_COMPLETED";

  /** The status a CALL_STATUS event reports. */
  export type CallStatusValue =
    | "CALL_INITIATED"
    | "CALL_RECEIVED"
    | "CALL_CONNECTED"
    | "CALL_DISCONNECTED"
    | "CALL_UPDATED"
    | "DTMF_RECEIVED";

  export type CallDirection = "INBOUND" | "OUTBOUND";
  export type CallType = "PSTN" | "VOIP";
  export type NumberFormat = "MSISDN";

  /** The fields that describe one leg of a call (CALL_ACTION and CALL_STATUS). */
  export interface CallLeg {
    /** Unique per event; a duplicate delivery repeats it. */
    eventId: string;
    /** One leg of the call. */
    callId: string;
    /** The whole call: every leg and every webhook of it. */
    sessionId: string;
    /** The 8x8 sub-account: the tenant. */
    subAccountId: string;
    callDirection: CallDirection;
    callType: CallType;
    /** E.164, usually with `+`. */
    source: string;
    /** E.164, usually with `+`. */
    destination: string;
    sourceFormat: NumberFormat;
    destinationFormat: NumberFormat;
    /** ISO 3166 alpha-2, such as `"SG"`. */
    sourceCountryCode: string;
    /** ISO 3166 alpha-2, such as `"SG"`. */
    destinationCountryCode: string;
    /** The reference id of the virtual number involved, if any. */
    sourceRefId?: string | null;
    /** The reference id of the virtual number involved, if any. */
    destinationRefId?: string | null;
    /** Seconds; some accounts send it as a string such as `"12"`. */
    callDuration: number | string;
    /** The final SIP status of the leg. */
    sipCode: number;
    /** ISO 8601. */
    timestamp: string;
    [field: string]: unknown;
  }

  /** The result of a `sayAndCapture`, in current webhook versions. */
  export interface CaptureResult {
    /** The digits pressed, or `null` when nothing was captured. */
    dtmf: string | null;
    /** Speech recognised (older payloads). */
    asrCaptured?: string;
    [field: string]: unknown;
  }

  /** The payload of a CALL_ACTION. */
  export interface CallActionPayload<C extends CallActionStatus = CallActionStatus> extends CallLeg {
    callStatus: C;
    /**
     * The result of the last `sayAndCapture`: an object in current webhook versions, the digits
     * as a plain string in older ones. `ctx.dtmf` reads every form: prefer it.
     */
    eventData?: CaptureResult | string;
    /** The digits, where some accounts put them. `ctx.dtmf` reads every form: prefer it. */
    dtmf?: string | null;
    /** The `clientActionId` of the previous answer in this call. */
    clientActionId?: string;
  }

  /** The payload of a CALL_STATUS event: best-effort telemetry, possibly duplicated or out of order. */
  export interface CallStatusPayload extends CallLeg {
    callStatus: CallStatusValue;
  }

  /** How a call session ended. */
  export type SessionStatus =
    | "COMPLETED"
    | "BUSY"
    | "NO_ANSWER"
    | "FAILED"
    | "CANCELED"
    | "ERROR"
    | "COMPLETED_UNSUBSCRIBED"
    | "COMPLETED_UNSUB_ERROR"
    | "UNSUBSCRIBED_CONTACT";

  /** The last action of a session: these and possibly others. */
  export type LastAction = "MAKE_CALL" | "HANGUP" | "SAY_AND_CAPTURE" | "SAY" | "PLAY_FILE" | (string & {});

  /**
   * 8x8's error codes: -2001 internal, -2002 internal connectivity, -2003 call flow invalid,
   * -2004 no coverage, -2005 TTS failed, -2006 file download failed, -2007 validity expired,
   * -2008 caller id not allowed, -2009 scenario parameters invalid, -2010 trunk capacity
   * exceeded, -9999 unknown.
   */
  export type ErrorCode =
    -2001 | -2002 | -2003 | -2004 | -2005 | -2006 | -2007 | -2008 | -2009 | -2010 | -9999 | (number & {});

  /** Why a session failed. */
  export interface ErrorDetails {
    errorCode: ErrorCode;
    errorMsg: string;
    [field: string]: unknown;
  }

  /** The call quality of a leg, when 8x8 measured it. */
  export interface CallQuality {
    mos?: number;
    packetLossRate?: number;
    jitter?: number;
    [field: string]: unknown;
  }

  /** One leg of a finished session. */
  export interface LegSummary {
    callId: string;
    callDirection: CallDirection;
    callType: CallType;
    initiatedTimestamp?: string;
    connectedTimestamp?: string;
    disconnectedTimestamp?: string;
    source: string;
    destination: string;
    sourceFormat?: NumberFormat;
    destinationFormat?: NumberFormat;
    sourceCountryCode?: string;
    destinationCountryCode?: string;
    sourceRefId?: string | null;
    destinationRefId?: string | null;
    /** How the leg ended, such as `"COMPLETED"` or `"ERROR"`. */
    callStatus: string;
    /** Seconds. */
    callDuration: number;
    callQuality?: CallQuality;
    [field: string]: unknown;
  }

  /** The payload of a SESSION_SUMMARY: the call is over. */
  export interface SessionSummaryPayload {
    sessionId: string;
    subAccountId: string;
    sessionStatus: SessionStatus;
    /** ISO 8601. */
    startTime: string;
    /** ISO 8601. */
    endTime: string;
    lastAction: LastAction;
    /** How many legs the call had. */
    callCount: number;
    clientRequestId?: string;
    errorDetails?: ErrorDetails;
    /** One entry per leg: `callA`, `callB`, ... (some documented examples write `CallA`). */
    details: { callA?: LegSummary; callB?: LegSummary; [leg: string]: LegSummary | undefined };
    [field: string]: unknown;
  }

  /** The payload of a CALL_RECORDING_STATUS. It carries no subAccountId. */
  export interface CallRecordingStatusPayload {
    sessionId: string;
    recordingId: string;
    durationSeconds: number;
    filePath: string;
    status: "UPLOAD_COMPLETED" | (string & {});
    [field: string]: unknown;
  }

  /** One virtual number of a VIRTUAL_NUMBER_UPDATE. */
  export interface VirtualNumber {
    /** E.164. */
    msisdn: string;
    /** ISO 3166 alpha-2. */
    countryCode: string;
    operationalStatus: string;
    referenceId: string;
    updatedTimestamp?: string;
    numberHealthCheckEnabled?: boolean;
    updateStatus?: string;
    [field: string]: unknown;
  }

  /** The payload of a VIRTUAL_NUMBER_UPDATE. */
  export interface VirtualNumberUpdatePayload {
    subAccountId: string;
    totalNumbers: number;
    /** `SNAPSHOT`: every number of the sub-account; `UPDATES`: the ones that changed. */
    updateEventType: "SNAPSHOT" | "UPDATES";
    virtualNumbers: VirtualNumber[];
    [field: string]: unknown;
  }

  /** A CALL_ACTION: 8x8 waits for the callflow the hook returns. */
  export type CallActionEvent<C extends CallActionStatus = CallActionStatus> = WebhookEnvelope<
    "CALL_ACTION",
    CallActionPayload<C>
  >;
  /** A CALL_ACTION for a new inbound call. */
  export type CallReceivedEvent = CallActionEvent<"CALL_RECEIVED">;
  /** A CALL_ACTION after an action (a `sayAndCapture`, say) finished. */
  export type ActionCompletedEvent = CallActionEvent<"ACTION_COMPLETED">;
  export type SessionSummaryEvent = WebhookEnvelope<"SESSION_SUMMARY", SessionSummaryPayload> & {
    /** The webhook version. */
    version?: number;
  };
  export type CallStatusEvent = WebhookEnvelope<"CALL_STATUS", CallStatusPayload>;
  export type CallRecordingStatusEvent = WebhookEnvelope<"CALL_RECORDING_STATUS", CallRecordingStatusPayload>;
  export type VirtualNumberUpdateEvent = WebhookEnvelope<"VIRTUAL_NUMBER_UPDATE", VirtualNumberUpdatePayload>;

  /** Any 8x8 voice webhook; narrow it with `event.eventType`. */
  export type WebhookEvent =
    | CallActionEvent
    | SessionSummaryEvent
    | CallStatusEvent
    | CallRecordingStatusEvent
    | VirtualNumberUpdateEvent;

  // ------------------------------------------------------------------------------------------
  // ctx: what the handler knows besides the event.

  /** A JSON value, as tenant.json's `env` holds. */
  export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

  /** The default type of `ctx.session`. */
  export type SessionData = Record<string, unknown>;

  /** Extra fields of a log line. */
  export type LogFields = Record<string, unknown>;

  /** Structured log lines, carrying the tenant, version, event and session ids. */
  export interface Logger {
    debug(message: string, fields?: LogFields): void;
    info(message: string, fields?: LogFields): void;
    warn(message: string, fields?: LogFields): void;
    error(message: string, fields?: LogFields): void;
  }

  /** The second argument of `fetch`. */
  export interface FetchInit {
    /** `"GET"` (the default), `"POST"`, ... */
    method?: string;
    headers?: Record<string, string>;
    body?: string;
  }

  /** The headers of a fetch response. */
  export interface FetchHeaders {
    /** The header's value (several values joined with ", "), or `null`; names are case-insensitive. */
    get(name: string): string | null;
    has(name: string): boolean;
  }

  /** The response of a fetch. */
  export interface FetchResponse {
    readonly status: number;
    readonly statusText: string;
    /** Whether `status` is 200 to 299. */
    readonly ok: boolean;
    /** The final URL, after redirects. */
    readonly url: string;
    readonly redirected: boolean;
    readonly headers: FetchHeaders;
    text(): Promise<string>;
    /** Parses the body as JSON; name the type you expect, `await res.json<Customer>()`, or check the `unknown`. */
    json<T = unknown>(): Promise<T>;
  }

  /** A WHATWG-style fetch, limited by the tenant's policy and the time left to the event. */
  export type Fetch = (input: string, init?: FetchInit) => Promise<FetchResponse>;

  /**
   * The second argument of every hook. `S` is the type of `ctx.session`; declare it with a
   * `type` alias (`type MySession = { attempts?: number }`) so that it also fits the dialog
   * helpers, whose ctx is `Context<SessionData>`. Like the event, its members become
   * JavaScript values when first read, and it behaves as a plain object except that it cannot
   * be frozen or sealed, given accessor or read-only properties, or hold symbol-keyed ones
   * (copy it first: `{ ...ctx }`); `ctx.session` itself is a plain object.
   */
  export interface Context<S extends object = SessionData> {
    /** The tenant id: the 8x8 subAccountId, the name of the scripts folder. */
    readonly tenant: string;
    /** The script version: a short hash of the bundled program. */
    readonly version: string;
    /** `payload.eventId`, or `null` when the event has none. */
    readonly eventId: string | null;
    /** `payload.sessionId`, or `null` when the event has none. */
    readonly sessionId: string | null;
    /** `payload.callId`, or `null` when the event has none. */
    readonly callId: string | null;
    /** The digits the caller pressed, wherever this account's payload carries them, or `null`. */
    readonly dtmf: string | null;
    /** The `clientActionId` of the previous answer in this call, or `null`. */
    readonly clientActionId: string | null;
    /**
     * A plain object kept for the whole call (by sessionId): change it, and it is saved when the
     * hook returns (at most 64 KiB of JSON, so JSON values only). Not saved when the hook fails.
     */
    session: S;
    /** The tenant's settings `env` from tenant.json. */
    readonly env: Readonly<Record<string, JsonValue>>;
    /** Milliseconds left before the engine answers without the script. */
    readonly deadline: number;
    readonly log: Logger;
    /** The same as the global `fetch`. */
    readonly fetch: Fetch;
  }

  /** The ctx of an event that belongs to no call (VIRTUAL_NUMBER_UPDATE): it has no session. */
  export type ContextWithoutSession = Omit<Context, "session">;

  // ------------------------------------------------------------------------------------------
  // The handler: the entry's default export.

  /** A hook that answers a CALL_ACTION. */
  export type CallActionHook<E extends CallActionEvent, S extends object = SessionData> = (
    event: E,
    ctx: Context<S>,
  ) => MaybePromise<CallActionResult>;

  /** A hook for an event whose answer 8x8 ignores; what it returns is ignored too. */
  export type NotificationHook<E, C = Context> = (event: E, ctx: C) => MaybePromise<void>;

  /**
   * The handler as an object of hooks, one per kind of event. A CALL_ACTION goes to
   * `onCallReceived` or `onActionCompleted` by its callStatus, else to `onCallAction`; an event
   * with no hook is answered `{}` (a CALL_ACTION without one gets the tenant's fallback).
   */
  export interface Handler<S extends object = SessionData> {
    /** A new inbound call (CALL_ACTION, callStatus CALL_RECEIVED). */
    onCallReceived?: CallActionHook<CallReceivedEvent, S>;
    /** An action finished, typically a `sayAndCapture` with the caller's keys (CALL_ACTION, ACTION_COMPLETED). */
    onActionCompleted?: CallActionHook<ActionCompletedEvent, S>;
    /** Any CALL_ACTION the two hooks above do not take. */
    onCallAction?: CallActionHook<CallActionEvent, S>;
    /** The call is over (SESSION_SUMMARY). */
    onSessionSummary?: NotificationHook<SessionSummaryEvent, Context<S>>;
    /** A leg changed state (CALL_STATUS). */
    onCallStatus?: NotificationHook<CallStatusEvent, Context<S>>;
    /** A recording was uploaded (CALL_RECORDING_STATUS). */
    onRecordingUploaded?: NotificationHook<CallRecordingStatusEvent, Context<S>>;
    /** The sub-account's virtual numbers changed (VIRTUAL_NUMBER_UPDATE). */
    onNumbersUpdated?: NotificationHook<VirtualNumberUpdateEvent, ContextWithoutSession>;
  }

  /** The handler as one function for every event; its return value is used only for CALL_ACTION. */
  export type HandlerFunction<S extends object = SessionData> = (
    event: WebhookEvent,
    ctx: Context<S>,
  ) => MaybePromise<CallActionResult | void>;

  /**
   * Returns `handler` unchanged: it only tells TypeScript the types of each hook's event and
   * ctx. `export default defineHandler({ onCallReceived(event, ctx) { ... } })`.
   */
  export function defineHandler<S extends object = SessionData>(
    handler: HandlerFunction<S>,
  ): HandlerFunction<S>;
  export function defineHandler<S extends object = SessionData>(handler: Handler<S>): Handler<S>;

  // ------------------------------------------------------------------------------------------
  // Dialog helpers. A dialog asks the caller for keys with a sayAndCapture named by the
  // dialog's id (the answer's clientActionId), counts entries that are missing (noInput) or
  // wrong (wrongInput), asks again with the next message of that kind before its prompt, and
  // calls onTooManyTries after maxTries failed entries in all. Its counters live in
  // ctx.session under the key "__callscript".

  /** What a dialog's hooks may return: a callflow as a CALL_ACTION hook would, or a dialog to start. */
  export type DialogResult<S extends object = SessionData> = CallActionResult | Dialog<S>;

  /** A hook a dialog calls when it hands the call back (the event is the CALL_ACTION with the keys). */
  export type DialogHook<S extends object = SessionData> = (
    event: CallActionEvent,
    ctx: Context<S>,
  ) => MaybePromise<DialogResult<S>>;

  /** How many entries failed, by kind. */
  export interface Tries {
    readonly noInput: number;
    readonly wrongInput: number;
  }

  /** Called when the caller failed `maxTries` times. */
  export type TooManyTriesHook<S extends object = SessionData> = (
    event: CallActionEvent,
    ctx: Context<S>,
    tries: Tries,
  ) => MaybePromise<DialogResult<S>>;

  /**
   * Said before the prompt when asking again: one message, or a list used in turn, the last
   * one again once the list runs out (`["Sorry, I didn't hear anything.", "Please press a key now."]`).
   */
  export type Reprompts = string | readonly string[];

  /** A dialog's prompt: the text to say, or a function of ctx that returns it. */
  export type Prompt<S extends object = SessionData> = string | ((ctx: Context<S>) => string);

  /** The sayAndCapture options a dialog passes on to every prompt; it sets maxDigits and noOfTries itself. */
  export type CaptureOptions = Pick<
    SayAndCaptureOptions,
    "voiceProfile" | "speed" | "repetition" | "digitTimeout" | "overallTimeout"
  >;

  /** What pressing a menu key does: start a dialog, or call a hook. */
  export type MenuChoice<S extends object = SessionData> = Dialog<S> | DialogHook<S>;

  /** The settings of `menu`. */
  export interface MenuSettings<S extends object = SessionData> {
    /** What the menu says, such as `"For sales, press 1. For support, press 2."`. */
    prompt: Prompt<S>;
    /** Each key (`"1"`, `"0"`, `"*"`, or several digits such as `"10"`) and what pressing it does. */
    options: { [key: string]: MenuChoice<S> };
    /** Said before the prompt after the caller pressed nothing (default `"Sorry, I did not hear anything."`). */
    noInput?: Reprompts;
    /** Said before the prompt after a key that is not an option (default `"Sorry, that is not a valid choice."`). */
    wrongInput?: Reprompts;
    /** Failed entries, both kinds together, before onTooManyTries (default 3). */
    maxTries?: number;
    /** What happens after maxTries failed entries (default: an apology, then hangup). */
    onTooManyTries?: TooManyTriesHook<S>;
    capture?: CaptureOptions;
  }

  /** The settings of `collectNumber`. */
  export interface CollectNumberSettings<S extends object = SessionData> {
    /** What to say, such as `"Please enter your account number, then press hash."`. */
    prompt: Prompt<S>;
    /** The fewest digits of a valid number, 1 to 25 (default 1). */
    minDigits?: number;
    /** The most digits of a valid number, 1 to 25. */
    maxDigits: number;
    /** Whether `#` ends the entry (default true). */
    completeOnHash?: boolean;
    /**
     * An extra check of the digits (a checksum, a lookup): true accepts them, false counts a
     * wrong entry, a string counts a wrong entry and is said instead of the wrongInput message.
     */
    validate?: (digits: string, ctx: Context<S>) => MaybePromise<boolean | string>;
    /** Whether to read the number back and ask for 1 to confirm or 2 to enter it again (default true). */
    confirm?: boolean;
    /** The confirmation question (default `"You entered 1 2 3 4. Press 1 to confirm, or 2 to enter it again."`). */
    confirmPrompt?: (digits: string, ctx: Context<S>) => string;
    /** Said before the prompt after the caller pressed nothing (default `"Sorry, I did not hear anything."`). */
    noInput?: Reprompts;
    /** Said before the prompt after an invalid entry (default `"Sorry, that is not a valid entry."`). */
    wrongInput?: Reprompts;
    /** Failed entries, both kinds together, before onTooManyTries (default 3). */
    maxTries?: number;
    /** The caller entered (and confirmed) `digits`. */
    onComplete: (digits: string, event: CallActionEvent, ctx: Context<S>) => MaybePromise<DialogResult<S>>;
    /** What happens after maxTries failed entries (default: an apology, then hangup). */
    onTooManyTries?: TooManyTriesHook<S>;
    capture?: CaptureOptions;
  }

  /** The options of `dialog.start`. */
  export interface StartOptions {
    /** Actions to play before the prompt, such as `say("Welcome to ACME.")`. */
    before?: Action | readonly Action[];
  }

  /**
   * A dialog made by `menu` or `collectNumber`. Its functions need no `this`: pass
   * `dialog.continue` as a hook as it is.
   */
  export interface Dialog<S extends object = SessionData> {
    /** The dialog's name: the clientActionId of its prompts. */
    readonly id: string;
    readonly kind: "menu" | "collectNumber";
    /** Starts the dialog afresh (counters at zero) and returns its first prompt. */
    readonly start: (ctx: Context<S>, options?: StartOptions) => Answer;
    /** Whether this dialog asked for the keys this CALL_ACTION brings. */
    readonly handles: (ctx: Context<S>) => boolean;
    /** Handles the caller's keys: asks again, or hands over to the hook they lead to. Throws unless `handles(ctx)`. */
    readonly continue: (event: CallActionEvent, ctx: Context<S>) => MaybePromise<CallActionResult>;
  }

  /** The settings of `dialogs`. */
  export interface DialogsSettings<S extends object = SessionData> {
    /** What to do with a CALL_ACTION that no dialog asked for (default: throw, so the tenant's fallback answers). */
    otherwise?: MenuChoice<S>;
  }

  /** Routes each CALL_ACTION to the dialog that asked for the caller's keys. Its functions need no `this`. */
  export interface DialogRouter<S extends object = SessionData> {
    /** Whether one of the dialogs asked for the keys this CALL_ACTION brings. */
    readonly handles: (ctx: Context<S>) => boolean;
    /** Continues the dialog that asked, else runs `otherwise`. */
    readonly continue: (event: CallActionEvent, ctx: Context<S>) => MaybePromise<CallActionResult>;
    /** The dialog named `id`, if it is one of them. */
    readonly get: (id: string) => Dialog<S> | undefined;
  }

  /** A menu of keys to press, with re-prompts on no input and wrong input. */
  export function menu<S extends object = SessionData>(id: string, settings: MenuSettings<S>): Dialog<S>;

  /** Collects a number typed on the keypad, reads it back for confirmation, then calls onComplete. */
  export function collectNumber<S extends object = SessionData>(
    id: string,
    settings: CollectNumberSettings<S>,
  ): Dialog<S>;

  /** Routes each CALL_ACTION to the dialog that asked: `onActionCompleted: dialogs([main, pin]).continue`. */
  export function dialogs<S extends object = SessionData>(
    list: readonly Dialog<S>[],
    settings?: DialogsSettings<S>,
  ): DialogRouter<S>;
}
