// "callscript/test": the test API of callscript test files (*.test.ts, *.test.js).
//
// `callscript test` bundles each test file with the tenant's own modules and runs it in the
// engine's JavaScript runtime. This module registers the tests, checks expectations, and
// simulates calls: simulateCall builds the webhooks 8x8 would post, runs the handler as the
// server does (the same hook routing, the same ctx, ctx.session saved only when the handler
// succeeded), and validates every callflow with the server's own validator.
//
// The runner provides the host object below before the bundle runs; it does what JavaScript
// cannot: locate the author's file and line, route events and build ctx as the engine does,
// validate callflows, control the clock and enforce the tenant's fetch policy.

const host = globalThis.__callscript_test_host;
if (!host) {
  throw new Error('"callscript/test" works only in test files run by `callscript test`');
}

// ---------------------------------------------------------------------------------------------
// Describing values in failure messages.

const MAX_SHOWN = 240;

// show renders a value for a failure message, shortened: "Hi", 42, [1, 2], { a: 1 }.
function show(value) {
  const text = render(value, 0, new Set());
  return text.length > MAX_SHOWN ? text.slice(0, MAX_SHOWN - 1) + "…" : text;
}

function render(value, depth, seen) {
  switch (typeof value) {
    case "string":
      return JSON.stringify(value);
    case "bigint":
      return `${value}n`;
    case "symbol":
      return value.toString();
    case "function":
      return value.name ? `[Function ${value.name}]` : "[Function]";
    case "undefined":
      return "undefined";
    case "number":
      return Object.is(value, -0) ? "-0" : String(value);
    case "boolean":
      return String(value);
  }
  if (value === null) return "null";
  if (value instanceof Date) return isNaN(value.getTime()) ? "Invalid Date" : `Date(${value.toISOString()})`;
  if (value instanceof RegExp) return String(value);
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  if (seen.has(value)) return "[Circular]";
  if (depth > 4) return Array.isArray(value) ? "[…]" : "{…}";
  seen.add(value);
  try {
    if (Array.isArray(value)) {
      return `[${value.map((item) => render(item, depth + 1, seen)).join(", ")}]`;
    }
    if (value instanceof Map) {
      const entries = [...value].map(([k, v]) => `${render(k, depth + 1, seen)} => ${render(v, depth + 1, seen)}`);
      return `Map {${entries.join(", ")}}`;
    }
    if (value instanceof Set) {
      return `Set {${[...value].map((item) => render(item, depth + 1, seen)).join(", ")}}`;
    }
    if (typeof value.then === "function") return "Promise";
    const keys = Object.keys(value);
    if (keys.length === 0) return "{}";
    const members = keys.map((key) => `${/^[A-Za-z_$][\w$]*$/.test(key) ? key : JSON.stringify(key)}: ${render(value[key], depth + 1, seen)}`);
    return `{ ${members.join(", ")} }`;
  } finally {
    seen.delete(value);
  }
}

// describeType names what a value is: "a string", "an array", "null".
function describeType(value) {
  if (value === null) return "null";
  if (value === undefined) return "undefined";
  if (Array.isArray(value)) return "an array";
  const type = typeof value;
  return type === "object" ? "an object" : `a ${type}`;
}

// unknownOption says an option is not known, suggesting the known one it is closest to.
function unknownOption(what, name, known) {
  const distance = (a, b) => {
    let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
      const current = [i];
      for (let j = 1; j <= b.length; j++) {
        current.push(Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1)));
      }
      previous = current;
    }
    return previous[b.length];
  };
  const near = known.filter((k) => distance(name.toLowerCase(), k.toLowerCase()) <= 2);
  return near.length > 0
    ? `${what}: unknown option "${name}"; did you mean "${near[0]}"?`
    : `${what}: unknown option "${name}"; the options are ${known.join(", ")}`;
}

// ---------------------------------------------------------------------------------------------
// Failures.

// AssertionError is what a failed expectation throws. The runner reports it at the line of the
// expectation in the author's test file.
export class AssertionError extends Error {
  constructor(message) {
    super(message);
    this.name = "AssertionError";
  }
}

// StepError is what a step of a simulated call rejects with when the server would not have
// answered with the script's own callflow: the handler threw, returned no callflow or an
// invalid one, ran past the tenant's time budget, or left ctx.session unsaveable.
export class StepError extends Error {
  constructor(message) {
    super(message);
    this.name = "StepError";
  }
}

// fail throws an AssertionError located at site (a "file:line:col" from host.where()).
function fail(message, site, detail) {
  const error = new AssertionError(message);
  host.tag(error, site, detail);
  throw error;
}

// stepFailed throws a StepError located at site, the step's call in the test.
function stepFailed(message, site, detail) {
  const error = new StepError(message);
  host.tag(error, site, detail);
  throw error;
}

// misuse throws a TypeError for a wrong use of this module, located at site.
function misuse(message, site) {
  const error = new TypeError(message);
  host.tag(error, site, "");
  throw error;
}

// ---------------------------------------------------------------------------------------------
// Tests.

const groups = [];

// test registers a test: test("caller reaches sales", async () => { ... }). The optional third
// argument is { timeout: ms } or the timeout in milliseconds.
export function test(name, fn, options) {
  register(name, fn, options, "");
}

// test.skip registers a test that is reported as skipped and not run.
test.skip = function skip(name, fn, options) {
  register(name, fn, options, "skip");
};

// test.only runs only the tests of this file marked so.
test.only = function only(name, fn, options) {
  register(name, fn, options, "only");
};

// it is test, for authors used to it.
export const it = test;

// describe groups tests under a common name; fn registers them and must not be async.
export function describe(name, fn) {
  const site = host.where();
  if (typeof name !== "string" || name === "") misuse(`describe: the first argument must be the group's name, got ${describeType(name)}`, site);
  if (typeof fn !== "function") misuse(`describe("${name}"): the second argument must be a function that registers tests`, site);
  groups.push(name);
  try {
    const result = fn();
    if (result && typeof result.then === "function") {
      misuse(`describe("${name}"): the function must not be async; register tests synchronously and make the tests async instead`, site);
    }
  } finally {
    groups.pop();
  }
}

function register(name, fn, options, mode) {
  const site = host.where();
  if (typeof name !== "string" || name === "") misuse(`test: the first argument must be the test's name, got ${describeType(name)}`, site);
  if (typeof fn !== "function") misuse(`test("${name}"): the second argument must be the test function, got ${describeType(fn)}`, site);
  let timeout = 0;
  if (typeof options === "number") {
    timeout = options;
  } else if (options !== undefined && options !== null) {
    if (typeof options !== "object") misuse(`test("${name}"): options must be { timeout: ms }, got ${describeType(options)}`, site);
    for (const key of Object.keys(options)) {
      if (key !== "timeout") misuse(unknownOption(`test("${name}")`, key, ["timeout"]), site);
    }
    timeout = options.timeout ?? 0;
  }
  if (typeof timeout !== "number" || !(timeout >= 0) || !Number.isFinite(timeout)) {
    misuse(`test("${name}"): timeout must be a number of milliseconds, got ${show(timeout)}`, site);
  }
  host.register([...groups, name].join(" > "), fn, timeout, mode);
}

