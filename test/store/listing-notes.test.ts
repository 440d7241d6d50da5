/**
 * The notes a credentials-file write leaves for `profiles` (src/store/listing-notes.ts): written
 * only where a listing asked for them, capped, read back whole lines only, and followed only as an
 * unbroken, unambiguous chain.
 */
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { FileIdentity } from "../../src/store/file-identity.js";
import { CREDENTIALS_NOTES_FILE, identityKey, noteCredentialsWrite, notesChain, parseNotes } from "../../src/store/listing-notes.js";
import { makeTempHome } from "../support/run-cli.js";

const identity = (ino: number): FileIdentity => ({ dev: 1n, ino: BigInt(ino), size: 10n, mtimeNs: 5n, ctimeNs: 6n });
const section = new Map([
  ["aws_access_key_id", "ASIAKEY"],
  ["aws_secret_access_key", "the-secret"],
  ["aws_session_token", "the-token"],
  ["region", "eu-west-1"],
]);

describe("listing notes", () => {
  it("are written only into an existing notes file, hold no secret, and start again past their cap", async () => {
    const cache = join(await makeTempHome(), "cache");
    mkdirSync(cache, { mode: 0o700 });
    const notes = join(cache, CREDENTIALS_NOTES_FILE);
    noteCredentialsWrite(cache, "/c", identity(1), identity(2), [["p", section]]);
    expect(existsSync(notes)).toBe(false); // nobody lists profiles from this cache: nothing written
    writeFileSync(notes, "", { mode: 0o600 });
    noteCredentialsWrite(cache, "/c", identity(1), identity(2), [
      ["p", section],
      ["gone", undefined],
    ]);
    const text = readFileSync(notes, "utf8");
    expect(text).not.toMatch(/the-secret|the-token|ASIAKEY/);
    expect(parseNotes(text)).toEqual([
      {
        path: "/c",
        from: identityKey(identity(1)),
        to: identityKey(identity(2)),
        sections: [["p", ["aws_access_key_id", "aws_secret_access_key", "aws_session_token", "region"], { region: "eu-west-1" }], ["gone"]],
      },
    ]);
    writeFileSync(notes, "x".repeat(300 * 1024));
    noteCredentialsWrite(cache, "/c", identity(2), identity(3), [["p", section]]);
    expect(statSync(notes).size).toBeLessThan(1024);
    expect(parseNotes(readFileSync(notes, "utf8"))).toHaveLength(1);
  });

  it("are read back whole lines only, and followed only as an unbroken, unambiguous chain", () => {
    const line = (from: number, to: number) =>
      `${JSON.stringify(["rolecred note", 1, "/c", identityKey(identity(from)), identityKey(identity(to)), [["p"]]])}\n`;
    const all = parseNotes(line(1, 2) + line(2, 3) + line(3, 4).slice(0, -5));
    expect(all).toHaveLength(2); // the half-written last line is left out
    expect(notesChain(all, "/c", identityKey(identity(1)), identityKey(identity(3)))).toHaveLength(2);
    expect(notesChain(all, "/c", identityKey(identity(1)), identityKey(identity(4)))).toBeUndefined();
    expect(notesChain(all, "/other", identityKey(identity(1)), identityKey(identity(3)))).toBeUndefined();
    expect(notesChain(all, "/c", identityKey(identity(2)), identityKey(identity(2)))).toEqual([]);
    // Two notes from one identity: which one was renamed in cannot be told, so neither is followed.
    const forked = parseNotes(line(1, 5) + line(1, 2) + line(2, 3));
    expect(notesChain(forked, "/c", identityKey(identity(1)), identityKey(identity(3)))).toBeUndefined();
  });
});
