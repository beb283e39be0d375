// An action written by hand with an action name that does not exist.
import type { Callflow } from "callscript";

export const flow: Callflow = [{ action: "speak", params: { text: "Hello." } }];
