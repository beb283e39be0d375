// TypeScript declarations of "callscript/test", the test API of a tenant's test files
// (*.test.ts, *.test.js). `callscript test` runs them inside the engine itself: the same
// bundler, the same runtime, the same callflow validator as the server.
//
// This file ships with callscript (`callscript init` copies it into a new tenant folder);
// do not edit it there, it is replaced on upgrade.

declare module "callscript/test" {
  import type {
    Action,
    CallActionEvent,
    CallDirection,
    CallStatusValue,
    CallType,
    FetchHeaders,
    Handler,
    HandlerFunction,
    LastAction,
    LogFields,
    SessionData,
    SessionStatus,
    WebhookEvent,
  } from "callscript";

  // ------------------------------------------------------------------------------------------
  // Tests.

  /** A test's body. It may be async: the test ends when its promise settles. */
  export type TestFunction = () => void | Promise<void>;

  /** Options of one test. */
  export interface TestOptions {
    /** Milliseconds the test may run before it fails (default 5000, or `callscript test --test-timeout`). */
    timeout?: number;
  }

  /** Registers tests: `test("pressing 1 reaches sales", async () => { ... })`. */
  export interface TestRegistrar {
    (name: string, fn: TestFunction, options?: TestOptions | number): void;
    /** A test that is reported as skipped and not run. */
    skip(name: string, fn: TestFunction, options?: TestOptions | number): void;
    /** Runs only the tests of this file registered with `test.only`. */
    only(name: string, fn: TestFunction, options?: TestOptions | number): void;
  }

  /**
   * Registers a test. Tests run one after the other, in the order they are registered; the
   * tests of one file share the tenant's module state. Each starts with `fetch` unmocked and
   * the clock on real time.
   */
  export const test: TestRegistrar;
  /** The same as `test`. */
  export const it: TestRegistrar;
  /** Groups tests: their names start with the group's ("menu > pressing 1 reaches sales"). `fn` must not be async. */
  export function describe(name: string, fn: () => void): void;

  /** What a failed expectation throws; the failure is reported at the expectation's line. */
  export class AssertionError extends Error {}

  /**
   * What a step of a simulated call rejects with when the server would not have sent the
   * script's own answer: the hook threw, returned no callflow or an invalid one (the message
   * names the JSON path at fault, as the server's log does), ran past the tenant's time
   * budget, or left `ctx.session` unsaveable. The call's session stays as it was.
   */
  export class StepError extends Error {}

  // ------------------------------------------------------------------------------------------
  // Expectations.

  /** The checks of `expect(value)`. `R` is `void`, or a promise after `.resolves`/`.rejects`. */
  export interface Matchers<R> {
    /** The same value (`Object.is`). */
    toBe(expected: unknown): R;
    /** Deeply equal; properties that are `undefined` are ignored. */
    toEqual(expected: unknown): R;
    /** Has at least the properties of `expected`, deeply (arrays must match item by item). */
    toMatchObject(expected: object): R;
    /** A string containing `item`, or an array with an item that is `item`. */
    toContain(item: unknown): R;
    /** An array with an item deeply equal to `item`. */
    toContainEqual(item: unknown): R;
    /** A string that matches the regular expression, or contains the string. */
    toMatch(pattern: RegExp | string): R;
    toHaveLength(length: number): R;
    /** Has the property at `path` ("params.text", or ["callflow", 0]), equal to `value` if given. */
    toHaveProperty(path: string | readonly (string | number)[], value?: unknown): R;
    toBeNull(): R;
    toBeUndefined(): R;
    toBeDefined(): R;
    toBeTruthy(): R;
    toBeFalsy(): R;
    toBeGreaterThan(n: number | bigint): R;
    toBeGreaterThanOrEqual(n: number | bigint): R;
    toBeLessThan(n: number | bigint): R;
    toBeLessThanOrEqual(n: number | bigint): R;
    toBeInstanceOf(type: abstract new (...args: never[]) => unknown): R;
    /**
     * The function throws (after `.rejects`: the promise rejects) an error containing the
     * string, matching the regular expression, of the class, or with the message of the error.
     */
    toThrow(expected?: string | RegExp | Error | (abstract new (...args: never[]) => Error)): R;
  }

  /** `expect(value)`: its checks, `.not` to invert them, `.resolves`/`.rejects` for a promise. */
  export interface Expectation extends Matchers<void> {
    readonly not: Matchers<void>;
    /** Awaits the promise and checks what it resolves to: `await expect(p).resolves.toBe(1)`. */
    readonly resolves: Matchers<Promise<void>> & { readonly not: Matchers<Promise<void>> };
    /** Awaits the promise and checks why it rejects: `await expect(call.press("9")).rejects.toThrow("invalid callflow")`. */
    readonly rejects: Matchers<Promise<void>> & { readonly not: Matchers<Promise<void>> };
  }

