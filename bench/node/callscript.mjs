// The builders of "callscript" (say, sayAndCapture, playFile, makeCall, hangup, defineHandler)
// in JavaScript, for the Node.js servers of the benchmark: callscript runs them in Go
// (engine/sdk/builders.go), and this is the same code as JavaScript, with the same checks, so
// that Node does the work callscript does. The dialog helpers are not here: the benchmark's
// IVR does not use them.
//
// Each builder returns a plain action object, {action, params}, ready to go into a callflow,
// and throws a TypeError for a misspelt option name or a text that is not a string.

// The built-ins the builders use on every call, read once before any tenant
// code runs: a tenant that replaces Object.keys does not change what the
// builders do, and a captured function is cheaper to reach than a global.
const objectKeys = Object.keys;
const getPrototypeOf = Object.getPrototypeOf;
const objectPrototype = Object.prototype;
const isArray = Array.isArray;

// The option names each builder accepts, in the order they are written out.
const SAY_OPTIONS = ["voiceProfile", "repetition", "speed"];
const SAY_AND_CAPTURE_OPTIONS = [
  "voiceProfile",
  "minDigits",
  "maxDigits",
  "digitTimeout",
  "overallTimeout",
  "completeOnHash",
  "noOfTries",
  "successMessage",
  "failureMessage",
  "speed",
  "repetition",
];
const PLAY_FILE_OPTIONS = ["repetition"];
const MAKE_CALL_OPTIONS = ["source", "destination", "callRecording"];

// describe names a value's type for an error message: "a number (42)".
function describe(value) {
  if (value === null) return "null";
  if (value === undefined) return "undefined";
  if (isArray(value)) return "an array";
  switch (typeof value) {
    case "string":
      return `a string (${JSON.stringify(value.length > 40 ? value.slice(0, 40) + "..." : value)})`;
    case "number":
    case "boolean":
    case "bigint":
      return `a ${typeof value} (${String(value)})`;
    case "function":
      return "a function";
    case "symbol":
      return "a symbol";
    default:
      return "an object";
  }
}

