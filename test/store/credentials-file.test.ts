import { chmod, chown, mkdtemp, readFile, readdir, rename, stat, symlink, utimes, writeFile, mkdir, lstat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import type { RoleSession } from "../../src/credentials/types.js";
import { holdsLongTermKeys, precheckProfileWrites, readManagedProfiles, removeManagedProfiles, writeProfiles } from "../../src/store/credentials-file.js";
import { RolecredError } from "../../src/errors.js";

function session(suffix: string): RoleSession {
  return {
    credentials: {
      accessKeyId: `ASIA${suffix.padEnd(16, "X")}`,
      secretAccessKey: `secret-${suffix}`,
      sessionToken: `token-${suffix}`,
      expiration: new Date("2030-01-01T12:00:00.000Z"),
    },
    roleArn: "arn:aws:iam::111111111111:role/Developer",
    assumedRoleArn: "arn:aws:sts::111111111111:assumed-role/Developer/jo",
    sessionName: "jo",
  };
}

let folder: string;
let path: string;
beforeEach(async () => {
  folder = await mkdtemp(join(tmpdir(), "rolecred-store-"));
  path = join(folder, ".aws", "credentials");
});

async function rejection(promise: Promise<unknown>): Promise<RolecredError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(RolecredError);
  return error as RolecredError;
}

describe(writeProfiles.name, () => {
  it("creates the folder 0700 and the file 0600 with the session and rolecred's marker", async () => {
    await writeProfiles(path, [{ profile: "dev", session: session("A") }], { force: false });
    expect((await stat(join(folder, ".aws"))).mode & 0o777).toBe(0o700);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(await readFile(path, "utf8")).toBe(
      [
        "[dev]",
        "aws_access_key_id = ASIAAXXXXXXXXXXXXXXX",
        "aws_secret_access_key = secret-A",
        "aws_session_token = token-A",
        "x_security_token_expires = 2030-01-01T12:00:00.000Z",
        "x_rolecred_managed = true",
        "x_rolecred_role_arn = arn:aws:iam::111111111111:role/Developer",
        "x_rolecred_session_arn = arn:aws:sts::111111111111:assumed-role/Developer/jo",
        "",
      ].join("\n"),
    );
  });

  it("keeps every other section, comment and the order, and leaves no temporary file", async () => {
    await mkdir(join(folder, ".aws"));
    const before =
      "# top comment\n[default]\naws_access_key_id = AKIALONGTERM\naws_secret_access_key = keep\n\n; dev is refreshed by rolecred\n[dev]\nregion = eu-west-1\naws_security_token = stale\n\n[zzz]\nx = 1\n";
    await writeFile(path, before, { mode: 0o644 });
    await writeProfiles(path, [{ profile: "dev", session: session("B") }], { force: false });
    const after = await readFile(path, "utf8");
    expect(
      after.startsWith(
        "# top comment\n[default]\naws_access_key_id = AKIALONGTERM\naws_secret_access_key = keep\n\n; dev is refreshed by rolecred\n[dev]\nregion = eu-west-1\n",
      ),
    ).toBe(true);
    expect(after).not.toContain("stale");
    expect(after.endsWith("\n\n[zzz]\nx = 1\n")).toBe(true);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(await readdir(join(folder, ".aws"))).toEqual(["credentials"]);
  });

  it("refuses to overwrite long-term keys without force, leaving the file byte for byte", async () => {
    await mkdir(join(folder, ".aws"));
    const before = "[dev]\naws_access_key_id = AKIALONGTERM\naws_secret_access_key = mine\n";
    await writeFile(path, before);
    const error = await rejection(writeProfiles(path, [{ profile: "dev", session: session("C") }], { force: false }));
    expect(error.message).toContain("holds long-term access keys");
    expect(error.hint).toContain("--force");
    expect(await readFile(path, "utf8")).toBe(before);
    await writeProfiles(path, [{ profile: "dev", session: session("C") }], { force: true });
    expect(await readFile(path, "utf8")).toContain("aws_session_token = token-C");
  });

  it("overwrites temporary credentials another tool wrote", async () => {
    await mkdir(join(folder, ".aws"));
    await writeFile(path, "[dev]\naws_access_key_id = ASIAOTHER\naws_secret_access_key = x\naws_session_token = y\n");
    await writeProfiles(path, [{ profile: "dev", session: session("D") }], { force: false });
    expect(await readFile(path, "utf8")).toContain("aws_session_token = token-D");
  });

  it("never writes a file it cannot parse, and names the line", async () => {
    await mkdir(join(folder, ".aws"));
    const before = "[default]\naws_access_key_id = AKIA\nthis line is broken\n";
    await writeFile(path, before);
    const error = await rejection(writeProfiles(path, [{ profile: "dev", session: session("E") }], { force: false }));
    expect(error.message).toBe(`cannot parse ${path}, line 3: not a [section], a key = value line or a comment`);
    expect(await readFile(path, "utf8")).toBe(before);
  });

  it("writes through a symlink to its target, keeping the link", async () => {
    await mkdir(join(folder, ".aws"));
    await mkdir(join(folder, "dotfiles"));
    const target = join(folder, "dotfiles", "aws-credentials");
    await writeFile(target, "[default]\nx = 1\n");
    await symlink(target, path);
    await writeProfiles(path, [{ profile: "dev", session: session("F") }], { force: false });
    expect((await lstat(path)).isSymbolicLink()).toBe(true);
    expect(await readFile(target, "utf8")).toContain("[default]\nx = 1\n\n[dev]\n");
    expect(await readdir(join(folder, "dotfiles"))).toEqual(["aws-credentials"]);
  });

  it("writes several profiles in one write, or none when one is refused", async () => {
    await mkdir(join(folder, ".aws"));
    const before = "[b]\naws_access_key_id = AKIA\naws_secret_access_key = mine\n";
    await writeFile(path, before);
    await rejection(
      writeProfiles(
        path,
        [
          { profile: "a", session: session("G") },
          { profile: "b", session: session("H") },
        ],
        { force: false },
      ),
    );
    expect(await readFile(path, "utf8")).toBe(before);
  });
});

