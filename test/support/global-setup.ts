/**
 * One temporary folder per test run, removed at the end: every temp HOME, cache and fixture the
 * tests make goes below it (TMPDIR is set before the workers start), so a run leaves nothing in
 * /tmp behind.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export default function setup(): () => void {
  const folder = mkdtempSync(join(tmpdir(), "rolecred-tests-"));
  process.env.TMPDIR = folder;
  return () => rmSync(folder, { recursive: true, force: true });
}