// editDistance is the Levenshtein distance between two short strings.
function editDistance(a, b) {
  let previous = [];
  for (let j = 0; j <= b.length; j++) previous.push(j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(previous[j] + 1, current[j - 1] + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length];
}

// suggest returns the known option closest to a misspelt one, or "".
function suggest(name, known) {
  const lower = name.toLowerCase();
  let best = "";
  let bestDistance = 3; // more than two edits away is not a typo
  for (const candidate of known) {
    if (candidate.toLowerCase() === lower) return candidate;
    const distance = editDistance(lower, candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

function requireString(builder, name, value) {
  if (typeof value !== "string") {
    throw new TypeError(`${builder}: ${name} must be a string, got ${describe(value)}`);
  }
}

// lookup maps each of names to its position: an object without a prototype,
// so that a miss ends at once and no name such as "toString" is found on
// Object.prototype.
function lookup(names) {
  const positions = Object.create(null);
  for (let i = 0; i < names.length; i++) positions[names[i]] = i;
  return Object.freeze(positions);
}

const SAY_KNOWN = lookup(SAY_OPTIONS);
const SAY_AND_CAPTURE_KNOWN = lookup(SAY_AND_CAPTURE_OPTIONS);
const PLAY_FILE_KNOWN = lookup(PLAY_FILE_OPTIONS);
const MAKE_CALL_KNOWN = lookup(MAKE_CALL_OPTIONS);

// rejectUnknown throws a TypeError naming the first key of object that is not
// in known, with the closest known key as a hint. noun is "option" or
// "setting", as the author would call the key.
// (Index loops rather than for...of: builders run on every call, and goja's iterator protocol
// costs an object per step.)
function rejectUnknown(where, object, known, noun) {
  const names = objectKeys(object);
  for (let i = 0; i < names.length; i++) {
    if (!known.includes(names[i])) throwUnknown(where, names[i], known, noun);
  }
}

function throwUnknown(where, name, known, noun) {
  const hint = suggest(name, known);
  throw new TypeError(
    hint
      ? `${where}: unknown ${noun} "${name}"; did you mean "${hint}"?`
      : `${where}: unknown ${noun} "${name}"; the ${noun}s are ${known.join(", ")}`,
  );
}

function isPlainObject(value) {
  return value !== null && typeof value === "object" && !isArray(value);
}

// copyOptions copies the options that are not undefined into params, in the
// builder's order (known lists the options, positions is lookup(known)), and
// rejects any option the builder does not know.
function copyOptions(builder, options, known, positions, params) {
  if (options === undefined || options === null) return params;
  if (typeof options !== "object" || isArray(options)) {
    throw new TypeError(
      `${builder}: options must be an object such as { ${known[0]}: ... }, got ${describe(options)}`,
    );
  }
  const proto = getPrototypeOf(options);
  if (proto !== objectPrototype && proto !== null) {
    // A class instance or an object made from another: its options may be inherited or
    // getters, which only reading every known option finds.
    rejectUnknown(builder, options, known, "option");
    for (let i = 0; i < known.length; i++) {
      const value = options[known[i]];
      if (value !== undefined) params[known[i]] = value;
    }
    return params;
  }
  // Options written in the builder's order (the usual case) are copied as they
  // are; others are put in order first.
  const names = objectKeys(options);
  let last = -1;
  let inOrder = true;
  for (let i = 0; i < names.length; i++) {
    const position = positions[names[i]];
    if (position === undefined) throwUnknown(builder, names[i], known, "option");
    if (position < last) inOrder = false;
    last = position;
  }
  if (!inOrder) names.sort((a, b) => positions[a] - positions[b]);
  for (let i = 0; i < names.length; i++) {
    const value = options[names[i]];
    if (value !== undefined) params[names[i]] = value;
  }
  return params;
}

// say speaks text: say("Welcome", { voiceProfile: "en-US-Standard-A" }).
export function say(text, options) {
  requireString("say", "text", text);
  return { action: "say", params: copyOptions("say", options, SAY_OPTIONS, SAY_KNOWN, { text }) };
}

// sayAndCapture speaks promptMessage and collects DTMF digits; the digits come
// back as ctx.dtmf in the next CALL_ACTION.
export function sayAndCapture(promptMessage, options) {
  requireString("sayAndCapture", "promptMessage", promptMessage);
  return {
    action: "sayAndCapture",
    params: copyOptions("sayAndCapture", options, SAY_AND_CAPTURE_OPTIONS, SAY_AND_CAPTURE_KNOWN, { promptMessage }),
  };
}

// playFile plays the mp3 or wav file at an http(s) URL.
export function playFile(fileUrl, options) {
  requireString("playFile", "fileUrl", fileUrl);
  return { action: "playFile", params: copyOptions("playFile", options, PLAY_FILE_OPTIONS, PLAY_FILE_KNOWN, { fileUrl }) };
}

// makeCall bridges the call: makeCall({ source: "+6560000000", destination: "+6560000001" }).
export function makeCall(options) {
  if (options === null || typeof options !== "object" || isArray(options)) {
    throw new TypeError(
      `makeCall: expects an object such as { source: "+6560000000", destination: "+6560000001" }, got ${describe(options)}`,
    );
  }
  const params = copyOptions("makeCall", options, MAKE_CALL_OPTIONS, MAKE_CALL_KNOWN, {});
  requireString("makeCall", "source", options.source);
  requireString("makeCall", "destination", options.destination);
  return { action: "makeCall", params };
}

// hangup ends the call; it belongs last in a callflow.
export function hangup() {
  return { action: "hangup" };
}

// defineHandler returns the handler it is given. It does nothing at run time:
// it exists so that TypeScript knows the types of event and ctx in
// `export default defineHandler({ onCallReceived(event, ctx) { ... } })`.
export function defineHandler(handler) {
  return handler;
}
