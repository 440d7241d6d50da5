/**
 * A write into a credentials file that has not changed for a second: scanned a chunk at a time
 * and kept open (never held), the new file copied from it (issue 16). What a user sees must not
 * change: the same bytes, the file read again when anything changed it since the scan, nothing
 * replaced when it changes during the copy.
 */
import { execFileSync } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import { mkdir, readFile, readdir, rename, truncate, utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { RoleSession } from "../../src/credentials/types.js";
import { CopySourceChanged, writeFileAtomic } from "../../src/store/atomic-write.js";
import { BoundedReadError, openRegularFileSync } from "../../src/store/bounded-read.js";
import { precheckProfileWrites, writeProfiles } from "../../src/store/credentials-file.js";
import { IniSectionIndex } from "../../src/store/ini-document.js";
import { scannedSectionsOf } from "../../src/store/scanned-sections.js";
import { makeTempHome } from "../support/run-cli.js";
import { sessionSection } from "../support/large-credentials.js";

function session(suffix: string): RoleSession {
  return {
    credentials: {
      accessKeyId: `ASIA${suffix.toUpperCase().padEnd(16, "X")}`,
      secretAccessKey: `secret-${suffix}`,
      sessionToken: `token-${suffix}`,
      expiration: new Date("2030-01-01T00:00:00.000Z"),
    },
    roleArn: "arn:aws:iam::111111111111:role/Dev",
    assumedRoleArn: "arn:aws:sts::111111111111:assumed-role/Dev/jo",
  };
}

const sectionOf = (index: number) => sessionSection(index, true);
/** 2,000 sections (≈ 1.5 MB: more than one 1 MiB chunk of the scan). */
const ORIGINAL = `# top\n${Array.from({ length: 2000 }, (_, index) => sectionOf(index)).join("\n")}`;
const DEV_SECTION = [
  "[dev]",
  "aws_access_key_id = ASIADEVXXXXXXXXXXXXX",
  "aws_secret_access_key = secret-dev",
  "aws_session_token = token-dev",
  "x_security_token_expires = 2030-01-01T00:00:00.000Z",
  "x_rolecred_managed = true",
  "x_rolecred_role_arn = arn:aws:iam::111111111111:role/Dev",
  "x_rolecred_session_arn = arn:aws:sts::111111111111:assumed-role/Dev/jo",
  "",
].join("\n");

/** An existing section's keys stay where they were, the new ones follow (IniDocument.upsertSection). */
const replacedSection = (name: string) =>
  DEV_SECTION.replace("[dev]", `[${name}]`).replace(
    "x_security_token_expires = 2030-01-01T00:00:00.000Z\nx_rolecred_managed = true\n",
    "x_rolecred_managed = true\nx_security_token_expires = 2030-01-01T00:00:00.000Z\n",
  );

const FILES = ["append", "middle", "first", "in-place", "truncated", "replaced", "read-side", "several"] as const;
let folder: string;
const pathOf = (name: (typeof FILES)[number]) => join(folder, name, "credentials");

beforeAll(async () => {
  folder = await makeTempHome();
  const anHourAgo = new Date(Date.now() - 3_600_000);
  for (const name of FILES) {
    await mkdir(join(folder, name), { recursive: true, mode: 0o700 });
    await writeFile(pathOf(name), ORIGINAL, { mode: 0o600 });
    await utimes(pathOf(name), anHourAgo, anHourAgo);
  }
  // Scanned (not read whole) only once the change time, which cannot be set back, is a second old (file-identity.ts).
  await new Promise((resolve) => setTimeout(resolve, 1100));
});

describe("credentials file: a settled file scanned, not held (issue 16)", () => {
  it("adds a section after the precheck's scan: every old byte, then the new section", async () => {
    await precheckProfileWrites(pathOf("append"), ["dev"], { force: false });
    await writeProfiles(pathOf("append"), [{ profile: "dev", session: session("dev") }], { force: false });
    expect(await readFile(pathOf("append"), "utf8")).toBe(`${ORIGINAL}\n${DEV_SECTION}`);
  });

  it("replaces a section in the middle (the bytes after it copied from the file) and the first one (nothing before it)", async () => {
    await writeProfiles(pathOf("middle"), [{ profile: "org-1000", session: session("dev") }], { force: false });
    expect(await readFile(pathOf("middle"), "utf8")).toBe(ORIGINAL.replace(sectionOf(1000), replacedSection("org-1000")));
    await writeProfiles(pathOf("first"), [{ profile: "org-0", session: session("dev") }], { force: false });
    expect(await readFile(pathOf("first"), "utf8")).toBe(ORIGINAL.replace(sectionOf(0), replacedSection("org-0")));
  });

  it("writes several profiles at once (what a holder does with queued writes): each where it belongs, the bytes between copied", async () => {
    const writes = ["org-1999", "dev", "org-7", "org-1500"].map((profile) => ({ profile, session: session("dev") }));
    await writeProfiles(pathOf("several"), writes, { force: false });
    const expected = ["org-1999", "org-7", "org-1500"].reduce((text, name) => text.replace(sectionOf(Number(name.slice(4))), replacedSection(name)), ORIGINAL);
    expect(await readFile(pathOf("several"), "utf8")).toBe(`${expected}\n${DEV_SECTION}`);
  });

  it("reads again a file edited in place after the scan (same size), and keeps the edit", async () => {
    await precheckProfileWrites(pathOf("in-place"), ["dev"], { force: false });
    // The same size, but every section from org-10 to the last starts 10 bytes earlier.
    const edited = ORIGINAL.replace(sectionOf(10), sectionOf(10).replace("t".repeat(700), "t".repeat(690))).replace(
      sectionOf(1999),
      sectionOf(1999).replace("t".repeat(700), "t".repeat(710)),
    );
    expect(edited.length).toBe(ORIGINAL.length);
    await writeFile(pathOf("in-place"), edited);
    await writeProfiles(pathOf("in-place"), [{ profile: "dev", session: session("dev") }], { force: false });
    expect(await readFile(pathOf("in-place"), "utf8")).toBe(`${edited}\n${DEV_SECTION}`);
  });

  it("reads again a file truncated after the scan, and a file replaced by another", async () => {
    await precheckProfileWrites(pathOf("truncated"), ["dev"], { force: false });
    await truncate(pathOf("truncated"), ORIGINAL.indexOf("[org-10]\n"));
    await writeProfiles(pathOf("truncated"), [{ profile: "dev", session: session("dev") }], { force: false });
    expect(await readFile(pathOf("truncated"), "utf8")).toBe(`${ORIGINAL.slice(0, ORIGINAL.indexOf("[org-10]\n"))}${DEV_SECTION}`);

    await precheckProfileWrites(pathOf("replaced"), ["dev"], { force: false });
    const other = join(folder, "replaced", "other");
    await writeFile(other, "[other]\nx = 1\n", { mode: 0o600 });
    await rename(other, pathOf("replaced"));
    await writeProfiles(pathOf("replaced"), [{ profile: "dev", session: session("dev") }], { force: false });
    expect(await readFile(pathOf("replaced"), "utf8")).toBe(`[other]\nx = 1\n\n${DEV_SECTION}`);
  });

  it("offers the scan's sections to the read side of the same run while the file is the one scanned", async () => {
    const path = pathOf("read-side");
    await precheckProfileWrites(path, ["dev"], { force: false });
    const scanned = scannedSectionsOf(path);
    expect(scanned).toBeDefined();
    // Read where the scan found them: the file itself is never read for these lookups.
    const sections = new IniSectionIndex(() => {
      throw new Error("read the whole file");
    }, scanned);
    expect(sections.get("org-1999")?.get("aws_access_key_id")).toBe("ASIA0000000000001999");
    expect(sections.get("no-such-profile")).toBeUndefined();
    await writeProfiles(path, [{ profile: "dev", session: session("dev") }], { force: false });
    // Written: another version of the file, no longer the one scanned.
    expect(scannedSectionsOf(path)).toBeUndefined();
  });
});

describe("writeFileAtomic copying from a file", () => {
  it("replaces nothing when the file copied from changed during the copy, and leaves no temp file", async () => {
    const dir = join(folder, "copy");
    await mkdir(dir, { recursive: true });
    const target = join(dir, "credentials");
    await writeFile(target, "[a]\nx = 1\n", { mode: 0o600 });
    const fd = openSync(target, "r");
    try {
      const pending = writeFileAtomic(
        target,
        { source: { path: target, fd, unchanged: () => false }, pieces: [{ start: 0, end: 10 }, Buffer.from("[b]\ny = 2\n")] },
        { mode: 0o600, directoryMode: 0o700 },
      );
      await expect(pending).rejects.toBeInstanceOf(CopySourceChanged);
    } finally {
      closeSync(fd);
    }
    expect(await readFile(target, "utf8")).toBe("[a]\nx = 1\n");
    expect(await readdir(dir)).toEqual(["credentials"]);
  });
});

describe("openRegularFileSync", () => {
  it("refuses a FIFO without blocking and a file over the cap, and opens a regular file with its identity", async () => {
    const dir = join(folder, "open");
    await mkdir(dir, { recursive: true });
    const fifo = join(dir, "fifo");
    execFileSync("mkfifo", [fifo]);
    const options = { what: "the credentials file", maxBytes: 8 };
    expect(() => openRegularFileSync(fifo, options)).toThrow(`the credentials file ${fifo} is a FIFO, not a regular file`);
    const large = join(dir, "large");
    await writeFile(large, "123456789");
    expect(() => openRegularFileSync(large, options)).toThrow(BoundedReadError);
    const small = join(dir, "small");
    await writeFile(small, "1234");
    const opened = openRegularFileSync(small, options);
    closeSync(opened.fd);
    expect(opened.size).toBe(4);
    expect(opened.identity.size).toBe(4n);
  });
});
