// "callscript": the dialog helpers of the built-in module of callscript tenant
// scripts.
//
// The module's builders (say, sayAndCapture, playFile, makeCall, hangup and
// defineHandler) are written in Go, in builders.go: every call runs them. This
// file is the rest of the module, run in a runtime the first time its tenant
// uses one of its exports (see bundle.SDKProgram). host(name) returns the Go
// part of the module called name: a builder, or one of the helpers below.

const say = host("say");
const sayAndCapture = host("sayAndCapture");
const hangup = host("hangup");

// describe names a value's type for an error message: "a number (42)".
const describe = host("describe");
// rejectUnknown(where, object, known, noun) throws a TypeError naming the
// first key of object that is not in known, with the closest known key as a
// hint. noun is "option" or "setting", as the author would call the key.
const rejectUnknown = host("rejectUnknown");
// The sayAndCapture options, in the builder's order.
const SAY_AND_CAPTURE_OPTIONS = host("sayAndCaptureOptions");

// The built-ins used most here, read once, when a tenant first uses a dialog
// helper (a script that replaces Object.keys before that changes what the
// helpers do; one that replaces it later does not).
const objectKeys = Object.keys;
const isArray = Array.isArray;

function isPlainObject(value) {
  return value !== null && typeof value === "object" && !isArray(value);
}

// ---------------------------------------------------------------------------
// Dialog helpers: a menu and the collection of a number, with the no-input
// and wrong-input counting, escalating re-prompts and final action that every
// IVR otherwise writes by hand.
//
// A dialog asks with a sayAndCapture whose clientActionId is the dialog's
// name; 8x8 sends that name back with the caller's keys, and continue() takes
// it from there. Between the two webhooks the dialog's counters live in
// ctx.session under one key of its own, STATE_KEY. Only the dialog that is
// waiting for the caller's keys has state, so the key holds at most one small
// object: { dialog, phase, noInput, wrongInput, digits? }. A dialog deletes it
// before it hands over to the author's code, which may start the next one.

const STATE_KEY = "__callscript";

// DIALOG marks the objects that menu() and collectNumber() return.
const DIALOG = Symbol("callscript.dialog");

const DEFAULT_MAX_TRIES = 3;
const DEFAULT_NO_INPUT = ["Sorry, I did not hear anything."];
const DEFAULT_WRONG_CHOICE = ["Sorry, that is not a valid choice."];
const DEFAULT_WRONG_NUMBER = ["Sorry, that is not a valid entry."];
const DEFAULT_GIVE_UP = "Sorry, we could not understand your answer. Please call again later. Goodbye.";

const MENU_SETTINGS = ["prompt", "options", "noInput", "wrongInput", "maxTries", "onTooManyTries", "capture"];
const COLLECT_NUMBER_SETTINGS = [
  "prompt",
  "minDigits",
  "maxDigits",
  "completeOnHash",
  "validate",
  "confirm",
  "confirmPrompt",
  "noInput",
  "wrongInput",
  "maxTries",
  "onComplete",
  "onTooManyTries",
  "capture",
];
// The sayAndCapture options a dialog passes on; it sets the others itself
// (maxDigits from its keys or settings, noOfTries 1 because the dialog does
// the re-prompting).
const CAPTURE_OPTIONS = ["voiceProfile", "speed", "repetition", "digitTimeout", "overallTimeout"];
const START_OPTIONS = ["before"];
const ROUTER_SETTINGS = ["otherwise"];
// The keys of a collectNumber confirmation.
const CONFIRM_KEY = "1";
const REENTER_KEY = "2";

function isDialog(value) {
  return value !== null && typeof value === "object" && value[DIALOG] === true;
}

function isThenable(value) {
  return (
    value !== null &&
    (typeof value === "object" || typeof value === "function") &&
    typeof value.then === "function"
  );
}

