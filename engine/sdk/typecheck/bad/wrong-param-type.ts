// A param of the wrong type: speed is a number.
import { say } from "callscript";

export const hello = say("Hello.", { speed: "fast" });