// ---------------------------------------------------------------------------------------------
// Deep equality.

// difference returns null when actual deeply equals expected (as toEqual means it: undefined
// properties ignored, object types not compared), else where they first differ:
// { path, actual, expected, note, count }, count saying when an array around it has another
// length than expected.
function difference(actual, expected, path, subset, seen) {
  if (Object.is(actual, expected)) return null;
  const differ = (note) => ({ path, actual, expected, note });
  if (typeof actual !== "object" || typeof expected !== "object" || actual === null || expected === null) {
    return differ("");
  }
  if (seen.has(actual)) return null; // a cycle: compared on the way in
  seen.add(actual);
  try {
    if (expected instanceof Date || actual instanceof Date) {
      const same = actual instanceof Date && expected instanceof Date && Object.is(actual.getTime(), expected.getTime());
      return same ? null : differ("");
    }
    if (expected instanceof RegExp || actual instanceof RegExp) {
      return String(actual) === String(expected) && actual instanceof RegExp && expected instanceof RegExp ? null : differ("");
    }
    if (Array.isArray(actual) !== Array.isArray(expected)) {
      return differ(`${describeType(actual)} where ${describeType(expected)} was expected`);
    }
    if (Array.isArray(expected)) {
      const count = actual.length === expected.length ? "" : ` (${actual.length} items where ${expected.length} were expected)`;
      for (let i = 0; i < Math.min(actual.length, expected.length); i++) {
        const d = difference(actual[i], expected[i], `${path}[${i}]`, subset, seen);
        if (d) return { ...d, count: d.count || count };
      }
      if (actual.length > expected.length) {
        return { path: `${path}[${expected.length}]`, actual: actual[expected.length], expected: undefined, note: "unexpected", count };
      }
      if (actual.length < expected.length) {
        return { path: `${path}[${actual.length}]`, actual: undefined, expected: expected[actual.length], note: "missing", count };
      }
      return null;
    }
    if (expected instanceof Map || expected instanceof Set) {
      const same = actual.constructor === expected.constructor && actual.size === expected.size &&
        [...expected].every((item, i) => difference([...actual][i], item, path, false, new Set()) === null);
      return same ? null : differ("");
    }
    for (const key of Object.keys(expected)) {
      if (expected[key] === undefined && !subset) continue;
      const childPath = /^[A-Za-z_$][\w$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
      if (!(key in actual) || (actual[key] === undefined && expected[key] !== undefined)) {
        return { path: childPath, actual: undefined, expected: expected[key], note: "missing" };
      }
      const d = difference(actual[key], expected[key], childPath, subset, seen);
      if (d) return d;
    }
    if (!subset) {
      for (const key of Object.keys(actual)) {
        if (actual[key] !== undefined && !(key in expected && expected[key] !== undefined)) {
          const childPath = /^[A-Za-z_$][\w$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
          return { path: childPath, actual: actual[key], expected: undefined, note: "unexpected" };
        }
      }
    }
    return null;
  } finally {
    seen.delete(actual);
  }
}

function equals(actual, expected) {
  return difference(actual, expected, "", false, new Set()) === null;
}

// explain says where two values differ, for a failure message.
function explain(d) {
  if (!d || d.path === "") return d && d.note ? `: ${d.note}` : "";
  const where = d.path.replace(/^\./, "");
  const count = d.count ?? "";
  switch (d.note) {
    case "missing":
      return `\n  ${where} is missing, expected ${show(d.expected)}${count}`;
    case "unexpected":
      return `\n  ${where} is ${show(d.actual)}, which was not expected${count}`;
    case "":
      return `\n  ${where} is ${show(d.actual)}, expected ${show(d.expected)}${count}`;
  }
  return `\n  ${where}: ${d.note}`;
}

// ---------------------------------------------------------------------------------------------
// Expectations.

function thrownMatches(error, expected) {
  if (expected === undefined) return true;
  const message = error instanceof Error ? error.message : String(error);
  if (typeof expected === "string") return message.includes(expected);
  if (expected instanceof RegExp) return expected.test(message);
  if (typeof expected === "function") return error instanceof expected;
  if (expected instanceof Error) return message === expected.message;
  return false;
}

function describeExpectedError(expected) {
  if (typeof expected === "function") return `an instance of ${expected.name || "the given class"}`;
  if (expected instanceof Error) return `an error with message ${show(expected.message)}`;
  if (expected instanceof RegExp) return `an error matching ${expected}`;
  return `an error containing ${show(expected)}`;
}

function lengthOf(value) {
  return value !== null && value !== undefined && typeof value.length === "number" ? value.length : undefined;
}

// property walks a path such as "params.text" or ["callflow", 0].
function property(object, path) {
  const keys = Array.isArray(path) ? path : String(path).replace(/\[(\w+)\]/g, ".$1").split(".").filter((k) => k !== "");
  let current = object;
  for (const key of keys) {
    if (current === null || current === undefined || !(Object(current) === current ? key in current : current[key] !== undefined)) {
      return { found: false };
    }
    current = current[key];
  }
  return { found: true, value: current };
}

// Each matcher returns [pass, message for a failure, message for a failure under .not].
const matchers = {
  toBe(actual, expected) {
    const hint = !Object.is(actual, expected) && equals(actual, expected) ? " (they are equal but not the same object: use toEqual)" : "";
    return [Object.is(actual, expected), `expected ${show(actual)} to be ${show(expected)}${hint}`, `expected ${show(actual)} not to be ${show(expected)}`];
  },
  toEqual(actual, expected) {
    const d = difference(actual, expected, "", false, new Set());
    return [d === null, `expected ${show(actual)} to equal ${show(expected)}${explain(d)}`, `expected ${show(actual)} not to equal ${show(expected)}`];
  },
  toMatchObject(actual, expected) {
    if (typeof expected !== "object" || expected === null) throw new TypeError(`toMatchObject: expected an object or array to match against, got ${describeType(expected)}`);
    const d = difference(actual, expected, "", true, new Set());
    return [d === null, `expected ${show(actual)} to match ${show(expected)}${explain(d)}`, `expected ${show(actual)} not to match ${show(expected)}`];
  },
  toContain(actual, item) {
    let pass;
    if (typeof actual === "string") pass = typeof item === "string" && actual.includes(item);
    else if (actual !== null && actual !== undefined && typeof actual[Symbol.iterator] === "function") pass = [...actual].some((x) => Object.is(x, item) || x === item);
    else throw new TypeError(`toContain: expected a string or an array, got ${describeType(actual)}`);
    const hint = !pass && typeof actual !== "string" && [...actual].some((x) => equals(x, item)) ? " (an equal item is there: use toContainEqual)" : "";
    return [pass, `expected ${show(actual)} to contain ${show(item)}${hint}`, `expected ${show(actual)} not to contain ${show(item)}`];
  },
  toContainEqual(actual, item) {
    if (actual === null || actual === undefined || typeof actual[Symbol.iterator] !== "function") throw new TypeError(`toContainEqual: expected an array, got ${describeType(actual)}`);
    const pass = [...actual].some((x) => equals(x, item));
    return [pass, `expected ${show(actual)} to contain an item equal to ${show(item)}`, `expected ${show(actual)} not to contain an item equal to ${show(item)}`];
  },
  toMatch(actual, pattern) {
    if (typeof actual !== "string") throw new TypeError(`toMatch: expected a string, got ${show(actual)}`);
    let pass;
    if (pattern instanceof RegExp) pass = pattern.test(actual);
    else if (typeof pattern === "string") pass = actual.includes(pattern);
    else throw new TypeError(`toMatch: the pattern must be a RegExp or a string, got ${describeType(pattern)}`);
    return [pass, `expected ${show(actual)} to match ${show(pattern)}`, `expected ${show(actual)} not to match ${show(pattern)}`];
  },
  toHaveLength(actual, length) {
    const n = lengthOf(actual);
    if (n === undefined) throw new TypeError(`toHaveLength: expected a value with a length, got ${show(actual)}`);
    return [n === length, `expected ${show(actual)} to have length ${length}, but its length is ${n}`, `expected ${show(actual)} not to have length ${length}`];
  },
  toHaveProperty(actual, path, ...value) {
    const found = property(actual, path);
    const name = Array.isArray(path) ? path.join(".") : String(path);
    if (value.length === 0) {
      return [found.found, `expected ${show(actual)} to have property ${name}`, `expected ${show(actual)} not to have property ${name}`];
    }
    const pass = found.found && equals(found.value, value[0]);
    const got = found.found ? `it is ${show(found.value)}` : "it is missing";
    return [pass, `expected property ${name} to equal ${show(value[0])}, but ${got}`, `expected property ${name} not to equal ${show(value[0])}`];
  },
  toBeNull(actual) {
    return [actual === null, `expected ${show(actual)} to be null`, `expected the value not to be null`];
  },
  toBeUndefined(actual) {
    return [actual === undefined, `expected ${show(actual)} to be undefined`, `expected the value not to be undefined`];
  },
  toBeDefined(actual) {
    return [actual !== undefined, `expected the value to be defined, but it is undefined`, `expected ${show(actual)} to be undefined`];
  },
  toBeTruthy(actual) {
    return [Boolean(actual), `expected ${show(actual)} to be truthy`, `expected ${show(actual)} to be falsy`];
  },
  toBeFalsy(actual) {
    return [!actual, `expected ${show(actual)} to be falsy`, `expected ${show(actual)} to be truthy`];
  },
  toBeGreaterThan(actual, n) {
    return [actual > n, `expected ${show(actual)} to be greater than ${show(n)}`, `expected ${show(actual)} not to be greater than ${show(n)}`];
  },
  toBeGreaterThanOrEqual(actual, n) {
    return [actual >= n, `expected ${show(actual)} to be at least ${show(n)}`, `expected ${show(actual)} to be less than ${show(n)}`];
  },
  toBeLessThan(actual, n) {
    return [actual < n, `expected ${show(actual)} to be less than ${show(n)}`, `expected ${show(actual)} not to be less than ${show(n)}`];
  },
  toBeLessThanOrEqual(actual, n) {
    return [actual <= n, `expected ${show(actual)} to be at most ${show(n)}`, `expected ${show(actual)} to be greater than ${show(n)}`];
  },
  toBeInstanceOf(actual, type) {
    if (typeof type !== "function") throw new TypeError(`toBeInstanceOf: expected a class, got ${describeType(type)}`);
    return [actual instanceof type, `expected ${show(actual)} to be an instance of ${type.name}`, `expected ${show(actual)} not to be an instance of ${type.name}`];
  },
};

// toThrow is special: it calls the function under test (or, after .rejects, looks at the
// rejection reason).
function checkThrow(actual, expected, negated, rejected, site) {
  let threw = rejected;
  let error = actual;
  if (!rejected) {
    if (typeof actual !== "function") misuse(`toThrow: expected a function to call, got ${describeType(actual)}; write expect(() => f()).toThrow()`, site);
    threw = false;
    try {
      actual();
    } catch (e) {
      threw = true;
      error = e;
    }
  }
  const pass = threw && thrownMatches(error, expected);
  if (pass === !negated) return;
  if (negated) {
    fail(expected === undefined ? `expected no error, but it threw ${show(error)}` : `expected no ${describeExpectedError(expected).replace(/^an? /, "")}, but it threw ${show(error)}`, site);
  }
  if (!threw) fail(`expected ${expected === undefined ? "an error" : describeExpectedError(expected)}, but nothing was thrown`, site);
  fail(`expected ${describeExpectedError(expected)}, but it threw ${show(error)}`, site);
}

function isThenable(value) {
  return value !== null && (typeof value === "object" || typeof value === "function") && typeof value.then === "function";
}

// settle awaits the promise under .resolves or .rejects.
function settle(actual, mode, site) {
  if (!isThenable(actual)) misuse(`expect(...).${mode}: expected a promise, got ${show(actual)}`, site);
  return Promise.resolve(actual).then(
    (value) => {
      if (mode === "rejects") fail(`expected the promise to reject, but it resolved to ${show(value)}`, site);
      return value;
    },
    (reason) => {
      if (mode === "resolves") fail(`expected the promise to resolve, but it rejected with ${show(reason)}`, site);
      return reason;
    },
  );
}

function expectation(actual, negated, mode) {
  const out = {};
  for (const name of Object.keys(matchers)) {
    out[name] = (...args) => {
      const site = host.where();
      const check = (value) => {
        let result;
        try {
          result = matchers[name](value, ...args);
        } catch (e) {
          if (e instanceof TypeError) misuse(e.message, site);
          throw e;
        }
        const [pass, message, negatedMessage] = result;
        if (pass === negated) fail(negated ? negatedMessage : message, site);
      };
      if (mode) return settle(actual, mode, site).then(check);
      check(actual);
    };
  }
  out.toThrow = (expected) => {
    const site = host.where();
    if (mode) return settle(actual, mode, site).then((reason) => checkThrow(reason, expected, negated, mode === "rejects", site));
    checkThrow(actual, expected, negated, false, site);
  };
  if (!negated) out.not = expectation(actual, true, mode);
  if (!negated && !mode) {
    out.resolves = expectation(actual, false, "resolves");
    out.rejects = expectation(actual, false, "rejects");
  }
  return Object.freeze(out);
}

// expect starts an expectation: expect(step.callflow).toEqual([...]).
export function expect(actual) {
  return expectation(actual, false, "");
}

// ---------------------------------------------------------------------------------------------
// The clock.

function toMillis(date, what, site) {
  let ms;
  if (date instanceof Date) ms = date.getTime();
  else if (typeof date === "number") ms = date;
  else if (typeof date === "string") ms = Date.parse(date);
  else misuse(`${what}: expected a Date, an ISO 8601 string or milliseconds since 1970, got ${describeType(date)}`, site);
  if (!Number.isFinite(ms)) misuse(`${what}: ${show(date)} is not a valid date; write it as "2026-03-02T09:00:00Z"`, site);
  return ms;
}

// clock controls Date.now() and new Date() in the test and in the handler. Each test starts
// on the real clock.
export const clock = Object.freeze({
  // set stops the clock at date (a Date, an ISO 8601 string or milliseconds).
  set(date) {
    host.clockSet(toMillis(date, "clock.set", host.where()));
  },
  // advance moves the stopped clock forward by ms milliseconds (stopping it now if it runs).
  advance(ms) {
    if (typeof ms !== "number" || !Number.isFinite(ms)) misuse(`clock.advance: expected milliseconds, got ${show(ms)}`, host.where());
    host.clockAdvance(ms);
  },
  // reset lets the clock run on real time again.
  reset() {
    host.clockReset();
  },
  // now returns the clock's time in milliseconds, as Date.now() does.
  now() {
    return Date.now();
  },
});

// ---------------------------------------------------------------------------------------------
// fetch.
//
// The fetch of a test runtime takes the arguments the engine's fetch takes, applies the same
// checks and the tenant's fetch.allow, gives the same Headers and Response members, and rejects
// with the same "fetch failed: URL: reason" TypeErrors; only the network is replaced by the
// test's mock.

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

// normalizeHeader checks one header and returns [name lower-cased, value trimmed], or a problem.
function normalizeHeader(name, value) {
  name = String(name);
  value = String(value).replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, "");
  if (!TOKEN.test(name)) return [null, null, `${JSON.stringify(name)} is not a valid header name`];
  if (/[\r\n\0]/.test(value)) return [null, null, `the value of header ${name} contains a line break or NUL character`];
  return [name.toLowerCase(), value, ""];
}

// The entries of each Headers ([name, value] pairs, in order), and the Headers that cannot
// change (a response's, a mocked request's).
const HEADER_ENTRIES = new WeakMap();
const READ_ONLY = new WeakSet();

function headerKey(method, name) {
  const [key, , problem] = normalizeHeader(name, "");
  if (problem) throw new TypeError(`Headers.${method}: ${JSON.stringify(String(name))} is not a valid header name`);
  return key;
}

function changeHeaders(headers, method) {
  if (READ_ONLY.has(headers)) {
    throw new TypeError(`Headers.${method}: the headers of a response cannot be changed (copy them with new Headers(res.headers))`);
  }
  return HEADER_ENTRIES.get(headers);
}

// Headers is the engine's Headers class, for scripts that build headers with it.
class Headers {
  constructor(init) {
    const entries = [];
    HEADER_ENTRIES.set(this, entries);
    if (init === undefined || init === null) return;
    const problem = fillHeaders(entries, init);
    if (problem) throw new TypeError(`new Headers: ${problem}`);
  }

  get(name) {
    const key = headerKey("get", name);
    const values = HEADER_ENTRIES.get(this).filter(([n]) => n === key).map(([, v]) => v);
    return values.length > 0 ? values.join(", ") : null;
  }

  has(name) {
    const key = headerKey("has", name);
    return HEADER_ENTRIES.get(this).some(([n]) => n === key);
  }

  set(name, value) {
    const entries = changeHeaders(this, "set");
    const [key, text, problem] = normalizeHeader(name, value);
    if (problem) throw new TypeError(`Headers.set: ${problem}`);
    const kept = entries.filter(([n]) => n !== key);
    entries.splice(0, entries.length, ...kept, [key, text]);
  }

  append(name, value) {
    const entries = changeHeaders(this, "append");
    const [key, text, problem] = normalizeHeader(name, value);
    if (problem) throw new TypeError(`Headers.append: ${problem}`);
    entries.push([key, text]);
  }

  delete(name) {
    const entries = changeHeaders(this, "delete");
    const key = headerKey("delete", name);
    const kept = entries.filter(([n]) => n !== key);
    entries.splice(0, entries.length, ...kept);
  }

  forEach(fn, thisArg) {
    if (typeof fn !== "function") throw new TypeError(`Headers.forEach needs a function, got ${describeType(fn)}`);
    for (const [name, value] of this) fn.call(thisArg, value, name, this);
  }

  // entries yields each name once, sorted, with its values joined, as the standard says.
  *entries() {
    const names = [...new Set(HEADER_ENTRIES.get(this).map(([n]) => n))].sort();
    for (const name of names) yield [name, this.get(name)];
  }

  *keys() {
    for (const [name] of this.entries()) yield name;
  }

  *values() {
    for (const [, value] of this.entries()) yield value;
  }

  [Symbol.iterator]() {
    return this.entries();
  }

  get [Symbol.toStringTag]() {
    return "Headers";
  }
}
if (globalThis.Headers === undefined) globalThis.Headers = Headers;

// freezeHeaders makes headers read-only.
function freezeHeaders(headers) {
  READ_ONLY.add(headers);
  return headers;
}

// fillHeaders adds the headers of init (a Headers, an iterable of [name, value] pairs, or a
// plain object) to entries, and says what is wrong with them, if anything.
function fillHeaders(entries, init) {
  if (init === null || typeof init !== "object") return `must be an object such as {"Content-Type": "application/json"}, got ${describeType(init)}`;
  if (init instanceof Headers) {
    entries.push(...HEADER_ENTRIES.get(init));
    return "";
  }
  const add = (name, value) => {
    const [key, text, problem] = normalizeHeader(name, value);
    if (!problem) entries.push([key, text]);
    return problem;
  };
  if (typeof init[Symbol.iterator] === "function") {
    let i = 0;
    for (const pair of init) {
      if (pair === null || typeof pair !== "object" || pair.length !== 2) return `item ${i} must be a [name, value] pair, got ${show(pair)}`;
      const problem = add(pair[0], pair[1]);
      if (problem) return problem;
      i++;
    }
    return "";
  }
  for (const name of Object.keys(init)) {
    const problem = add(name, init[name]);
    if (problem) return problem;
  }
  return "";
}

// headersOf makes a read-only Headers from a plain object.
function headersOf(init) {
  const headers = new Headers(init);
  return freezeHeaders(headers);
}

const STATUS_TEXT = { 200: "OK", 201: "Created", 202: "Accepted", 204: "No Content", 301: "Moved Permanently", 302: "Found", 304: "Not Modified", 400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 409: "Conflict", 422: "Unprocessable Entity", 429: "Too Many Requests", 500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout" };

// MOCK_RESPONSE marks the responses that jsonResponse and textResponse make.
const MOCK_RESPONSE = Symbol("callscript mock response");

function checkStatus(status, site) {
  if (!Number.isInteger(status) || status < 200 || status > 599) misuse(`mock response: status must be an integer from 200 to 599, got ${show(status)}`, site);
  return status;
}

function responseInit(what, init, site) {
  if (init === null || typeof init !== "object") misuse(`${what}: the options must be an object such as { status: 201 }, got ${describeType(init)}`, site);
  for (const key of Object.keys(init)) {
    if (key !== "status" && key !== "headers") misuse(unknownOption(what, key, ["status", "headers"]), site);
  }
  return { status: checkStatus(init.status ?? 200, site), headers: init.headers ?? {} };
}

// jsonResponse makes a mocked response with a JSON body: jsonResponse({ id: 7 }, { status: 201 }).
export function jsonResponse(data, init = {}) {
  const site = host.where();
  const text = JSON.stringify(data);
  if (text === undefined) misuse(`jsonResponse: ${describeType(data)} cannot be sent as JSON`, site);
  const { status, headers } = responseInit("jsonResponse", init, site);
  return Object.freeze({ [MOCK_RESPONSE]: true, status, headers: { "content-type": "application/json", ...headers }, body: text });
}

// textResponse makes a mocked response with a text body: textResponse("busy", { status: 503 }).
export function textResponse(body = "", init = {}) {
  const site = host.where();
  if (typeof body !== "string") misuse(`textResponse: the body must be a string, got ${describeType(body)}`, site);
  const { status, headers } = responseInit("textResponse", init, site);
  return Object.freeze({ [MOCK_RESPONSE]: true, status, headers: { "content-type": "text/plain;charset=UTF-8", ...headers }, body });
}

// shortURL is a URL as an error message shows it: cut when long.
function shortURL(url) {
  return url.length > 200 ? `${url.slice(0, 200)}…` : url;
}

// failed is the TypeError a failed fetch rejects with.
function failed(message) {
  return new TypeError(`fetch failed: ${message}`);
}

// makeResponse is the Response the script sees for a mocked reply.
function makeResponse(spec, url) {
  let used = false;
  const read = () => {
    if (used) return Promise.reject(new TypeError(`Response: the body of the response from ${shortURL(url)} was already read (clone() first to read it twice)`));
    used = true;
    return Promise.resolve(spec.body);
  };
  const response = {
    status: spec.status,
    statusText: STATUS_TEXT[spec.status] ?? "",
    ok: spec.status >= 200 && spec.status < 300,
    url,
    redirected: false,
    headers: headersOf(spec.headers),
    get bodyUsed() {
      return used;
    },
    text: read,
    json: () =>
      read().then((text) => {
        try {
          return JSON.parse(text);
        } catch (e) {
          throw new SyntaxError(`the response from ${shortURL(url)} is not JSON: ${e.message}`);
        }
      }),
    arrayBuffer: () => read().then((text) => host.textBytes(text)),
    clone: () => {
      if (used) throw new TypeError(`Response.clone: the body of the response from ${shortURL(url)} was already read`);
      return makeResponse(spec, url);
    },
  };
  return Object.freeze(response);
}

// toResponse turns what a mock returned into a Response: a response made by jsonResponse or
// textResponse, a status code (empty body), a string (text, 200), or any other value (JSON, 200).
function toResponse(value, url, site) {
  if (value && value[MOCK_RESPONSE]) return makeResponse(value, url);
  if (typeof value === "number") return makeResponse({ status: checkStatus(value, site), headers: {}, body: "" }, url);
  if (typeof value === "string") return makeResponse(textResponse(value), url);
  if (value === undefined) misuse(`mockFetch: the mock for ${url} returned nothing; return data, a status code, jsonResponse(...) or textResponse(...)`, site);
  return makeResponse(jsonResponse(value), url);
}

// readRequest reads fetch's arguments as the engine does; a problem throws its TypeError.
function readRequest(input, init) {
  if (input !== null && typeof input === "object" && input.url !== undefined) input = input.url;
  if (input === undefined || input === null) throw failed('the URL is missing: call fetch("https://api.example.com/path", init)');
  const checked = host.checkFetchURL(String(input));
  const where = `${shortURL(String(input))}: `;
  if (checked.problem) throw failed(where + checked.problem);
  const request = { method: "GET", url: checked.url, headers: new Headers(), body: null };
  if (init !== undefined && init !== null) {
    if (typeof init !== "object") throw failed(`${where}the second argument (init) must be an object such as {method: "POST", body: "..."}`);
    if (init.method !== undefined && init.method !== null) {
      const method = String(init.method);
      if (!TOKEN.test(method)) throw failed(`${where}${JSON.stringify(method)} is not a valid HTTP method`);
      request.method = method.toUpperCase();
      if (["CONNECT", "TRACE", "TRACK"].includes(request.method)) throw failed(`${where}the ${request.method} method is not allowed`);
    }
    if (init.headers !== undefined && init.headers !== null) {
      const entries = [];
      const problem = fillHeaders(entries, init.headers);
      if (problem) throw failed(`${where}init.headers: ${problem}`);
      for (const [name, value] of entries) request.headers.append(name, value);
    }
    const body = init.body;
    if (body !== undefined && body !== null) {
      const binary = typeof body === "object" ? host.bytesText(body) : null;
      if (binary !== null) {
        request.body = binary;
      } else if (typeof body !== "object" || body instanceof String) {
        request.body = String(body);
        if (!request.headers.has("content-type")) request.headers.set("content-type", "text/plain;charset=UTF-8");
      } else {
        throw failed(`${where}init.body is ${describeType(body)}, which fetch does not send: for JSON, write body: JSON.stringify(value) with a "Content-Type": "application/json" header`);
      }
      if (request.body !== "" && (request.method === "GET" || request.method === "HEAD")) {
        throw failed(`${where}a ${request.method} request cannot have a body: use POST or PUT to send one`);
      }
    }
    if (init.redirect !== undefined && init.redirect !== null && !["follow", "manual", "error"].includes(String(init.redirect))) {
      throw failed(`${where}init.redirect must be "follow", "manual" or "error", not ${JSON.stringify(String(init.redirect))}`);
    }
    if (init.timeout !== undefined && init.timeout !== null && !(typeof init.timeout === "number" && init.timeout > 0 && Number.isFinite(init.timeout))) {
      throw failed(`${where}init.timeout must be a positive number of milliseconds, such as 800`);
    }
    if (init.signal !== undefined && init.signal !== null) {
      throw failed(`${where}init.signal is not supported (there is no AbortController here): use init.timeout, in milliseconds, to bound one request`);
    }
  }
  const { method, url, body } = request;
  return Object.freeze({
    method,
    url,
    headers: freezeHeaders(request.headers),
    body,
    text: () => body ?? "",
    json: () => JSON.parse(body ?? ""),
  });
}

// The mock of the current test: null when the test has not called mockFetch.
let currentMock = null;

// fetchMock is the global fetch (and ctx.fetch) of a test runtime.
function fetchMock(input, init) {
  const site = host.where();
  return new Promise((resolve, reject) => {
    const request = readRequest(input, init); // a problem rejects, as in the engine
    const where = `${shortURL(request.url)}: `;
    if (!currentMock) {
      throw failed(`${where}fetch is not mocked in this test: call mockFetch(...) first (tests never reach the network)`);
    }
    const mock = currentMock;
    mock.calls.push(request);
    Promise.resolve()
      .then(() => mock.answer(request))
      .then(
        (reply) => resolve(toResponse(reply, request.url, site)),
        // A mock that throws is a network failure.
        (error) => reject(failed(where + (error instanceof Error ? error.message : String(error)))),
      )
      .catch(reject);
  });
}
host.setFetch(fetchMock);

// routeKey splits "POST https://host/path" into its method (or "" for any) and URL.
function routeKey(key) {
  const match = /^([A-Z]+)\s+(\S+)$/.exec(key);
  return match ? { method: match[1], url: match[2] } : { method: "", url: key };
}

function matchesURL(pattern, url) {
  if (pattern.endsWith("*")) return url.startsWith(pattern.slice(0, -1));
  return url === pattern;
}

// mockFetch replaces fetch (and ctx.fetch) for the rest of the test. It takes a function
// (request) => response, or a table of routes: { "GET https://crm.example.com/customers/42": {...},
// "POST https://crm.example.com/calls": 201, "https://crm.example.com/health": "ok" }; a route's
// URL may end in * to match a prefix, and its value may be a function of the request. A route or
// function that throws makes fetch reject, as a network failure does. The returned object's
// calls lists the requests fetch received.
export function mockFetch(routes) {
  const site = host.where();
  let answer;
  if (typeof routes === "function") {
    answer = routes;
  } else if (routes !== null && typeof routes === "object" && !Array.isArray(routes)) {
    const table = Object.keys(routes).map((key) => ({ ...routeKey(key), key, value: routes[key] }));
    for (const route of table) {
      if (!/^https?:\/\//.test(route.url)) misuse(`mockFetch: route ${show(route.key)} must be a URL such as "https://crm.example.com/path", optionally after a method: "POST https://..."`, site);
    }
    answer = (request) => {
      const route = table.find((r) => (r.method === "" || r.method === request.method) && matchesURL(r.url, request.url));
      if (!route) {
        throw new TypeError(`no route of mockFetch matches ${request.method} ${request.url}; the routes are ${table.map((r) => r.key).join(", ")}`);
      }
      return typeof route.value === "function" ? route.value(request) : route.value;
    };
  } else {
    misuse(`mockFetch: expected a function (request) => response or an object of routes, got ${describeType(routes)}`, site);
  }
  currentMock = { answer, calls: [] };
  return Object.freeze({ calls: currentMock.calls });
}

// Each test starts with fetch unmocked and the clock on real time.
host.setReset(() => {
  currentMock = null;
  host.clockReset();
});

// ---------------------------------------------------------------------------------------------
// Simulated calls.

const CALL_OPTIONS = ["from", "to", "sessionId", "callId", "subAccountId", "direction", "callType", "dtmfIn", "payload"];
const DTMF_PLACES = ["eventData.dtmf", "eventData", "dtmf"];

let ids = 0;

// newId returns a UUID-shaped id, different for every call and event of the file and the same
// on every run, so that failures reproduce.
function newId() {
  ids++;
  const hex = ids.toString(16).padStart(12, "0");
  return `5e55107e-0000-4000-8000-${hex}`;
}

// COUNTRY_PREFIXES maps the calling codes of the countries 8x8 serves most to ISO 3166 codes,
// for the sourceCountryCode and destinationCountryCode of simulated webhooks. Longest first.
const COUNTRY_PREFIXES = [
  ["+852", "HK"], ["+886", "TW"], ["+971", "AE"],
  ["+33", "FR"], ["+34", "ES"], ["+39", "IT"], ["+44", "GB"], ["+49", "DE"], ["+55", "BR"],
  ["+60", "MY"], ["+61", "AU"], ["+62", "ID"], ["+63", "PH"], ["+64", "NZ"], ["+65", "SG"],
  ["+66", "TH"], ["+81", "JP"], ["+82", "KR"], ["+84", "VN"], ["+86", "CN"], ["+91", "IN"],
  ["+1", "US"],
];

// countryOf guesses the country of an E.164 number; "ZZ" (unknown) when it cannot.
function countryOf(number) {
  const e164 = typeof number === "string" && !number.startsWith("+") ? `+${number}` : number;
  const found = COUNTRY_PREFIXES.find(([prefix]) => typeof e164 === "string" && e164.startsWith(prefix));
  return found ? found[1] : "ZZ";
}

function isEvent(value) {
  return value !== null && typeof value === "object" && typeof value.eventType === "string";
}

// LAST_ACTIONS names a callflow action as SESSION_SUMMARY's lastAction does.
const LAST_ACTIONS = { makeCall: "MAKE_CALL", hangup: "HANGUP", sayAndCapture: "SAY_AND_CAPTURE", say: "SAY", playFile: "PLAY_FILE" };

function copy(value) {
  return value === undefined ? undefined : JSON.parse(JSON.stringify(value));
}

// looksLikeHandler tells a handler from the options of simulateCall: a handler is a function,
// a module namespace (with a default export) or an object with hooks (on...).
function looksLikeHandler(value) {
  if (typeof value === "function") return true;
  if (value === null || typeof value !== "object" || isEvent(value)) return false;
  return "default" in value || Object.keys(value).some((key) => key.startsWith("on") && typeof value[key] === "function");
}

// simulateCall prepares a call to the tenant's handler (the default export of its entry), or
// to the handler given first. Every step returns a promise, which rejects when the step cannot
// happen (a StepError when the server would have answered with the fallback, a TypeError when
// 8x8 would never send such a webhook). The options give a few fields of the call ({ from, to, ... }), or
// are a whole CALL_ACTION webhook body to start it with. Nothing is sent until a step is awaited:
//
//   const call = simulateCall({ from: "+6591234567" });
//   const menu = await call.start();      // CALL_ACTION, CALL_RECEIVED
//   const next = await call.press("1");   // CALL_ACTION, ACTION_COMPLETED with the digits
//   await call.end();                     // SESSION_SUMMARY
export function simulateCall(...args) {
  const site = host.where();
  let handler;
  let options;
  if ((args.length >= 2 && args[0] !== undefined) || looksLikeHandler(args[0])) {
    [handler, options = {}] = args;
  } else if (args.length >= 2) {
    handler = host.tenantHandler();
    options = args[1] ?? {};
  } else {
    handler = host.tenantHandler();
    options = args[0] ?? {};
  }
  host.checkHandler(handler, site);
  let template = null; // the webhook body given to start the call with
  let fields;
  if (isEvent(options)) {
    template = copy(options);
    const payload = template.payload ?? {};
    fields = {
      from: payload.source,
      to: payload.destination,
      sessionId: payload.sessionId,
      callId: payload.callId,
      subAccountId: payload.subAccountId,
      direction: payload.callDirection,
      callType: payload.callType,
      dtmfIn: "eventData.dtmf",
      payload: {},
    };
  } else {
    if (options === null || typeof options !== "object" || Array.isArray(options)) {
      misuse(`simulateCall: the second argument must be an object such as { from: "+6591234567" } or a webhook body, got ${describeType(options)}`, site);
    }
    for (const key of Object.keys(options)) {
      if (!CALL_OPTIONS.includes(key)) misuse(unknownOption("simulateCall", key, CALL_OPTIONS), site);
    }
    fields = { ...options };
  }
  if (fields.dtmfIn !== undefined && !DTMF_PLACES.includes(fields.dtmfIn)) {
    misuse(`simulateCall: dtmfIn must be one of ${DTMF_PLACES.map((p) => JSON.stringify(p)).join(", ")}, got ${show(fields.dtmfIn)}`, site);
  }
  const call = {
    from: fields.from ?? "+6591234567",
    to: fields.to ?? "+6560001000",
    sessionId: fields.sessionId ?? newId(),
    callId: fields.callId ?? newId(),
    subAccountId: fields.subAccountId === undefined ? host.tenant : fields.subAccountId,
    direction: fields.direction ?? "INBOUND",
    callType: fields.callType ?? "PSTN",
    dtmfIn: fields.dtmfIn ?? "eventData.dtmf",
    extra: fields.payload ?? {},
  };

  // The state of the call as 8x8 and the engine see it.
  let session = null; // JSON of the saved ctx.session; null until a handler saved one
  let lastFlow = null; // the callflow of the last answer
  let lastClientActionId = null;
  let started = false;
  let startedAt = 0;
  let hungUp = false;
  let ended = false;
  const bridged = []; // makeCall params, in order
  const steps = [];

  const legFields = () => ({
    callId: call.callId,
    sessionId: call.sessionId,
    subAccountId: call.subAccountId,
    callDirection: call.direction,
    callType: call.callType,
    source: call.from,
    destination: call.to,
    sourceFormat: "MSISDN",
    destinationFormat: "MSISDN",
    sourceCountryCode: countryOf(call.from),
    destinationCountryCode: countryOf(call.to),
    sourceRefId: null,
    destinationRefId: null,
  });
  const seconds = () => Math.max(0, Math.round((Date.now() - startedAt) / 1000));
  const envelope = (eventType, description, payload) => ({ namespace: "VOICE", eventType, description, payload });

  // deliver posts one webhook body to the handler and records the step.
  async function deliver(event, stepSite) {
    const prepared = host.prepare(handler, JSON.stringify(event), session);
    if (prepared.error) stepFailed(prepared.error, stepSite);
    let value;
    if (prepared.fn) {
      try {
        value = await prepared.fn.call(prepared.thisArg, prepared.event, prepared.ctx);
      } catch (error) {
        const at = host.locate(error);
        stepFailed(`${prepared.hook} threw ${error instanceof Error ? `${error.name}: ${error.message}` : show(error)}${at ? ` (${at})` : ""}`, stepSite, host.stackOf(error));
      }
    }
    const out = prepared.finish(value);
    if (out.error) stepFailed(out.error, stepSite, out.detail);
    if (out.session !== null) session = out.session;
    const answer = out.answer === null ? null : JSON.parse(out.answer);
    if (answer) {
      lastFlow = answer.callflow;
      lastClientActionId = answer.clientActionId ?? null;
      for (const action of answer.callflow) if (action.action === "makeCall") bridged.push(action.params);
      hungUp = answer.callflow.some((action) => action.action === "hangup");
    }
    const step = Object.freeze({
      event,
      hook: prepared.hook,
      answer,
      callflow: answer ? answer.callflow : null,
      clientActionId: answer ? answer.clientActionId ?? null : null,
      session: session === null ? {} : JSON.parse(session),
      logs: out.logs,
      spoken: answer
        ? answer.callflow.filter((a) => a.action === "say" || a.action === "sayAndCapture").map((a) => a.params.text ?? a.params.promptMessage)
        : [],
    });
    steps.push(step);
    return step;
  }

  function mustBeLive(what, stepSite) {
    if (ended) misuse(`${what}: the call has ended (end() was called)`, stepSite);
    if (!started) misuse(`${what}: the call has not started; await call.start() first`, stepSite);
    if (hungUp) misuse(`${what}: the call was hung up by the previous answer, so 8x8 sends no more CALL_ACTION`, stepSite);
  }

  // capture returns the sayAndCapture the previous answer ended with, which collects the digits.
  function capture(what, stepSite) {
    mustBeLive(what, stepSite);
    const last = lastFlow && lastFlow[lastFlow.length - 1];
    if (!last || last.action !== "sayAndCapture") {
      misuse(`${what}: the previous answer does not end with sayAndCapture, so there are no digits to collect (it ends with ${last ? last.action : "nothing"})`, stepSite);
    }
    return last.params;
  }

  function actionCompleted(eventData) {
    const payload = {
      eventId: newId(),
      ...legFields(),
      callStatus: "ACTION_COMPLETED",
      callDuration: seconds(),
      sipCode: 200,
      timestamp: new Date().toISOString(),
      ...call.extra,
    };
    if (eventData !== undefined) Object.assign(payload, eventData);
    if (lastClientActionId !== null) payload.clientActionId = lastClientActionId;
    return envelope("CALL_ACTION", "Action request of a call", payload);
  }

  function digitsPayload(digits) {
    switch (call.dtmfIn) {
      case "eventData":
        return { eventData: digits ?? "" };
      case "dtmf":
        return digits === null ? {} : { dtmf: digits };
    }
    return { eventData: { dtmf: digits } };
  }

  return Object.freeze({
    // start posts CALL_RECEIVED: the call hit the virtual number.
    async start() {
      const stepSite = host.where();
      if (started || ended) misuse("call.start(): the call has already started", stepSite);
      started = true;
      startedAt = Date.now();
      let event = template;
      if (!event || event.eventType !== "CALL_ACTION") {
        event = envelope("CALL_ACTION", "Action request of a call", {
          eventId: newId(),
          ...legFields(),
          callStatus: "CALL_RECEIVED",
          callDuration: 0,
          sipCode: 200,
          timestamp: new Date().toISOString(),
          ...call.extra,
        });
      }
      return deliver(event, stepSite);
    },
    // press posts ACTION_COMPLETED with the digits the caller entered at the sayAndCapture the
    // previous answer ended with: press("1"), press("4321#").
    async press(digits) {
      const stepSite = host.where();
      if (typeof digits !== "string" || !/^[0-9*#]+$/.test(digits)) {
        misuse(`call.press(): digits must be a string of 0-9, * and #, such as "1" or "4321#", got ${show(digits)}`, stepSite);
      }
      const params = capture(`call.press(${JSON.stringify(digits)})`, stepSite);
      let entered = digits;
      if (params.completeOnHash !== false && entered.endsWith("#")) entered = entered.slice(0, -1);
      if (params.maxDigits !== undefined && entered.length > params.maxDigits) {
        misuse(`call.press(${JSON.stringify(digits)}): the sayAndCapture collects at most ${params.maxDigits} digit${params.maxDigits === 1 ? "" : "s"} (maxDigits ${params.maxDigits}), so 8x8 would never report ${JSON.stringify(entered)}`, stepSite);
      }
      if (params.minDigits !== undefined && entered.length < params.minDigits) {
        misuse(`call.press(${JSON.stringify(digits)}): the sayAndCapture wants at least ${params.minDigits} digits (minDigits); a shorter entry is a failed attempt: use call.noInput()`, stepSite);
      }
      if (entered === "") misuse(`call.press(${JSON.stringify(digits)}): no digits before "#"; use call.noInput() for an empty entry`, stepSite);
      return deliver(actionCompleted(digitsPayload(entered)), stepSite);
    },
    // noInput posts ACTION_COMPLETED with no digits: the caller entered nothing in time.
    async noInput() {
      const stepSite = host.where();
      capture("call.noInput()", stepSite);
      return deliver(actionCompleted(digitsPayload(null)), stepSite);
    },
    // complete posts ACTION_COMPLETED after the previous answer's actions finished (a say, a
    // playFile, a bridged makeCall); fields are merged into the payload.
    async complete(fields = {}) {
      const stepSite = host.where();
      mustBeLive("call.complete()", stepSite);
      if (fields === null || typeof fields !== "object") misuse(`call.complete(): fields must be an object of payload fields, got ${describeType(fields)}`, stepSite);
      return deliver(actionCompleted(copy(fields)), stepSite);
    },
    // status posts CALL_STATUS with a callStatus such as "CALL_CONNECTED"; fields are merged into
    // the payload.
    async status(callStatus, fields = {}) {
      const stepSite = host.where();
      if (typeof callStatus !== "string" || callStatus === "") misuse(`call.status(): callStatus must be a string such as "CALL_CONNECTED", got ${show(callStatus)}`, stepSite);
      return deliver(envelope("CALL_STATUS", "Status update of a call", {
        eventId: newId(),
        ...legFields(),
        callStatus,
        callDuration: started ? seconds() : 0,
        sipCode: 200,
        timestamp: new Date().toISOString(),
        ...copy(fields),
      }), stepSite);
    },
    // end posts SESSION_SUMMARY: the call is over. Options: status (sessionStatus, default
    // "COMPLETED"), duration (seconds; default from the clock since start), errorCode and
    // errorMessage (errorDetails), lastAction, and payload (fields merged into the payload).
    async end(options = {}) {
      const stepSite = host.where();
      if (ended) misuse("call.end(): the call has already ended", stepSite);
      const known = ["status", "duration", "errorCode", "errorMessage", "lastAction", "payload"];
      if (options === null || typeof options !== "object") misuse(`call.end(): options must be an object such as { status: "COMPLETED" }, got ${describeType(options)}`, stepSite);
      for (const key of Object.keys(options)) {
        if (!known.includes(key)) misuse(unknownOption("call.end()", key, known), stepSite);
      }
      ended = true;
      if (!started) startedAt = Date.now();
      const duration = options.duration ?? seconds();
      const startTime = new Date(startedAt).toISOString();
      const endTime = new Date(startedAt + duration * 1000).toISOString();
      const status = options.status ?? (options.errorCode !== undefined ? "ERROR" : "COMPLETED");
      const last = lastFlow && lastFlow[lastFlow.length - 1];
      const details = {
        callA: {
          callId: call.callId,
          callDirection: call.direction,
          callType: call.callType,
          initiatedTimestamp: startTime,
          connectedTimestamp: startTime,
          disconnectedTimestamp: endTime,
          source: call.from,
          destination: call.to,
          sourceFormat: "MSISDN",
          destinationFormat: "MSISDN",
          callStatus: status,
          callDuration: duration,
        },
      };
      bridged.forEach((params, i) => {
        details[`call${String.fromCharCode(66 + i)}`] = {
          callId: newId(),
          callDirection: "OUTBOUND",
          callType: "PSTN",
          initiatedTimestamp: startTime,
          connectedTimestamp: startTime,
          disconnectedTimestamp: endTime,
          source: params.source,
          destination: params.destination,
          sourceFormat: "MSISDN",
          destinationFormat: "MSISDN",
          callStatus: status,
          callDuration: duration,
        };
      });
      const payload = {
        sessionId: call.sessionId,
        subAccountId: call.subAccountId,
        sessionStatus: status,
        startTime,
        endTime,
        callCount: 1 + bridged.length,
        details,
        ...copy(options.payload ?? {}),
      };
      // Without an answer in the call, there is no last action to report.
      const lastAction = options.lastAction ?? (last ? LAST_ACTIONS[last.action] : undefined);
      if (lastAction !== undefined) payload.lastAction = lastAction;
      if (options.errorCode !== undefined) {
        payload.errorDetails = { errorCode: options.errorCode, errorMsg: options.errorMessage ?? "" };
      }
      return deliver(envelope("SESSION_SUMMARY", "Summary of a completed call session", payload), stepSite);
    },
    // send posts any webhook body as part of this call: its payload's sessionId and
    // subAccountId are filled in when missing (except where 8x8 never sends them).
    async send(event) {
      const stepSite = host.where();
      if (!isEvent(event)) misuse(`call.send(): expected a webhook body { eventType, payload }, got ${show(event)}`, stepSite);
      const body = copy(event);
      body.payload = { ...(body.payload ?? {}) };
      // As 8x8 sends them: a numbers update belongs to no call, a recording names no sub-account.
      if (body.eventType !== "VIRTUAL_NUMBER_UPDATE" && body.payload.sessionId === undefined) body.payload.sessionId = call.sessionId;
      if (body.eventType !== "CALL_RECORDING_STATUS" && body.payload.subAccountId === undefined) body.payload.subAccountId = call.subAccountId;
      return deliver(body, stepSite);
    },
    // session is ctx.session as the engine has saved it so far.
    get session() {
      return session === null ? {} : JSON.parse(session);
    },
    // clientActionId is the clientActionId of the last answer, which 8x8 echoes back.
    get clientActionId() {
      return lastClientActionId;
    },
    // steps lists the completed steps, oldest first.
    get steps() {
      return steps.slice();
    },
    sessionId: call.sessionId,
    callId: call.callId,
  });
}