// then applies next to value, or to what value resolves to when it is a
// promise: the author's hooks may be async or not.
function then(value, next) {
  return isThenable(value) ? value.then(next) : next(value);
}

// spell spaces out digits so that text to speech reads them one by one.
function spell(digits) {
  return digits.split("").join(" ");
}

function checkDialogName(kind, id) {
  if (typeof id !== "string" || !/^[\x20-\x7e]{1,128}$/.test(id)) {
    throw new TypeError(
      `${kind}: the first argument is the dialog's name, sent to 8x8 as its clientActionId: ` +
        `1 to 128 printable ASCII characters such as "main_menu", got ${describe(id)}`,
    );
  }
}

function checkSettings(where, settings, known, example) {
  if (!isPlainObject(settings)) {
    throw new TypeError(
      `${where}: the settings must be an object such as ${example}, got ${describe(settings)}`,
    );
  }
  rejectUnknown(where, settings, known, "setting");
}

function checkFunction(where, name, value) {
  if (typeof value !== "function") {
    throw new TypeError(`${where}: ${name} must be a function, got ${describe(value)}`);
  }
}

function checkPrompt(where, name, value) {
  if (typeof value === "function") return;
  if (typeof value !== "string" || value === "") {
    throw new TypeError(
      `${where}: ${name} must be the text to say (a non-empty string) or a function (ctx) => text, got ${describe(value)}`,
    );
  }
}

function wholeNumber(where, name, value, min, max, fallback) {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new TypeError(
      `${where}: ${name} must be a whole number from ${min} to ${max}, got ${describe(value)}`,
    );
  }
  return value;
}

// messagesOf reads noInput or wrongInput: one message, or a list of messages
// to use in turn (the last one again once the list runs out).
function messagesOf(where, name, value, fallback) {
  if (value === undefined) return fallback;
  if (typeof value === "string") return [value];
  if (!isArray(value)) {
    throw new TypeError(
      `${where}: ${name} must be a message or a list of messages such as ["Sorry, I did not hear anything."], got ${describe(value)}`,
    );
  }
  value.forEach((message, i) => {
    if (typeof message !== "string") {
      throw new TypeError(`${where}: ${name}[${i}] must be a string, got ${describe(message)}`);
    }
  });
  return value.slice();
}

// captureOf reads the capture setting: sayAndCapture options for every prompt
// of the dialog.
function captureOf(where, value) {
  if (value === undefined) return {};
  if (!isPlainObject(value)) {
    throw new TypeError(
      `${where}: capture must be an object such as { overallTimeout: 8000 }, got ${describe(value)}`,
    );
  }
  for (const name of objectKeys(value)) {
    if (SAY_AND_CAPTURE_OPTIONS.includes(name) && !CAPTURE_OPTIONS.includes(name)) {
      throw new TypeError(
        `${where}: capture.${name} is set by the dialog itself; the capture options are ${CAPTURE_OPTIONS.join(", ")}`,
      );
    }
  }
  rejectUnknown(`${where}: capture`, value, CAPTURE_OPTIONS, "option");
  const out = {};
  for (const name of CAPTURE_OPTIONS) {
    if (value[name] !== undefined) out[name] = value[name];
  }
  return out;
}

function sessionOf(where, ctx) {
  const session = ctx.session;
  if (session === null || typeof session !== "object") {
    throw new Error(
      `${where}: ctx.session is not available for this event (it carries no sessionId), so the dialog has nowhere to keep its counters`,
    );
  }
  return session;
}

function checkContext(where, ctx, args) {
  if (ctx === null || typeof ctx !== "object" || !("clientActionId" in ctx)) {
    throw new TypeError(
      `${where}: expects ${args}, with the ctx your hook received; got ${describe(ctx)} for ctx`,
    );
  }
}

