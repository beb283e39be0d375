// "callscript": the built-in module of callscript tenant scripts.
//
// Each builder returns a plain action object, {action, params}, ready to go
// into a callflow. Builders only catch mistakes that are certain at the call
// site (a misspelt option name, a text that is not a string); every other
// rule of the callflow, and the defaults from tenant.json (voiceProfile, and
// sayAndCapture's maxDigits, overallTimeout and noOfTries), are applied by
// the engine when the callflow is answered, so builders never invent values.

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
  if (Array.isArray(value)) return "an array";
  switch (typeof value) {
    case "string":
      return `a string (${JSON.stringify(value.length > 40 ? value.slice(0, 40) + "..." : value)})`;
    case "number":
    case "boolean":
    case "bigint":
      return `a ${typeof value} (${String(value)})`;
    case "function":
      return "a function";
    default:
      return `an ${typeof value}`;
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

// copyOptions copies the known options that are not undefined into params,
// in the builder's order, and rejects any option it does not know.
function copyOptions(builder, options, known, params) {
  if (options === undefined || options === null) return params;
  if (typeof options !== "object" || Array.isArray(options)) {
    throw new TypeError(
      `${builder}: options must be an object such as { ${known[0]}: ... }, got ${describe(options)}`,
    );
  }
  for (const name of Object.keys(options)) {
    if (!known.includes(name)) {
      const hint = suggest(name, known);
      throw new TypeError(
        hint
          ? `${builder}: unknown option "${name}"; did you mean "${hint}"?`
          : `${builder}: unknown option "${name}"; the options are ${known.join(", ")}`,
      );
    }
  }
  for (const name of known) {
    const value = options[name];
    if (value !== undefined) params[name] = value;
  }
  return params;
}

// say speaks text: say("Welcome", { voiceProfile: "en-US-Standard-A" }).
export function say(text, options) {
  requireString("say", "text", text);
  return { action: "say", params: copyOptions("say", options, SAY_OPTIONS, { text }) };
}

// sayAndCapture speaks promptMessage and collects DTMF digits; the digits come
// back as ctx.dtmf in the next CALL_ACTION.
export function sayAndCapture(promptMessage, options) {
  requireString("sayAndCapture", "promptMessage", promptMessage);
  return {
    action: "sayAndCapture",
    params: copyOptions("sayAndCapture", options, SAY_AND_CAPTURE_OPTIONS, { promptMessage }),
  };
}

// playFile plays the mp3 or wav file at an http(s) URL.
export function playFile(fileUrl, options) {
  requireString("playFile", "fileUrl", fileUrl);
  return { action: "playFile", params: copyOptions("playFile", options, PLAY_FILE_OPTIONS, { fileUrl }) };
}

// makeCall bridges the call: makeCall({ source: "+6560000000", destination: "+6560000001" }).
export function makeCall(options) {
  if (options === null || typeof options !== "object" || Array.isArray(options)) {
    throw new TypeError(
      `makeCall: expects an object such as { source: "+6560000000", destination: "+6560000001" }, got ${describe(options)}`,
    );
  }
  const params = copyOptions("makeCall", options, MAKE_CALL_OPTIONS, {});
  requireString("makeCall", "source", options.source);
  requireString("makeCall", "destination", options.destination);
  return { action: "makeCall", params };
}

// hangup ends the call; it belongs last in a callflow.
export function hangup() {
  return { action: "hangup" };
}

// Dialog helpers (menus with re-prompts, confirmations) are added below the
// builders they are made of.
