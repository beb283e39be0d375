// Module hooks (module.register, Node 20.6+) that let a callscript tenant script run under
// Node unchanged: the bare "callscript" import resolves to the builders in JavaScript
// (bench/node/callscript.mjs), and the tenant's files load as ES modules although they are
// plain .js files with no package.json saying "type": "module".
import { readFile } from "node:fs/promises";
import { pathToFileURL } from "node:url";

let sdkURL = "";
let moduleRoot = "";

export function initialize(data) {
  sdkURL = pathToFileURL(data.sdk).href;
  moduleRoot = pathToFileURL(data.root).href;
}

export function resolve(specifier, context, next) {
  if (specifier === "callscript") {
    return { url: sdkURL, format: "module", shortCircuit: true };
  }
  return next(specifier, context);
}

export async function load(url, context, next) {
  if (url === sdkURL || (url.startsWith(moduleRoot) && url.endsWith(".js"))) {
    return { format: "module", source: await readFile(new URL(url)), shortCircuit: true };
  }
  return next(url, context);
}