describe(removeManagedProfiles.name, () => {
  it("removes only rolecred's sections and reports them", async () => {
    await writeProfiles(path, [{ profile: "dev", session: session("I") }], { force: false });
    await writeFile(path, `[mine]\naws_access_key_id = AKIA\naws_secret_access_key = s\n\n${await readFile(path, "utf8")}`);
    expect((await readManagedProfiles(path)).map((profile) => profile.profile)).toEqual(["dev"]);
    expect(await removeManagedProfiles(path, () => true)).toEqual({ removed: ["dev"], kept: [] });
    expect(await readFile(path, "utf8")).toBe("[mine]\naws_access_key_id = AKIA\naws_secret_access_key = s\n");
  });
});

describe("credentials file: issue 9 hardening", () => {
  it("treats an AKIA key id, or a key id with an empty session token, as long-term (marker or not)", () => {
    expect(
      holdsLongTermKeys(
        new Map([
          ["aws_access_key_id", "AKIAX"],
          ["aws_session_token", "t"],
          ["x_rolecred_managed", "true"],
        ]),
      ),
    ).toBe(true);
    expect(
      holdsLongTermKeys(
        new Map([
          ["aws_access_key_id", "ASIAX"],
          ["aws_session_token", ""],
        ]),
      ),
    ).toBe(true);
    expect(holdsLongTermKeys(new Map([["aws_access_key_id", "ASIAX"]]))).toBe(true);
    expect(
      holdsLongTermKeys(
        new Map([
          ["aws_access_key_id", "ASIAX"],
          ["aws_session_token", "t"],
        ]),
      ),
    ).toBe(false);
    expect(holdsLongTermKeys(new Map([["region", "eu-west-1"]]))).toBe(false);
  });

  it("refuses every control character in a value, and writes nothing", async () => {
    await writeProfiles(path, [{ profile: "dev", session: session("A") }], { force: false });
    const before = await readFile(path);
    for (const bad of ["\n", "\r", "\u0000", "\u001b", "\u007f", "\u0085", "\u2028"]) {
      const hostile = { ...session("B"), assumedRoleArn: `arn:aws:sts::1:assumed-role/R/x${bad}[evil]` };
      const error = await rejection(writeProfiles(path, [{ profile: "dev", session: hostile }], { force: false }));
      expect(error.exitCode).toBe(5);
      expect(error.message).toMatch(/x_rolecred_session_arn containing the control character U\+[0-9A-F]{4}; nothing was written/);
    }
    expect(await readFile(path)).toEqual(before);
  });

  it("refuses a profile name with a control character, a bracket or outer spaces (exit 2)", async () => {
    for (const name of ["a\nb", "a\u001bb", "a]b", " a"]) {
      const error = await rejection(writeProfiles(path, [{ profile: name, session: session("A") }], { force: false }));
      expect(error.exitCode).toBe(2);
      expect(error.message).not.toMatch(/[\n\u001b]/);
    }
  });

  it("refuses a symlink to /dev/null with exit 3 and creates no lock beside it", async () => {
    await mkdir(join(folder, ".aws"));
    await symlink("/dev/null", path);
    const error = await rejection(writeProfiles(path, [{ profile: "dev", session: session("A") }], { force: false }));
    expect(error.exitCode).toBe(3);
    expect(error.message).toMatch(/is a character device, not a regular file; rolecred will not replace it/);
    expect((await lstat(path)).isSymbolicLink()).toBe(true);
    expect(await readdir("/dev")).not.toContain("null.rolecred.lock");
  });

  it("refuses a read-only (0400) file with exit 3 and keeps its mode and bytes", async () => {
    await writeProfiles(path, [{ profile: "dev", session: session("A") }], { force: false });
    await chmod(path, 0o400);
    const before = await readFile(path);
    const error = await rejection(writeProfiles(path, [{ profile: "qa", session: session("B") }], { force: false }));
    expect(error.exitCode).toBe(3);
    expect((await stat(path)).mode & 0o777).toBe(0o400);
    expect(await readFile(path)).toEqual(before);
  });

  it("keeps the owner and group of the file it replaces", async () => {
    await writeProfiles(path, [{ profile: "dev", session: session("A") }], { force: false });
    await chown(path, 65534, 65534);
    await writeProfiles(path, [{ profile: "qa", session: session("B") }], { force: false });
    const after = await stat(path);
    expect([after.uid, after.gid, after.mode & 0o777]).toEqual([65534, 65534, 0o600]);
  });

  it("keeps non-UTF-8 bytes (and a UTF-8 BOM) outside the written section byte for byte", async () => {
    await mkdir(join(folder, ".aws"));
    const original = Buffer.concat([
      Buffer.from([0xef, 0xbb, 0xbf]),
      Buffer.from("# J"),
      Buffer.from([0xf6]),
      Buffer.from("rg\n[caf"),
      Buffer.from([0xe9]),
      Buffer.from("]\nregion = x\n"),
    ]);
    await writeFile(path, original);
    await writeProfiles(path, [{ profile: "dev", session: session("A") }], { force: false });
    const after = await readFile(path);
    expect(after.subarray(0, original.length)).toEqual(original);
    expect(after.subarray(original.length).toString()).toMatch(/^\n\[dev\]\n/);
    // A non-ASCII profile name in such a file is found again (and the guard sees it).
    await writeProfiles(path, [{ profile: "é-dev", session: session("B") }], { force: false });
    expect((await readManagedProfiles(path)).map((profile) => profile.profile)).toEqual(["dev", "é-dev"]);
  });

  it("removes its own stale temporary files, not a live writer's, not others'", async () => {
    await mkdir(join(folder, ".aws"));
    const names = [
      ".credentials.rolecred-999999-aaaaaaaa.tmp",
      `.credentials.rolecred-${process.pid}-bbbbbbbb.tmp`,
      ".credentials.rolecred-999999-cccc.tmp.bak",
      ".config.rolecred-999999-dddddddd.tmp",
    ];
    const old = new Date(Date.now() - 60_000);
    for (const name of names) {
      await writeFile(join(folder, ".aws", name), "copy");
      await utimes(join(folder, ".aws", name), old, old);
    }
    await writeProfiles(path, [{ profile: "dev", session: session("A") }], { force: false });
    expect((await readdir(join(folder, ".aws"))).sort()).toEqual([...names.slice(1), "credentials"].sort());
  });
});

