// A misspelt dialog setting: wrongImput for wrongInput.
import { hangup, menu } from "callscript";

export const main = menu("main", {
  prompt: "Press 1.",
  options: { "1": () => [hangup()] },
  wrongImput: "That is not an option.",
});
