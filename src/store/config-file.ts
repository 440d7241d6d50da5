/**
 * Writes to ~/.aws/config (AWS_CONFIG_FILE), with the credentials file's care: the lock, a re-read
 * under it, a strict parse (a file rolecred cannot parse is left untouched, the line named), only
 * the sections the edit means to change, then an atomic replace. Comments, order, line endings and
 * every other profile survive byte for byte. The file keeps its mode (a new one is 0600).
 */
import { readFile, stat } from "node:fs/promises";
import { dirname } from "node:path";
import { errnoCode, ExitCode, RolecredError } from "../errors.js";
import { IniDocument, IniSyntaxError } from "./ini-document.js";
import { resolveWriteTarget, writeFileAtomic } from "./atomic-write.js";
import { makeDirectorySync } from "./ownership.js";
import { withFileLock } from "./lock.js";

async function loadConfigDocument(path: string): Promise<{ document: IniDocument; mode: number }> {
  let text: string;
  let mode = 0o600;
  try {
    const stats = await stat(path);
    if (!stats.isFile()) throw new RolecredError(`the config file ${path} is not a regular file`, { exitCode: ExitCode.badInput });
    mode = stats.mode & 0o777;
    text = await readFile(path, "utf8");
  } catch (error) {
    if (error instanceof RolecredError) throw error;
    if (errnoCode(error) === "ENOENT") return { document: IniDocument.empty(), mode };
    throw new RolecredError(`cannot read ${path}: ${errnoCode(error) ?? String(error)}`, { exitCode: ExitCode.badInput, cause: error });
  }
  try {
    return { document: IniDocument.parse(text), mode };
  } catch (error) {
    if (error instanceof IniSyntaxError) {
      throw new RolecredError(`cannot parse ${path}, ${error.message}`, {
        exitCode: ExitCode.badInput,
        hint: "fix that line; rolecred has left the file untouched",
        cause: error,
      });
    }
    throw error;
  }
}

/** The config file as it is now (parsed strictly, as a write would), without the lock. */
export async function readConfigDocument(path: string): Promise<IniDocument> {
  return (await loadConfigDocument(await resolveWriteTarget(path))).document;
}

/** Change the config file under its lock: `edit` changes the document and says whether it did. */
export async function editConfigFile<T>(path: string, edit: (document: IniDocument) => { result: T; changed: boolean }): Promise<T> {
  const target = await resolveWriteTarget(path);
  makeDirectorySync(dirname(target), 0o700);
  return withFileLock(target, async () => {
    const { document, mode } = await loadConfigDocument(target);
    const { result, changed } = edit(document);
    if (changed) await writeFileAtomic(target, document.toString(), { mode, directoryMode: 0o700 });
    return result;
  });
}
