// A tenant using every builder and option, every hook with its own event type, the dialog
// helpers, fetch and console: it must type-check under the shipped tsconfig, and build and load
// in the engine (engine/sdk/typecheck_test.go).
import {
  collectNumber,
  defineHandler,
  dialogs,
  hangup,
  makeCall,
  menu,
  playFile,
  say,
  sayAndCapture,
  type Action,
  type Answer,
  type CallActionResult,
  type Callflow,
  type Context,
  type Dialog,
  type FetchResponse,
  type HangupAction,
  type MakeCallAction,
  type PlayFileAction,
  type SayAction,
  type SayAndCaptureAction,
} from "callscript";
import { assertType, type Equal } from "./assert";
import { describeLeg, describeNumbers, describeRecording, describeSummary, digitsOf } from "./events";

// The author's own session, declared with a type alias.
type CallSession = { language?: "en" | "fr"; orders?: string[]; lookups?: number };

const AGENT = "+6560000001";

// Every builder, every option.
const greeting: SayAction = say("Welcome.", { voiceProfile: "en-GB-Emma", repetition: 2, speed: 1.25 });
const prompt: SayAndCaptureAction = sayAndCapture("Enter your PIN.", {
  voiceProfile: "en-US-Standard-A",
  minDigits: 4,
  maxDigits: 6,
  digitTimeout: 3000,
  overallTimeout: 15000,
  completeOnHash: false,
  noOfTries: 2,
  successMessage: "Thank you.",
  failureMessage: null,
  speed: 1,
  repetition: 1,
});
const music: PlayFileAction = playFile("https://example.com/hold.mp3", { repetition: 3 });
const transfer: MakeCallAction = makeCall({ source: "+6560001000", destination: AGENT, callRecording: true });
const bye: HangupAction = hangup();
const plain: Action[] = [say("Hi"), sayAndCapture("Press 1"), playFile("https://example.com/a.wav")];
assertType<Equal<typeof greeting.params.text, string>>();
assertType<Equal<typeof prompt.params.failureMessage, string | null | undefined>>();

// Actions written by hand are checked against the same union.
const byHand: Callflow = [
  { action: "say", params: { text: "Hello", voiceProfile: "en-US-Standard-A" } },
  { action: "playFile", params: { fileUrl: "https://example.com/a.mp3" } },
  { action: "makeCall", params: { source: "+6560001000", destination: AGENT } },
  { action: "hangup" },
  { action: "hangup", params: {} },
];

// Narrowing on action.
function describeAction(a: Action): string {
  switch (a.action) {
    case "say":
      return a.params.text;
    case "sayAndCapture":
      return a.params.promptMessage;
    case "playFile":
      return a.params.fileUrl;
    case "makeCall":
      return `${a.params.source} -> ${a.params.destination}`;
    case "hangup":
      return "hangup";
  }
}

// Dialogs, typed with the author's session.
const pin = collectNumber<CallSession>("pin", {
  prompt: (ctx) => (ctx.session.language === "fr" ? "Entrez votre code." : "Enter your PIN."),
  minDigits: 4,
  maxDigits: 6,
  completeOnHash: true,
  confirm: true,
  confirmPrompt: (digits) => `You entered ${digits}. Press 1 if that is right, 2 to change it.`,
  validate: async (digits, ctx) => {
    const res = await ctx.fetch(`https://crm.example.com/pins/${digits}`, { method: "HEAD" });
    return res.ok || "That PIN is not known.";
  },
  noInput: ["Sorry, I did not hear anything.", "Please type your PIN now."],
  wrongInput: "Sorry, a PIN has four to six digits.",
  maxTries: 4,
  capture: { overallTimeout: 20000, digitTimeout: 5000, voiceProfile: "en-GB-Emma", speed: 1, repetition: 1 },
  onComplete: (digits, event, ctx) => {
    ctx.session.orders = [...(ctx.session.orders ?? []), digits];
    return [
      say(`Thank you, caller ${event.payload.source}.`),
      makeCall({ source: event.payload.destination, destination: AGENT }),
    ];
  },
  onTooManyTries: (event, ctx, tries) => {
    ctx.log.warn("PIN not entered", { noInput: tries.noInput, wrongInput: tries.wrongInput });
    return [say("Goodbye."), hangup()];
  },
});

