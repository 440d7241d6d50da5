import { execFileSync } from "node:child_process";
import { chown, mkdtemp, readdir, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cacheFileName, listCachedSessions, readCachedSession, writeCachedSession, type CachedSession } from "../../src/store/session-cache.js";

const NOW = new Date("2030-01-01T12:00:00Z");

function session(expiresInMinutes: number): CachedSession {
  return {
    kind: "assume-role",
    profile: "dev",
    roleArn: "arn:aws:iam::111111111111:role/Developer",
    credentials: { accessKeyId: "ASIAX", secretAccessKey: "s", sessionToken: "t", expiration: new Date(NOW.getTime() + expiresInMinutes * 60_000) },
  };
}

describe("session cache", () => {
  it("returns what was written for the same key while it has more than 5 minutes left", async () => {
    const directory = join(await mkdtemp(join(tmpdir(), "rolecred-cache-")), "cache");
    await writeCachedSession(directory, "key-1", session(60));
    expect((await readCachedSession(directory, "key-1", NOW)).session).toEqual(session(60));
    expect((await stat(directory)).mode & 0o777).toBe(0o700);
    expect((await stat(join(directory, cacheFileName("key-1")))).mode & 0o777).toBe(0o600);
    expect(await readdir(directory)).toEqual([cacheFileName("key-1")]);
  });

  it("refreshes within the 5-minute window", async () => {
    const directory = await mkdtemp(join(tmpdir(), "rolecred-cache-"));
    await writeCachedSession(directory, "k", session(4));
    const lookup = await readCachedSession(directory, "k", NOW);
    expect(lookup.session).toBeUndefined();
    expect(lookup.rejected).toMatch(/within 5 minutes/);
  });

  it.each([
    ["not JSON", "{ nope"],
    ["another program's JSON", JSON.stringify({ AccessKeyId: "x" })],
    ["another version", JSON.stringify({ version: 2, key: "k" })],
    [
      "a missing secret",
      JSON.stringify({
        version: 1,
        key: "k",
        kind: "assume-role",
        profile: "dev",
        credentials: { AccessKeyId: "a", SessionToken: "t", Expiration: "2031-01-01T00:00:00Z" },
      }),
    ],
    [
      "a bad expiry",
      JSON.stringify({
        version: 1,
        key: "k",
        kind: "assume-role",
        profile: "dev",
        credentials: { AccessKeyId: "a", SecretAccessKey: "s", SessionToken: "t", Expiration: "soon" },
      }),
    ],
  ])("never trusts a file with %s", async (_name, content) => {
    const directory = await mkdtemp(join(tmpdir(), "rolecred-cache-"));
    await writeFile(join(directory, cacheFileName("k")), content);
    const lookup = await readCachedSession(directory, "k", NOW);
    expect(lookup.session).toBeUndefined();
    expect(lookup.rejected).toMatch(/corrupt or not rolecred's/);
    expect(await listCachedSessions(directory)).toEqual([]);
  });

  it("never serves a file written for another key (a hash collision or a copied file)", async () => {
    const directory = await mkdtemp(join(tmpdir(), "rolecred-cache-"));
    await writeCachedSession(directory, "other-key", session(60));
    await writeFile(
      join(directory, cacheFileName("k")),
      await (await import("node:fs/promises")).readFile(join(directory, cacheFileName("other-key")), "utf8"),
    );
    expect((await readCachedSession(directory, "k", NOW)).session).toBeUndefined();
  });
});

describe(cacheFileName.name, () => {
  /** The 64-bit FNV-1a the cache names files with, computed the slow, obvious way. */
  function reference(text: string): string {
    let hash = 0xcbf29ce484222325n;
    for (let index = 0; index < text.length; index++) hash = ((hash ^ BigInt(text.charCodeAt(index))) * 0x100000001b3n) & 0xffffffffffffffffn;
    return `${hash.toString(16).padStart(16, "0")}.json`;
  }

  it.each(["", "a", "foobar", '{"kind":"keys","profile":"jo","accessKeyId":"AKIAJO"}', "ünïcödé ☃", "x".repeat(5000)])("is FNV-1a 64 of %j", (key) => {
    expect(cacheFileName(key)).toBe(reference(key));
  });
});

describe("session cache: issue 9 hardening", () => {
  it("keeps the owner of a cache file it replaces (sudo with the user's HOME)", async () => {
    const directory = await mkdtemp(join(tmpdir(), "rolecred-cache-"));
    await writeCachedSession(directory, "key-1", session(60));
    const file = join(directory, cacheFileName("key-1"));
    await chown(file, 65534, 65534);
    await writeCachedSession(directory, "key-1", session(90));
    const after = await stat(file);
    expect([after.uid, after.gid]).toEqual([65534, 65534]);
    expect((await readCachedSession(directory, "key-1", NOW)).session).toEqual(session(90));
  });

  it("a FIFO in place of a cache file is refused at once, not waited on", async () => {
    const directory = await mkdtemp(join(tmpdir(), "rolecred-cache-"));
    execFileSync("mkfifo", [join(directory, cacheFileName("key-1"))]);
    const lookup = await readCachedSession(directory, "key-1", NOW);
    expect(lookup.session).toBeUndefined();
    expect(lookup.rejected).toMatch(/is a FIFO, not a regular file/);
  });

  it("judges expiry on STS's clock when the session recorded an offset (clock 2 h ahead)", async () => {
    const directory = await mkdtemp(join(tmpdir(), "rolecred-cache-"));
    // STS issued a 1 h session; this machine's clock reads 2 h later than STS's.
    const aheadNow = new Date(NOW.getTime() + 2 * 3600_000);
    const issued = { ...session(60), clockOffsetMs: -2 * 3600_000 };
    await writeCachedSession(directory, "key-1", issued);
    expect((await readCachedSession(directory, "key-1", aheadNow)).session).toEqual(issued);
    await writeCachedSession(directory, "key-2", session(60));
    expect((await readCachedSession(directory, "key-2", aheadNow)).session).toBeUndefined();
  });
});

describe("session cache: the on-disk format of version 1 is kept", () => {
  /** A file exactly as rolecred wrote it before the one session vocabulary (commit 168b9cd). */
  const OLD_ASSUME_ROLE_FILE = `${JSON.stringify(
    {
      version: 1,
      key: "k",
      kind: "assume-role",
      profile: "dev",
      roleArn: "arn:aws:iam::111111111111:role/Developer",
      assumedRoleArn: "arn:aws:sts::111111111111:assumed-role/Developer/jo",
      sessionName: "jo",
      sourceIdentity: "jo",
      region: "eu-west-1",
      mfaSerial: "arn:aws:iam::111111111111:mfa/jo",
      packedPolicySize: 12,
      policy: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}',
      policyArns: ["arn:aws:iam::aws:policy/ReadOnlyAccess"],
      tags: { team: "blue" },
      transitiveTagKeys: ["team"],
      clockOffsetMs: 60000,
      credentials: { AccessKeyId: "ASIAOLD", SecretAccessKey: "old-secret", SessionToken: "old-token", Expiration: "2030-01-01T13:00:00.000Z" },
    },
    null,
    2,
  )}\n`;

  const OLD_SESSION: CachedSession = {
    kind: "assume-role",
    profile: "dev",
    roleArn: "arn:aws:iam::111111111111:role/Developer",
    assumedRoleArn: "arn:aws:sts::111111111111:assumed-role/Developer/jo",
    sessionName: "jo",
    sourceIdentity: "jo",
    region: "eu-west-1",
    mfaSerial: "arn:aws:iam::111111111111:mfa/jo",
    packedPolicySize: 12,
    policy: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}',
    policyArns: ["arn:aws:iam::aws:policy/ReadOnlyAccess"],
    tags: { team: "blue" },
    transitiveTagKeys: ["team"],
    clockOffsetMs: 60000,
    credentials: { accessKeyId: "ASIAOLD", secretAccessKey: "old-secret", sessionToken: "old-token", expiration: new Date("2030-01-01T13:00:00.000Z") },
  };

  it("reads a file an earlier rolecred wrote, every field", async () => {
    const directory = await mkdtemp(join(tmpdir(), "rolecred-cache-"));
    await writeFile(join(directory, cacheFileName("k")), OLD_ASSUME_ROLE_FILE);
    expect((await readCachedSession(directory, "k", NOW)).session).toEqual(OLD_SESSION);
  });

  it("writes the same bytes an earlier rolecred wrote for the same session", async () => {
    const directory = await mkdtemp(join(tmpdir(), "rolecred-cache-"));
    await writeCachedSession(directory, "k", OLD_SESSION);
    expect(await (await import("node:fs/promises")).readFile(join(directory, cacheFileName("k")), "utf8")).toBe(OLD_ASSUME_ROLE_FILE);
  });

  it("reads the empty session name an earlier rolecred invented (Roles Anywhere naming no assumed-role user) as unknown", async () => {
    const directory = await mkdtemp(join(tmpdir(), "rolecred-cache-"));
    const old = {
      version: 1,
      key: "k",
      kind: "roles-anywhere",
      profile: "ra",
      roleArn: "arn:aws:iam::111111111111:role/pipeline",
      assumedRoleArn: "",
      sessionName: "",
      region: "eu-west-1",
      credentials: { AccessKeyId: "ASIARA", SecretAccessKey: "s", SessionToken: "t", Expiration: "2030-01-01T13:00:00.000Z" },
    };
    await writeFile(join(directory, cacheFileName("k")), JSON.stringify(old, null, 2));
    const { session } = await readCachedSession(directory, "k", NOW);
    expect(session?.roleArn).toBe("arn:aws:iam::111111111111:role/pipeline");
    expect(session?.assumedRoleArn).toBeUndefined();
    expect(session?.sessionName).toBeUndefined();
  });
});