// newDialog builds the object that menu() and collectNumber() return. flow
// supplies what differs between them: the first phase, the question and the
// capture options of a phase, and step(), which handles the caller's entry.
// step gets the tools it needs to answer: ask, retry, finish and done.
function newDialog(kind, id, common, flow) {
  const label = `${kind} ${JSON.stringify(id)}`;

  // stateOf is the dialog's state in this call, or undefined when the dialog
  // is not the one waiting for the caller's keys.
  function stateOf(ctx) {
    const session = ctx.session;
    if (session === null || typeof session !== "object") return undefined;
    const state = session[STATE_KEY];
    if (!isPlainObject(state) || state.dialog !== id || typeof state.phase !== "string") return undefined;
    return state;
  }

  // ask answers with the question of the current phase, after message (an
  // apology for the last entry) and the before actions.
  function ask(state, ctx, message, before) {
    const question = flow.question(state, ctx);
    if (typeof question !== "string" || question === "") {
      const source = state.phase === "confirm" ? "confirmPrompt" : "prompt";
      throw new TypeError(`${label}: ${source} must return the text to say, got ${describe(question)}`);
    }
    const callflow = before === undefined ? [] : [].concat(before);
    callflow.push(sayAndCapture(message ? `${message} ${question}` : question, flow.capture(state)));
    return { clientActionId: id, callflow };
  }

  // finish hands the call over to one of the author's hooks once the dialog
  // is done with it: the hook may answer with a callflow or with a dialog to
  // start, and may be async.
  function finish(where, result, ctx) {
    return then(result, (value) => {
      if (isDialog(value)) return value.start(ctx);
      if (value === undefined || value === null) {
        throw new Error(
          `${label}: ${where} returned ${value}; it must return a callflow (an array of actions), one action, ` +
            `{ clientActionId, callflow }, or a dialog to start`,
        );
      }
      return value;
    });
  }

  function done(ctx) {
    delete ctx.session[STATE_KEY];
  }

  // retry counts a failed entry (kind is "noInput" or "wrongInput") and asks
  // again with the next message of that kind, or gives up after maxTries
  // failed entries of both kinds together.
  function retry(kind, state, event, ctx, message) {
    state[kind] += 1;
    if (state.noInput + state.wrongInput >= common.maxTries) {
      const tries = { noInput: state.noInput, wrongInput: state.wrongInput };
      done(ctx);
      return finish("onTooManyTries", common.onTooManyTries(event, ctx, tries), ctx);
    }
    if (message === undefined) {
      const messages = common[kind];
      message = messages[Math.min(state[kind], messages.length) - 1] ?? "";
    }
    return ask(state, ctx, message);
  }

  function start(ctx, options) {
    checkContext(`${label}.start`, ctx, "(ctx) or (ctx, { before })");
    let before;
    if (options !== undefined) {
      if (!isPlainObject(options)) {
        throw new TypeError(
          `${label}.start: options must be an object such as { before: [say("Welcome.")] }, got ${describe(options)}`,
        );
      }
      rejectUnknown(`${label}.start`, options, START_OPTIONS, "option");
      before = options.before;
    }
    const state = { dialog: id, phase: flow.first, noInput: 0, wrongInput: 0 };
    sessionOf(label, ctx)[STATE_KEY] = state;
    return ask(state, ctx, "", before);
  }

  function handles(ctx) {
    return ctx !== null && typeof ctx === "object" && ctx.clientActionId === id && stateOf(ctx) !== undefined;
  }

  function continueDialog(event, ctx) {
    checkContext(`${label}.continue`, ctx, "(event, ctx)");
    const state = ctx.clientActionId === id ? stateOf(ctx) : undefined;
    if (state === undefined) {
      throw new Error(
        `${label} is not waiting for the caller's keys in this call (ctx.clientActionId is ${JSON.stringify(ctx.clientActionId)}); ` +
          `ask its handles(ctx) first, or route with dialogs([...])`,
      );
    }
    const entry = typeof ctx.dtmf === "string" && ctx.dtmf !== "" ? ctx.dtmf : null;
    return flow.step(state, entry, event, ctx, { ask, retry, finish, done });
  }

  const dialog = { id, kind, start, handles, continue: continueDialog };
  Object.defineProperty(dialog, DIALOG, { value: true });
  return Object.freeze(dialog);
}

