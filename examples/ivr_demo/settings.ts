// The tenant's settings, read from the env of tenant.json (ctx.env) and checked, so that a
// mistake there is reported by name rather than as a confusing failure later in the call.
import type { JsonValue } from "callscript";

import type { OpeningHours } from "./hours";

type Env = Readonly<Record<string, JsonValue>>;

/** The teams a caller can be put through to. */
export type Team = "sales" | "technical" | "billing";

export interface Settings {
  /** The name the welcome message says. */
  company: string;
  hours: OpeningHours;
  /** Each team's phone number (E.164). */
  agents: Record<Team, string>;
}

const DAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"] as const;
const TEAMS: readonly Team[] = ["sales", "technical", "billing"];

function isRecord(value: JsonValue | undefined): value is { [key: string]: JsonValue } {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Reads "HH:MM" as minutes after midnight. */
function minutesOf(value: JsonValue | undefined, name: string): number {
  const match = typeof value === "string" ? /^([01]\d|2[0-3]):([0-5]\d)$/.exec(value) : null;
  if (!match) {
    throw new Error(`tenant.json env.${name} must be a time such as "09:00", got ${JSON.stringify(value)}`);
  }
  return Number(match[1]) * 60 + Number(match[2]);
}

function openingHoursOf(env: Env): OpeningHours {
  const hours = env.OPENING_HOURS;
  if (!isRecord(hours)) {
    throw new Error('tenant.json env.OPENING_HOURS must be an object such as { "days": ["mon"], "open": "09:00", "close": "18:00" }');
  }
  const { days } = hours;
  if (!Array.isArray(days) || days.some((day) => !DAYS.includes(day as (typeof DAYS)[number]))) {
    throw new Error(`tenant.json env.OPENING_HOURS.days must list days among ${DAYS.join(", ")}`);
  }
  const offset = env.UTC_OFFSET_MINUTES;
  if (typeof offset !== "number" || !Number.isInteger(offset) || Math.abs(offset) > 14 * 60) {
    throw new Error("tenant.json env.UTC_OFFSET_MINUTES must be the local time's offset from UTC in minutes, such as 480 for UTC+8");
  }
  const open = minutesOf(hours.open, "OPENING_HOURS.open");
  const close = minutesOf(hours.close, "OPENING_HOURS.close");
  if (close <= open) {
    throw new Error("tenant.json env.OPENING_HOURS.close must be later than open");
  }
  return {
    days: days.map((day) => DAYS.indexOf(day as (typeof DAYS)[number])),
    open,
    close,
    utcOffsetMinutes: offset,
  };
}

function agentsOf(env: Env): Record<Team, string> {
  const agents = env.AGENTS;
  if (!isRecord(agents)) {
    throw new Error('tenant.json env.AGENTS must map each team to a phone number, such as { "sales": "+6560000001" }');
  }
  const out = {} as Record<Team, string>;
  for (const team of TEAMS) {
    const number = agents[team];
    if (typeof number !== "string" || !/^\+?[1-9]\d{1,14}$/.test(number)) {
      throw new Error(`tenant.json env.AGENTS.${team} must be a phone number in E.164 form such as "+6560000001", got ${JSON.stringify(number)}`);
    }
    out[team] = number;
  }
  return out;
}

/** Reads and checks the settings in ctx.env. */
export function readSettings(env: Env): Settings {
  const company = env.COMPANY;
  if (typeof company !== "string" || company === "") {
    throw new Error("tenant.json env.COMPANY must be the company name the welcome message says");
  }
  return { company, hours: openingHoursOf(env), agents: agentsOf(env) };
}
