/*
 * A `node --require` preload for tests: counts how often the process reads the files named in
 * ROLECRED_COUNT_READS_OF (paths joined by ":"), and writes the counts as JSON to
 * ROLECRED_COUNT_READS_TO when the process exits. CommonJS on purpose: --require loads it before
 * any module of the program.
 *
 * Two counts per file:
 * - `reads`: opens and whole-file reads through every public fs entry point (callback, sync and
 *   promise forms, ESM named imports included). readFile opens internally, so it counts once.
 * - `contentUses`: how often the content of a promise read was taken (`.then` on the promise
 *   fs.promises.readFile returned). The AWS SDK keeps that promise per path and parses the text
 *   again each time a setting or a credential provider asks for the files (`readFile(path)
 *   .then(parseIni)`), so this is the number of times it parsed the file, which `reads` hides.
 */
"use strict";
const fs = require("node:fs");
const { syncBuiltinESMExports } = require("node:module");
const { resolve } = require("node:path");

const watched = new Set(
  (process.env.ROLECRED_COUNT_READS_OF ?? "")
    .split(":")
    .filter(Boolean)
    .map((path) => resolve(path)),
);
const report = process.env.ROLECRED_COUNT_READS_TO;
const counts = Object.fromEntries([...watched].map((path) => [path, 0]));
const contentUses = Object.fromEntries([...watched].map((path) => [path, 0]));
/** Who read it: the first frame outside node's internals and this file, for a failing test's message. */
const readers = Object.fromEntries([...watched].map((path) => [path, []]));

/** The watched path `path` names, else undefined (a file descriptor, another file). */
function watchedPath(path) {
  if (typeof path !== "string" && !(path instanceof URL) && !Buffer.isBuffer(path)) return undefined;
  const absolute = resolve(path instanceof URL ? path.pathname : String(path));
  return watched.has(absolute) ? absolute : undefined;
}

function caller() {
  // ROLECRED_COUNT_READS_STACKS=1: whole stacks, to find which SDK provider read a file.
  if (process.env.ROLECRED_COUNT_READS_STACKS === "1") return (new Error().stack ?? "").split("\n").slice(3).join(" | ");
  const frame = (new Error().stack ?? "")
    .split("\n")
    .slice(3)
    .find((line) => !line.includes("node:") && !line.includes("count-file-reads"));
  return (frame ?? "?").trim();
}

function note(path) {
  const absolute = watchedPath(path);
  if (absolute === undefined) return;
  counts[absolute] += 1;
  readers[absolute].push(`read ${caller()}`);
}

function wrap(target, name) {
  const original = target[name];
  if (typeof original !== "function") return;
  target[name] = function counted(path, ...rest) {
    note(path);
    return original.call(this, path, ...rest);
  };
}

for (const name of ["open", "openSync", "readFile", "readFileSync"]) wrap(fs, name);
wrap(fs.promises, "open");
const promiseReadFile = fs.promises.readFile;
fs.promises.readFile = function countedReadFile(path, ...rest) {
  note(path);
  const promise = promiseReadFile.call(this, path, ...rest);
  const absolute = watchedPath(path);
  if (absolute === undefined) return promise;
  // An own `then` on this one promise: `await` bypasses it, `.then(parse)` goes through it.
  // oxlint-disable-next-line unicorn/no-thenable -- counting the SDK's `.then` on this one promise is the point
  promise.then = function countedThen(...handlers) {
    contentUses[absolute] += 1;
    readers[absolute].push(`content used ${caller()}`);
    return Promise.prototype.then.apply(this, handlers);
  };
  return promise;
};
// ESM `import { readFile } from "node:fs/promises"` binds to the values at first import: update them.
syncBuiltinESMExports();

if (report !== undefined) {
  process.on("exit", () => fs.writeFileSync(report, JSON.stringify({ reads: counts, contentUses, readers })));
}