// menu is a dialog that offers keys to press:
//
//   const main = menu("main", {
//     prompt: "For sales, press 1. For support, press 2.",
//     options: { "1": (event, ctx) => [...], "2": support },
//     noInput: ["Sorry, I did not hear anything.", "Please press a key now."],
//     wrongInput: "Sorry, that is not a valid choice.",
//     maxTries: 3,
//     onTooManyTries: (event, ctx) => [say("Goodbye."), hangup()],
//   });
//
// main.start(ctx) asks; main.continue(event, ctx) handles the key pressed.
export function menu(id, settings) {
  checkDialogName("menu", id);
  const where = `menu ${JSON.stringify(id)}`;
  checkSettings(where, settings, MENU_SETTINGS, '{ prompt: "For sales, press 1.", options: { "1": ... } }');
  checkPrompt(where, "prompt", settings.prompt);
  if (!isPlainObject(settings.options) || objectKeys(settings.options).length === 0) {
    throw new TypeError(
      `${where}: options must map each key to what happens when it is pressed, such as { "1": (event, ctx) => [...] }, got ${describe(settings.options)}`,
    );
  }
  const choices = Object.create(null);
  let longest = 1;
  let hashInKeys = false;
  for (const key of objectKeys(settings.options)) {
    if (!/^[0-9*#]{1,25}$/.test(key)) {
      throw new TypeError(
        `${where}: option ${JSON.stringify(key)} is not a key of a phone: use 1 to 25 of 0-9, * and #`,
      );
    }
    const choice = settings.options[key];
    if (typeof choice !== "function" && !isDialog(choice)) {
      throw new TypeError(
        `${where}: option "${key}" must be a function (event, ctx) => callflow, or a dialog to start, got ${describe(choice)}`,
      );
    }
    choices[key] = choice;
    longest = Math.max(longest, key.length);
    hashInKeys ||= key.includes("#");
  }
  const common = {
    maxTries: wholeNumber(where, "maxTries", settings.maxTries, 1, 100, DEFAULT_MAX_TRIES),
    noInput: messagesOf(where, "noInput", settings.noInput, DEFAULT_NO_INPUT),
    wrongInput: messagesOf(where, "wrongInput", settings.wrongInput, DEFAULT_WRONG_CHOICE),
    onTooManyTries: settings.onTooManyTries ?? (() => [say(DEFAULT_GIVE_UP), hangup()]),
  };
  checkFunction(where, "onTooManyTries", common.onTooManyTries);
  const capture = captureOf(where, settings.capture);
  const prompt = settings.prompt;

  return newDialog("menu", id, common, {
    first: "choose",
    question: (state, ctx) => (typeof prompt === "function" ? prompt(ctx) : prompt),
    capture: () => {
      const options = { ...capture, maxDigits: longest, noOfTries: 1 };
      if (hashInKeys) options.completeOnHash = false; // # is a choice, not the end of the entry
      return options;
    },
    step(state, entry, event, ctx, { retry, finish, done }) {
      if (entry === null) return retry("noInput", state, event, ctx);
      let key = entry;
      if (!(key in choices) && key.endsWith("#") && key.slice(0, -1) in choices) key = key.slice(0, -1);
      if (!(key in choices)) return retry("wrongInput", state, event, ctx);
      done(ctx);
      const choice = choices[key];
      if (isDialog(choice)) return choice.start(ctx);
      return finish(`option "${key}"`, choice(event, ctx), ctx);
    },
  });
}

// collectNumber is a dialog that collects a number typed on the keypad and
// reads it back for confirmation:
//
//   const account = collectNumber("account", {
//     prompt: "Please enter your account number, then press hash.",
//     minDigits: 6,
//     maxDigits: 10,
//     onComplete: (number, event, ctx) => [...],
//   });
//
// account.start(ctx) asks; account.continue(event, ctx) handles each entry.
export function collectNumber(id, settings) {
  checkDialogName("collectNumber", id);
  const where = `collectNumber ${JSON.stringify(id)}`;
  checkSettings(
    where,
    settings,
    COLLECT_NUMBER_SETTINGS,
    '{ prompt: "Enter your PIN.", maxDigits: 4, onComplete: ... }',
  );
  checkPrompt(where, "prompt", settings.prompt);
  if (settings.maxDigits === undefined) {
    throw new TypeError(`${where}: maxDigits is required: the most digits the number may have, 1 to 25`);
  }
  const maxDigits = wholeNumber(where, "maxDigits", settings.maxDigits, 1, 25);
  const minDigits = wholeNumber(where, "minDigits", settings.minDigits, 1, 25, 1);
  if (minDigits > maxDigits) {
    throw new TypeError(`${where}: minDigits (${minDigits}) must not be more than maxDigits (${maxDigits})`);
  }
  const completeOnHash = settings.completeOnHash ?? true;
  if (typeof completeOnHash !== "boolean") {
    throw new TypeError(`${where}: completeOnHash must be true or false, got ${describe(completeOnHash)}`);
  }
  const confirm = settings.confirm ?? true;
  if (typeof confirm !== "boolean") {
    throw new TypeError(`${where}: confirm must be true or false, got ${describe(confirm)}`);
  }
  const confirmPrompt =
    settings.confirmPrompt ??
    ((digits) =>
      `You entered ${spell(digits)}. Press ${CONFIRM_KEY} to confirm, or ${REENTER_KEY} to enter it again.`);
  checkFunction(where, "confirmPrompt", confirmPrompt);
  checkFunction(where, "onComplete", settings.onComplete);
  const onComplete = settings.onComplete;
  const validate = settings.validate;
  if (validate !== undefined) checkFunction(where, "validate", validate);
  const common = {
    maxTries: wholeNumber(where, "maxTries", settings.maxTries, 1, 100, DEFAULT_MAX_TRIES),
    noInput: messagesOf(where, "noInput", settings.noInput, DEFAULT_NO_INPUT),
    wrongInput: messagesOf(where, "wrongInput", settings.wrongInput, DEFAULT_WRONG_NUMBER),
    onTooManyTries: settings.onTooManyTries ?? (() => [say(DEFAULT_GIVE_UP), hangup()]),
  };
  checkFunction(where, "onTooManyTries", common.onTooManyTries);
  const capture = captureOf(where, settings.capture);
  const prompt = settings.prompt;

  return newDialog("collectNumber", id, common, {
    first: "enter",
    question: (state, ctx) => {
      if (state.phase === "confirm") return confirmPrompt(state.digits, ctx);
      return typeof prompt === "function" ? prompt(ctx) : prompt;
    },
    capture: (state) =>
      state.phase === "confirm"
        ? { ...capture, maxDigits: 1, noOfTries: 1 }
        : { ...capture, maxDigits, completeOnHash, noOfTries: 1 },
    step(state, entry, event, ctx, { ask, retry, finish, done }) {
      const complete = (digits) => {
        done(ctx);
        return finish("onComplete", onComplete(digits, event, ctx), ctx);
      };
      if (state.phase === "confirm") {
        const key = entry === null ? null : entry.replace(/#$/, "");
        if (key === null || key === "") return retry("noInput", state, event, ctx);
        if (key === CONFIRM_KEY && typeof state.digits === "string") return complete(state.digits);
        if (key === REENTER_KEY) {
          state.phase = "enter";
          delete state.digits;
          return ask(state, ctx, "");
        }
        return retry("wrongInput", state, event, ctx);
      }
      let digits = entry ?? "";
      if (completeOnHash && digits.endsWith("#")) digits = digits.slice(0, -1);
      if (digits === "") return retry("noInput", state, event, ctx);
      if (!/^[0-9]+$/.test(digits) || digits.length < minDigits || digits.length > maxDigits) {
        return retry("wrongInput", state, event, ctx);
      }
      const accept = () => {
        if (!confirm) return complete(digits);
        state.phase = "confirm";
        state.digits = digits;
        return ask(state, ctx, "");
      };
      if (validate === undefined) return accept();
      return then(validate(digits, ctx), (verdict) => {
        if (verdict === true) return accept();
        if (verdict === false) return retry("wrongInput", state, event, ctx);
        if (typeof verdict === "string" && verdict !== "")
          return retry("wrongInput", state, event, ctx, verdict);
        throw new TypeError(
          `${where}: validate must return true, false or a message to say, got ${describe(verdict)}`,
        );
      });
    },
  });
}

// dialogs routes the caller's keys to the dialog that asked for them:
//
//   const ivr = dialogs([main, account], { otherwise: (event, ctx) => main.start(ctx) });
//   export default { onCallReceived: (event, ctx) => main.start(ctx), onActionCompleted: ivr.continue };
//
// Without otherwise, an answer that no dialog is waiting for is an error (and
// the caller hears the tenant's fallback).
export function dialogs(list, settings) {
  if (!isArray(list)) {
    throw new TypeError(
      `dialogs: expects a list of dialogs such as dialogs([mainMenu, accountNumber]), got ${describe(list)}`,
    );
  }
  const byId = new Map();
  list.forEach((dialog, i) => {
    if (!isDialog(dialog)) {
      throw new TypeError(
        `dialogs: item ${i} of the list is not a dialog made by menu() or collectNumber(), got ${describe(dialog)}`,
      );
    }
    if (byId.has(dialog.id)) {
      throw new TypeError(
        `dialogs: two dialogs are named "${dialog.id}"; each needs a name of its own, which is its clientActionId`,
      );
    }
    byId.set(dialog.id, dialog);
  });
  let otherwise;
  if (settings !== undefined) {
    checkSettings("dialogs", settings, ROUTER_SETTINGS, "{ otherwise: (event, ctx) => ... }");
    otherwise = settings.otherwise;
    if (otherwise !== undefined && typeof otherwise !== "function" && !isDialog(otherwise)) {
      throw new TypeError(
        `dialogs: otherwise must be a function (event, ctx) => callflow, or a dialog to start, got ${describe(otherwise)}`,
      );
    }
  }

  function waiting(ctx) {
    if (ctx === null || typeof ctx !== "object" || typeof ctx.clientActionId !== "string") return undefined;
    const dialog = byId.get(ctx.clientActionId);
    return dialog !== undefined && dialog.handles(ctx) ? dialog : undefined;
  }

  function continueRoute(event, ctx) {
    checkContext("dialogs.continue", ctx, "(event, ctx)");
    const dialog = waiting(ctx);
    if (dialog !== undefined) return dialog.continue(event, ctx);
    if (otherwise === undefined) {
      throw new Error(
        `dialogs: no dialog is waiting for this answer (ctx.clientActionId is ${JSON.stringify(ctx.clientActionId)}; ` +
          `the dialogs are ${[...byId.keys()].join(", ") || "none"}); handle it with dialogs([...], { otherwise })`,
      );
    }
    if (isDialog(otherwise)) return otherwise.start(ctx);
    return then(otherwise(event, ctx), (value) => {
      if (isDialog(value)) return value.start(ctx);
      if (value === undefined || value === null) {
        throw new Error(
          `dialogs: otherwise returned ${value}; it must return a callflow, one action, { clientActionId, callflow }, or a dialog to start`,
        );
      }
      return value;
    });
  }

  return Object.freeze({
    handles: (ctx) => waiting(ctx) !== undefined,
    continue: continueRoute,
    get: (id) => byId.get(id),
  });
}
