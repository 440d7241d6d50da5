import { mkdtemp, readFile, readdir, stat, symlink, writeFile, mkdir, lstat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import type { RoleSession } from "../../src/credentials/types.js";
import { readManagedProfiles, removeManagedProfiles, writeProfiles } from "../../src/store/credentials-file.js";
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
    const before = "# top comment\n[default]\naws_access_key_id = AKIALONGTERM\naws_secret_access_key = keep\n\n; dev is refreshed by rolecred\n[dev]\nregion = eu-west-1\naws_security_token = stale\n\n[zzz]\nx = 1\n";
    await writeFile(path, before, { mode: 0o644 });
    await writeProfiles(path, [{ profile: "dev", session: session("B") }], { force: false });
    const after = await readFile(path, "utf8");
    expect(after.startsWith("# top comment\n[default]\naws_access_key_id = AKIALONGTERM\naws_secret_access_key = keep\n\n; dev is refreshed by rolecred\n[dev]\nregion = eu-west-1\n")).toBe(true);
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
