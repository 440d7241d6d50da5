/**
 * Built-in modules that only some runs need, loaded at their first call instead of when the
 * bundle starts. The bundle (dist/src/cli/main.cjs) evaluates every `import … from "node:…"` of
 * every module it holds at start-up, whether the run calls it or not. `node:fs/promises` alone
 * brings eight more of Node's own modules (its FileHandle, readline, fs watchers, Dir…): on a warm
 * `process`, which never writes, that was a tenth of what the run costs beyond `node -e 0`. The
 * lock and the atomic write (which a warm `process` only has in the bundle) import these names
 * from here; the functions are Node's own, called through.
 */
import type * as FsPromises from "node:fs/promises";

type FsPromisesApi = typeof FsPromises;

/** Node's function of that name, looked up on the first call (and every call: the lookup is a property read). */
function fsPromise<Name extends keyof FsPromisesApi>(name: Name): FsPromisesApi[Name] {
  const call = (...args: unknown[]): unknown => (process.getBuiltinModule("node:fs/promises")[name] as (...args: unknown[]) => unknown)(...args);
  return call as FsPromisesApi[Name];
}

export type { FileHandle } from "node:fs/promises";
export const access = fsPromise("access");
export const copyFile = fsPromise("copyFile");
export const link = fsPromise("link");
export const lstat = fsPromise("lstat");
export const open = fsPromise("open");
export const readdir = fsPromise("readdir");
export const readlink = fsPromise("readlink");
export const realpath = fsPromise("realpath");
export const rename = fsPromise("rename");
export const stat = fsPromise("stat");
export const unlink = fsPromise("unlink");
export const utimes = fsPromise("utimes");

/** os.hostname(): a lock names its host. */
export function hostname(): string {
  return process.getBuiltinModule("node:os").hostname();
}

/** os.homedir(): only when HOME (and the SDK's other variables) are unset. */
export function homedir(): string {
  return process.getBuiltinModule("node:os").homedir();
}
