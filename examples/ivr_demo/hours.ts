// Opening hours: whether the line is open at a given moment, and how to say when it is.

export interface OpeningHours {
  /** The days the line is open: 0 is Sunday, 6 is Saturday. */
  days: readonly number[];
  /** When the line opens and closes, in minutes after local midnight. */
  open: number;
  close: number;
  /** The local time's offset from UTC in minutes (Singapore, UTC+8: 480). */
  utcOffsetMinutes: number;
}

const DAY_NAMES = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

/** Whether the line is open at `now`, in the line's own time zone. */
export function isOpen(hours: OpeningHours, now: Date): boolean {
  // Shift the moment by the offset, then read it as UTC: that gives the local day and time
  // whatever the time zone of the server.
  const local = new Date(now.getTime() + hours.utcOffsetMinutes * 60_000);
  const minutes = local.getUTCHours() * 60 + local.getUTCMinutes();
  return hours.days.includes(local.getUTCDay()) && minutes >= hours.open && minutes < hours.close;
}

/** Says a time of day for text to speech: 540 is "9 AM", 1110 is "6:30 PM". */
function spokenTime(minutes: number): string {
  const hour = Math.floor(minutes / 60);
  const minute = minutes % 60;
  const clock = hour % 12 === 0 ? 12 : hour % 12;
  return `${clock}${minute === 0 ? "" : `:${String(minute).padStart(2, "0")}`} ${hour < 12 ? "AM" : "PM"}`;
}

/** Says the days, running days as a range: "Monday to Friday", "Monday, Wednesday and Friday". */
function spokenDays(days: readonly number[]): string {
  const sorted = [...days].sort((a, b) => a - b);
  const isRange = sorted.length > 2 && sorted.every((day, i) => i === 0 || day === sorted[i - 1] + 1);
  if (isRange) return `${DAY_NAMES[sorted[0]]} to ${DAY_NAMES[sorted[sorted.length - 1]]}`;
  const names = sorted.map((day) => DAY_NAMES[day]);
  return names.length === 1 ? names[0] : `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}`;
}

/** Says the opening hours: "Monday to Friday, from 9 AM to 6 PM". */
export function describeHours(hours: OpeningHours): string {
  return `${spokenDays(hours.days)}, from ${spokenTime(hours.open)} to ${spokenTime(hours.close)}`;
}
