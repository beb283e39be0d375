// Unit tests of the opening hours and of reading them from tenant.json.
import { describe, expect, test } from "callscript/test";

import { describeHours, isOpen, type OpeningHours } from "./hours";
import { readSettings } from "./settings";

// Monday to Friday, 09:00 to 18:00, UTC+8.
const OFFICE: OpeningHours = { days: [1, 2, 3, 4, 5], open: 9 * 60, close: 18 * 60, utcOffsetMinutes: 480 };

describe("isOpen", () => {
  const cases: [moment: string, open: boolean][] = [
    ["2026-03-02T01:00:00Z", true], // Monday 09:00 local
    ["2026-03-06T09:59:00Z", true], // Friday 17:59 local
    ["2026-03-06T10:00:00Z", false], // Friday 18:00 local
    ["2026-03-01T23:30:00Z", false], // Sunday in UTC, but Monday 07:30 local
    ["2026-03-08T02:00:00Z", false], // Sunday 10:00 local
  ];
  for (const [moment, open] of cases) {
    test(`${moment} is ${open ? "open" : "closed"}`, () => {
      expect(isOpen(OFFICE, new Date(moment))).toBe(open);
    });
  }

  test("a time zone west of UTC", () => {
    const newYork = { ...OFFICE, utcOffsetMinutes: -300 };
    expect(isOpen(newYork, new Date("2026-03-02T14:00:00Z"))).toBe(true); // Monday 09:00 in New York
    expect(isOpen(newYork, new Date("2026-03-02T13:59:00Z"))).toBe(false);
  });
});

test("describeHours says the hours for text to speech", () => {
  expect(describeHours(OFFICE)).toBe("Monday to Friday, from 9 AM to 6 PM");
  expect(describeHours({ ...OFFICE, days: [1, 3, 5], open: 8 * 60 + 30, close: 12 * 60 })).toBe(
    "Monday, Wednesday and Friday, from 8:30 AM to 12 PM",
  );
});

describe("readSettings", () => {
  const env = {
    COMPANY: "ACME",
    UTC_OFFSET_MINUTES: 480,
    OPENING_HOURS: { days: ["mon", "fri"], open: "09:00", close: "18:00" },
    AGENTS: { sales: "+6560000001", technical: "+6560000002", billing: "+6560000003" },
  };

  test("reads the opening hours and the agents", () => {
    const settings = readSettings(env);
    expect(settings.hours).toEqual({ days: [1, 5], open: 540, close: 1080, utcOffsetMinutes: 480 });
    expect(settings.agents.billing).toBe("+6560000003");
  });

  test("names the setting at fault", () => {
    expect(() => readSettings({ ...env, OPENING_HOURS: { ...env.OPENING_HOURS, open: "9am" } })).toThrow("env.OPENING_HOURS.open");
    expect(() => readSettings({ ...env, AGENTS: { ...env.AGENTS, sales: "6560-0000" } })).toThrow("env.AGENTS.sales");
    expect(() => readSettings({ ...env, UTC_OFFSET_MINUTES: "+8" })).toThrow("env.UTC_OFFSET_MINUTES");
  });
});
