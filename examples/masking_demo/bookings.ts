// The booking service: who a caller on a masked number should be put through to.
import type { Context } from "callscript";

/** An active booking between the caller and the party they want to reach. */
export interface Booking {
  bookingId: string;
  /** The other party's real number (E.164); the caller never hears or sees it. */
  connectTo: string;
}

/** What a lookup found: a booking, none, or nothing because the service failed. */
export type Lookup = { status: "found"; booking: Booking } | { status: "none" } | { status: "unavailable" };

function isBooking(value: unknown): value is Booking {
  if (typeof value !== "object" || value === null) return false;
  const { bookingId, connectTo } = value as Record<string, unknown>;
  return typeof bookingId === "string" && typeof connectTo === "string" && /^\+[1-9]\d{1,14}$/.test(connectTo);
}

/**
 * Finds the active booking of `caller` on the masked number `line`. Never throws: a service
 * that fails or answers nonsense is logged and reported as unavailable.
 */
export async function findBooking(ctx: Context, caller: string, line: string): Promise<Lookup> {
  const base = ctx.env.BOOKINGS_URL;
  if (typeof base !== "string") {
    throw new Error("tenant.json env.BOOKINGS_URL must be the booking service's URL");
  }
  const url = `${base}/bookings/active?caller=${encodeURIComponent(caller)}&line=${encodeURIComponent(line)}`;
  try {
    const response = await ctx.fetch(url, { headers: { accept: "application/json" } });
    if (response.status === 404) return { status: "none" };
    if (!response.ok) {
      ctx.log.error("the booking service failed", { status: response.status });
      return { status: "unavailable" };
    }
    const booking = await response.json();
    if (!isBooking(booking)) {
      ctx.log.error("the booking service answered something that is not a booking", { booking });
      return { status: "unavailable" };
    }
    return { status: "found", booking };
  } catch (error) {
    ctx.log.error("the booking service could not be reached", { error: String(error) });
    return { status: "unavailable" };
  }
}