const language: Dialog<CallSession> = menu<CallSession>("language", {
  prompt: "For English, press 1. Pour le français, appuyez sur 2.",
  options: {
    "1": (event, ctx) => {
      ctx.session.language = "en";
      return pin;
    },
    "2": async (event, ctx) => {
      ctx.session.language = "fr";
      return pin.start(ctx, { before: say("Bienvenue.") });
    },
    "*": pin,
    "0": () => ({ clientActionId: "operator", callflow: [say("Please hold."), transfer] }),
    "9": () => say("Goodbye."),
  },
  maxTries: 2,
});

const router = dialogs<CallSession>([language, pin], { otherwise: language });

// Both fetches: the global one and ctx.fetch.
async function lookup(ctx: Context<CallSession>, number: string): Promise<string | undefined> {
  const res: FetchResponse = await fetch(
    `https://crm.example.com/customers?phone=${encodeURIComponent(number)}`,
    {
      method: "GET",
      headers: { accept: "application/json", authorization: String(ctx.env["CRM_TOKEN"] ?? "") },
    },
  );
  assertType<Equal<typeof res.status, number>>();
  assertType<Equal<ReturnType<typeof res.headers.get>, string | null>>();
  if (!res.ok || res.redirected || !res.headers.has("content-type")) {
    console.warn("lookup failed", res.status, res.statusText, res.url);
    return undefined;
  }
  const customer = await res.json<{ name: string }>();
  const raw: unknown = await (
    await ctx.fetch("https://crm.example.com/ping", { method: "POST", body: "{}" })
  ).json();
  console.debug(raw, await res.text());
  ctx.session.lookups = (ctx.session.lookups ?? 0) + 1;
  return customer.name;
}

export default defineHandler<CallSession>({
  async onCallReceived(event, ctx) {
    assertType<Equal<typeof event.payload.callStatus, "CALL_RECEIVED">>();
    const name = await lookup(ctx, event.payload.source);
    ctx.log.info("incoming", { name, deadline: ctx.deadline, tenant: ctx.tenant, version: ctx.version });
    const answer: Answer = language.start(ctx, { before: [greeting, music] });
    return answer;
  },
  onActionCompleted(event, ctx) {
    assertType<Equal<typeof event.payload.callStatus, "ACTION_COMPLETED">>();
    if (router.handles(ctx)) return router.continue(event, ctx);
    const digits = digitsOf(event);
    ctx.log.debug("digits", { digits, dtmf: ctx.dtmf, clientActionId: ctx.clientActionId });
    return [say(digits ?? "nothing"), bye];
  },
  onCallAction(event, ctx): CallActionResult {
    assertType<Equal<typeof event.payload.callStatus, "CALL_RECEIVED" | "ACTION_COMPLETED">>();
    console.log(
      describeLeg(event.payload),
      describeAction(prompt),
      byHand.length,
      plain.length,
      ctx.eventId,
      ctx.callId,
      ctx.sessionId,
    );
    return prompt;
  },
  onSessionSummary(event, ctx) {
    ctx.log.info(describeSummary(event));
    delete ctx.session.language;
  },
  async onCallStatus(event) {
    console.info(describeLeg(event.payload), event.payload.callStatus);
  },
  onRecordingUploaded(event, ctx) {
    ctx.log.info(describeRecording(event), { session: ctx.session.language });
  },
  onNumbersUpdated(event, ctx) {
    ctx.log.info(describeNumbers(event), { tenant: ctx.tenant });
  },
});