describe("credentials file: one parse per write (issue 16)", () => {
  const anHourAgo = new Date(Date.now() - 3_600_000);
  const keysOf = (name: string, id: string) => `[${name}]\naws_access_key_id = ${id}\naws_secret_access_key = s\naws_session_token = t\n`;

  it("still reads again under the lock a file another writer replaced after the precheck, even with the same size and times", async () => {
    await mkdir(join(folder, ".aws"), { recursive: true });
    await writeFile(path, keysOf("other", "ASIAOLD0000000000000"), { mode: 0o600 });
    await utimes(path, anHourAgo, anHourAgo);
    await precheckProfileWrites(path, ["dev"], { force: false });
    // Another writer renames in a file of the same size and modification time (a new inode).
    const replacement = join(folder, ".aws", "replacement");
    await writeFile(replacement, keysOf("other", "ASIANEW0000000000000"), { mode: 0o600 });
    await utimes(replacement, anHourAgo, anHourAgo);
    await rename(replacement, path);
    await writeProfiles(path, [{ profile: "dev", session: session("dev") }], { force: false });
    const text = await readFile(path, "utf8");
    expect(text).toContain("aws_access_key_id = ASIANEW0000000000000");
    expect(text).toContain("[dev]");
  });

  it("still reads again a file edited in place after the precheck, its modification time put back", async () => {
    await mkdir(join(folder, ".aws"), { recursive: true });
    await writeFile(path, keysOf("other", "ASIAOLD0000000000000"), { mode: 0o600 });
    await utimes(path, anHourAgo, anHourAgo);
    await precheckProfileWrites(path, ["dev"], { force: false });
    await writeFile(path, keysOf("other", "AKIALONGTERM00000000").replace("aws_session_token = t\n", "aws_session_tokn = t\n"));
    await utimes(path, anHourAgo, anHourAgo);
    await writeProfiles(path, [{ profile: "dev", session: session("dev") }], { force: false });
    expect(await readFile(path, "utf8")).toContain("aws_access_key_id = AKIALONGTERM00000000");
  });

  it("still applies the long-term-key guard under the lock to keys written after the precheck", async () => {
    await mkdir(join(folder, ".aws"), { recursive: true });
    await writeFile(path, "# nothing yet\n", { mode: 0o600 });
    await utimes(path, anHourAgo, anHourAgo);
    await precheckProfileWrites(path, ["dev"], { force: false });
    await writeFile(path, `# nothing yet\n${keysOf("dev", "AKIAJOEXAMPLE0000001").replace("aws_session_token = t\n", "")}`);
    const error = await rejection(writeProfiles(path, [{ profile: "dev", session: session("dev") }], { force: false }));
    expect(error.message).toContain("holds long-term access keys");
    expect(await readFile(path, "utf8")).toContain("AKIAJOEXAMPLE0000001");
  });

  it("writes the same bytes whether or not the precheck's parse is reused", async () => {
    await mkdir(join(folder, ".aws"), { recursive: true });
    const original = `# top\n${keysOf("a", "ASIAAAAAAAAAAAAAAAAA")}\n${keysOf("b", "ASIABBBBBBBBBBBBBBBB")}`;
    await writeFile(path, original, { mode: 0o600 });
    await writeProfiles(path, [{ profile: "a", session: session("a") }], { force: false });
    const fresh = await readFile(path, "utf8");
    await writeFile(path, original, { mode: 0o600 });
    await utimes(path, anHourAgo, anHourAgo);
    // Reused only once its change time (which cannot be set back) is a second old too (file-identity.ts).
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await precheckProfileWrites(path, ["a"], { force: false });
    await writeProfiles(path, [{ profile: "a", session: session("a") }], { force: false });
    expect(await readFile(path, "utf8")).toBe(fresh);
  });
});

