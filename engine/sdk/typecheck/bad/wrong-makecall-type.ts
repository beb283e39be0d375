// A phone number written as a number, not a string.
import { makeCall } from "callscript";

export const transfer = makeCall({ source: 6560001000, destination: "+6560000001" });