  /** Starts an expectation: `expect(step.clientActionId).toBe("main_menu")`. */
  export function expect(actual: unknown): Expectation;

  // ------------------------------------------------------------------------------------------
  // The clock.

  /** Controls `Date.now()` and `new Date()`, in the test and in the handler. */
  export interface Clock {
    /** Stops the clock at `date`: a Date, an ISO 8601 string ("2026-03-02T09:00:00Z") or milliseconds. */
    set(date: Date | string | number): void;
    /** Moves the stopped clock forward by `ms` milliseconds (stopping it first if it runs). */
    advance(ms: number): void;
    /** Lets the clock run on real time again. */
    reset(): void;
    /** The clock's time in milliseconds, as `Date.now()`. */
    now(): number;
  }

  /** The clock of the test runtime. Each test starts on real time. */
  export const clock: Clock;

  // ------------------------------------------------------------------------------------------
  // fetch.

  /** A request the script made with `fetch` or `ctx.fetch`. */
  export interface MockedRequest {
    /** Upper case: "GET", "POST", ... */
    readonly method: string;
    readonly url: string;
    readonly headers: FetchHeaders;
    readonly body: string | null;
    /** The body parsed as JSON. */
    json<T = unknown>(): T;
  }

  /** A response made by `jsonResponse` or `textResponse`. */
  export interface MockResponse {
    readonly status: number;
    readonly headers: Readonly<Record<string, string>>;
    readonly body: string;
  }

  /**
   * What a mock answers: a `jsonResponse(...)` or `textResponse(...)`, a status code (with an
   * empty body), a string (a 200 text body) or any other value (a 200 JSON body).
   */
  export type MockReply = MockResponse | number | string | boolean | null | object;

  /** Answers one request; throwing makes `fetch` reject, as a network failure does. */
  export type MockHandler = (request: MockedRequest) => MockReply | Promise<MockReply>;

  /**
   * Routes: "METHOD URL" or "URL" (any method), exactly, or ending in `*` to match a prefix:
   * `{ "GET https://crm.example.com/customers/*": (req) => ..., "POST https://crm.example.com/calls": 201 }`.
   */
  export interface Routes {
    [route: string]: MockReply | MockHandler;
  }

  /** The mock that `mockFetch` installed. */
  export interface FetchMock {
    /** Every request fetch received, in order. */
    readonly calls: readonly MockedRequest[];
  }

  /**
   * Replaces `fetch` and `ctx.fetch` for the rest of the test. The tenant's `fetch.allow`
   * still applies: a URL the server would refuse makes fetch reject before the mock is asked.
   * A test that does not mock fetch cannot fetch: tests never reach the network.
   */
  export function mockFetch(mock: MockHandler | Routes): FetchMock;

  /** Options of a mocked response. */
  export interface MockResponseInit {
    /** 200 to 599 (default 200). */
    status?: number;
    headers?: Record<string, string>;
  }

  /** A mocked response with a JSON body: `jsonResponse({ id: 7 }, { status: 201 })`. */
  export function jsonResponse(data: unknown, init?: MockResponseInit): MockResponse;

  /** A mocked response with a text body: `textResponse("busy", { status: 503 })`. */
  export function textResponse(body?: string, init?: MockResponseInit): MockResponse;

  // ------------------------------------------------------------------------------------------
  // Simulated calls.

  /** The fields of a simulated call. Every field has a default. */
  export interface CallOptions {
    /** The caller's number, `payload.source` (default "+6591234567"). */
    from?: string;
    /** The virtual number called, `payload.destination` (default "+6560001000"). */
    to?: string;
    sessionId?: string;
    callId?: string;
    /** `payload.subAccountId` (default: the tenant's id). */
    subAccountId?: string | null;
    /** `payload.callDirection` (default "INBOUND"). */
    direction?: CallDirection;
    /** `payload.callType` (default "PSTN"). */
    callType?: CallType;
    /**
     * Where the CALL_ACTION payload carries the caller's digits, as 8x8 accounts differ:
     * "eventData.dtmf" (the default, current), "eventData" (a string, older accounts) or "dtmf".
     */
    dtmfIn?: "eventData.dtmf" | "eventData" | "dtmf";
    /** Fields added to the payload of every CALL_ACTION of the call. */
    payload?: Record<string, unknown>;
  }

  /** Options of `call.end()`: the SESSION_SUMMARY. */
  export interface EndOptions {
    /** `payload.sessionStatus` (default "COMPLETED", or "ERROR" with an errorCode). */
    status?: SessionStatus;
    /** Seconds the call lasted (default: by the clock, since `start()`). */
    duration?: number;
    /** `payload.errorDetails.errorCode`, such as -2003 (call flow invalid). */
    errorCode?: number;
    /** `payload.errorDetails.errorMsg`. */
    errorMessage?: string;
    /** `payload.lastAction` (default: from the last answer's last action). */
    lastAction?: LastAction;
    /** Fields merged into the payload. */
    payload?: Record<string, unknown>;
  }