describe("credentials file: a large file edited as its bytes (issue 16)", () => {
  const sectionOf = (index: number) =>
    `[org-${index}]\naws_access_key_id = ASIA${String(index).padStart(16, "0")}\naws_secret_access_key = s\naws_session_token = t${index}\nx_rolecred_managed = true\n`;
  const large = (count: number) => Array.from({ length: count }, (_, index) => sectionOf(index)).join("\n");

  it("rewrites one section in the middle of 5,000 and leaves every other byte identical", async () => {
    await mkdir(join(folder, ".aws"), { recursive: true });
    // A CRLF line near the top (added lines end as the file's first line does: \n here), a Latin-1
    // byte near the end: what is not edited is not decoded either.
    const before = Buffer.concat([Buffer.from(`# top\n# edited on Windows\r\n${large(5000)}\n# caf`), Buffer.from([0xe9]), Buffer.from("\n")]);
    await writeFile(path, before, { mode: 0o600 });
    await writeProfiles(path, [{ profile: "org-2500", session: session("M") }], { force: false });
    const after = await readFile(path);
    const old = Buffer.from(sectionOf(2500));
    const at = before.indexOf(old);
    const edited = [
      "[org-2500]",
      "aws_access_key_id = ASIAMXXXXXXXXXXXXXXX",
      "aws_secret_access_key = secret-M",
      "aws_session_token = token-M",
      "x_rolecred_managed = true",
      "x_security_token_expires = 2030-01-01T12:00:00.000Z",
      "x_rolecred_role_arn = arn:aws:iam::111111111111:role/Developer",
      "x_rolecred_session_arn = arn:aws:sts::111111111111:assumed-role/Developer/jo",
      "",
    ].join("\n");
    const expected = Buffer.concat([before.subarray(0, at), Buffer.from(edited), before.subarray(at + old.length)]);
    expect(after.equals(expected)).toBe(true);
  });

  it("refuses a broken line 20,000 lines from the edited section, naming it, and writes nothing", async () => {
    await mkdir(join(folder, ".aws"), { recursive: true });
    const before = `[dev]\nregion = eu-west-1\n\n${large(4000)}\nthis line is broken\n`;
    await writeFile(path, before, { mode: 0o600 });
    await utimes(path, anHourAgoOf(), anHourAgoOf());
    const error = await rejection(precheckProfileWrites(path, ["dev"], { force: false }));
    expect(error.message).toBe(`cannot parse ${path}, line 24004: not a [section], a key = value line or a comment`);
    expect(error.exitCode).toBe(3);
    const again = await rejection(writeProfiles(path, [{ profile: "dev", session: session("N") }], { force: false }));
    expect(again.message).toBe(error.message);
    expect(await readFile(path, "utf8")).toBe(before);
    expect((await stat(path)).mtimeMs).toBe(anHourAgoOf().getTime());
    expect(await readdir(join(folder, ".aws"))).toEqual(["credentials"]);
  });
});

function anHourAgoOf(): Date {
  return new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000 - 3_600_000);
}
