// A misspelt builder option: maxDigit for maxDigits.
import { sayAndCapture } from "callscript";

export const ask = sayAndCapture("Press 1 for sales.", { maxDigit: 1 });