  /** A line the handler (or the test) wrote with `ctx.log` or `console`. */
  export interface LogLine {
    readonly level: "debug" | "info" | "warn" | "error";
    readonly message: string;
    readonly fields?: LogFields;
  }

  /** The hooks a step may have run. */
  export type HookName =
    | "onCallReceived"
    | "onActionCompleted"
    | "onCallAction"
    | "onSessionSummary"
    | "onCallStatus"
    | "onRecordingUploaded"
    | "onNumbersUpdated";

  /** The outcome of one webhook of a simulated call. */
  export interface Step<S extends object = SessionData> {
    /** The webhook body posted. */
    readonly event: WebhookEvent;
    /** The hook that ran; `null` for a function handler, or when no hook takes the event. */
    readonly hook: HookName | null;
    /** The answer the server would send (CALL_ACTION only), normalized as the server sends it. */
    readonly answer: { readonly clientActionId?: string; readonly callflow: Action[] } | null;
    /** The answer's callflow, with the tenant's defaults filled in (voiceProfile, maxDigits, ...). */
    readonly callflow: Action[] | null;
    /** The answer's clientActionId, which 8x8 echoes back in the next CALL_ACTION. */
    readonly clientActionId: string | null;
    /** `ctx.session` as the engine saved it after this step (a copy). */
    readonly session: S;
    /** The lines logged while the handler ran. */
    readonly logs: readonly LogLine[];
    /** What the caller hears as speech: the text of each say and sayAndCapture, in order. */
    readonly spoken: readonly string[];
  }

  /** The outcome of a CALL_ACTION: there is always a callflow. */
  export interface CallStep<S extends object = SessionData> extends Step<S> {
    readonly event: CallActionEvent;
    readonly answer: { readonly clientActionId?: string; readonly callflow: Action[] };
    readonly callflow: Action[];
  }

  /**
   * A call in progress. Each step posts one webhook as 8x8 would (the clientActionId of the
   * previous answer echoed back), runs the hook the engine would run with the ctx it would
   * build, and validates the answer with the server's validator. A step rejects with a
   * `StepError` when the server would have answered with the fallback, and with a `TypeError`
   * when 8x8 would never send that webhook (digits when no sayAndCapture is waiting for them,
   * a step after the call hung up or ended).
   */
  export interface SimulatedCall<S extends object = SessionData> {
    /** CALL_ACTION, callStatus CALL_RECEIVED: the call reached the virtual number. */
    start(): Promise<CallStep<S>>;
    /**
     * CALL_ACTION, ACTION_COMPLETED with the keys pressed at the sayAndCapture the previous
     * answer ended with: `press("1")`, `press("4321#")`. Rejects when that sayAndCapture could
     * not report these digits (more than maxDigits, fewer than minDigits).
     */
    press(digits: string): Promise<CallStep<S>>;
    /** CALL_ACTION, ACTION_COMPLETED with no digits: the caller pressed nothing in time. */
    noInput(): Promise<CallStep<S>>;
    /** CALL_ACTION, ACTION_COMPLETED after the previous answer's actions finished; `fields` go into the payload. */
    complete(fields?: Record<string, unknown>): Promise<CallStep<S>>;
    /** CALL_STATUS with `callStatus`; `fields` go into the payload. */
    status(callStatus: CallStatusValue, fields?: Record<string, unknown>): Promise<Step<S>>;
    /** SESSION_SUMMARY: the call is over. */
    end(options?: EndOptions): Promise<Step<S>>;
    /**
     * Posts any webhook body as part of this call. Its sessionId and subAccountId are filled in
     * when missing, except where 8x8 never sends them (a numbers update belongs to no call, a
     * recording names no sub-account).
     */
    send(event: { eventType: string; payload?: Record<string, unknown>; [field: string]: unknown }): Promise<Step<S>>;
    /** `ctx.session` as the engine has saved it so far (a copy). */
    readonly session: S;
    /** The clientActionId of the last answer. */
    readonly clientActionId: string | null;
    /** The steps so far, oldest first. */
    readonly steps: readonly Step<S>[];
    readonly sessionId: string;
    readonly callId: string;
  }

  /** A handler to simulate calls to: the tenant's default export, or one of the same shape. */
  export type AnyHandler = Handler<any> | HandlerFunction<any> | { readonly default: unknown };

  /**
   * Simulates a call to the tenant's handler (the default export of its entry file):
   * `const call = simulateCall({ from: "+6591234567" })`. The options may also be a whole
   * CALL_ACTION webhook body, which `start()` posts as it is.
   */
  export function simulateCall<S extends object = SessionData>(options?: CallOptions | WebhookEvent): SimulatedCall<S>;
  /** Simulates a call to `handler`. */
  export function simulateCall<S extends object = SessionData>(
    handler: AnyHandler,
    options?: CallOptions | WebhookEvent,
  ): SimulatedCall<S>;
}
