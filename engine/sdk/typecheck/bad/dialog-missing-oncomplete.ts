// collectNumber without onComplete: nothing would happen with the number.
import { collectNumber } from "callscript";

export const pin = collectNumber("pin", { prompt: "Enter your PIN.", maxDigits: 4 });
