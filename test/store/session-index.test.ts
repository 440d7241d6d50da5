import { execFileSync } from "node:child_process";
import { mkdtemp, readFile, readdir, rm, stat, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cacheFileName, listCachedSessions, writeCachedSession, type CachedSession } from "../../src/store/session-cache.js";
import { listedSession, listSessionsIndexed, SESSION_INDEX_FILE, sessionIndexPath } from "../../src/store/session-index.js";

const SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECRETKEY";
const TOKEN = `IQoJb3JpZ2luX2VjEXAMPLETOKEN${"x".repeat(40)}`;

function session(profile: string, extra: Partial<CachedSession> = {}): CachedSession {
  return {
    kind: "assume-role",
    profile,
    roleArn: `arn:aws:iam::111111111111:role/${profile}`,
    credentials: { accessKeyId: "ASIAEXAMPLE", secretAccessKey: SECRET, sessionToken: TOKEN, expiration: new Date("2030-01-01T12:00:00Z") },
    ...extra,
  };
}

/** What the listing without an index gives, in the indexed listing's shape. */
async function withoutIndex(directory: string) {
  return (await listCachedSessions(directory)).map(({ session }) => listedSession(session, session.credentials.expiration));
}

async function cacheWithSessions(): Promise<string> {
  const directory = join(await mkdtemp(join(tmpdir(), "rolecred-index-")), "cache");
  await writeCachedSession(
    directory,
    "k-dev",
    session("dev", { tags: { team: "a" }, policyArns: ["arn:aws:iam::aws:policy/ReadOnlyAccess"], clockOffsetMs: 7200_000 }),
  );
  await writeCachedSession(directory, "k-prod", session("prod", { kind: "session-token", roleArn: undefined, sourceIdentity: "jo" }));
  await writeCachedSession(directory, "k-ops", session("ops", { policy: '{"Version":"2012-10-17"}', packedPolicySize: 12 }));
  await writeFile(join(directory, cacheFileName("k-junk")), "{ not a session");
  return directory;
}

describe(listSessionsIndexed.name, () => {
  it("lists what the cache files hold, then answers from an index that holds no credentials", async () => {
    const directory = await cacheWithSessions();
    const expected = await withoutIndex(directory);
    expect(expected.map((entry) => entry.profile).sort()).toEqual(["dev", "ops", "prod"]);
    expect(await listSessionsIndexed(directory, Date.now())).toEqual(expected);
    const index = await readFile(sessionIndexPath(directory), "utf8");
    for (const secret of [SECRET, TOKEN, "ASIAEXAMPLE"]) expect(index).not.toContain(secret);
    expect((await stat(sessionIndexPath(directory))).mode & 0o777).toBe(0o600);
    expect((JSON.parse(index) as { files: unknown[] }).files).toHaveLength(4);
    // The second listing is answered from the index, with the same result.
    expect(await listSessionsIndexed(directory, Date.now())).toEqual(expected);
  });

  it.each([
    ["not JSON", () => "{ broken"],
    ["another version", (index: string) => index.replace('"version":2', '"version":9')],
    ["the format before this one", (index: string) => index.replace('"version":2', '"version":1')],
    ["an entry of the wrong shape", (index: string) => index.replace(/"assume-role","dev"/, '"assume-role",7')],
    ["an entry with a field missing", (index: string) => index.replace(/"assume-role","dev",/, '"assume-role",')],
    ["a tag that is not a string", (index: string) => index.replace('{"team":"a"}', '{"team":1}')],
    ["a forged identity of another type", (index: string) => index.replace(/(\["[0-9a-f]{16}\.json",)\d+/, '$1"1"')],
    ["an entry for a file that is gone", (index: string) => index.replace('"files":[', `"files":[["${"f".repeat(16)}.json",1,1,1,1],`)],
    ["an empty file", () => ""],
  ])("gives the same answer as no index when the index is damaged: %s", async (_name, damage) => {
    const directory = await cacheWithSessions();
    const expected = await withoutIndex(directory);
    await listSessionsIndexed(directory, Date.now());
    const path = sessionIndexPath(directory);
    const original = await readFile(path, "utf8");
    const damaged = damage(original);
    expect(damaged).not.toBe(original);
    await writeFile(path, damaged);
    expect(await listSessionsIndexed(directory, Date.now())).toEqual(expected);
    // ... and it is rewritten whole.
    expect(JSON.parse(await readFile(path, "utf8"))).toMatchObject({ version: 2 });
    expect(await listSessionsIndexed(directory, Date.now())).toEqual(expected);
  });

  it("reads a file again when it changed since the index was written, even with its old size and mtime", async () => {
    const directory = await cacheWithSessions();
    const file = join(directory, cacheFileName("k-dev"));
    // A whole second, so that it can be put back exactly.
    await utimes(file, 1_700_000_000, 1_700_000_000);
    await listSessionsIndexed(directory, Date.now());
    const text = await readFile(file, "utf8");
    // Edited in place: same length, modification time put back (the change time still moves).
    await writeFile(file, text.replace('"profile": "dev"', '"profile": "xyz"'));
    await utimes(file, 1_700_000_000, 1_700_000_000);
    expect((await stat(file)).mtimeMs).toBe(1_700_000_000_000);
    const listed = await listSessionsIndexed(directory, Date.now());
    expect(listed).toEqual(await withoutIndex(directory));
    expect(listed.map((entry) => entry.profile).sort()).toEqual(["ops", "prod", "xyz"]);
  });

  it("reads new files and drops replaced or removed ones", async () => {
    const directory = await cacheWithSessions();
    await listSessionsIndexed(directory, Date.now());
    await writeCachedSession(directory, "k-new", session("new"));
    await writeFile(join(directory, cacheFileName("k-ops")), "{}");
    await rm(join(directory, cacheFileName("k-prod")));
    const listed = await listSessionsIndexed(directory, Date.now());
    expect(listed).toEqual(await withoutIndex(directory));
    expect(listed.map((entry) => entry.profile).sort()).toEqual(["dev", "new"]);
  });

  it("does not read a FIFO planted in the cache, and lists an empty or missing folder as empty", async () => {
    const directory = await cacheWithSessions();
    execFileSync("mkfifo", [join(directory, cacheFileName("k-fifo"))]);
    expect(await listSessionsIndexed(directory, Date.now())).toEqual(await withoutIndex(directory));
    expect(await listSessionsIndexed(join(directory, "missing"), Date.now())).toEqual([]);
    expect(await readdir(join(directory, ".."))).toEqual(["cache"]);
  });
});

describe("the cache folder's identity", () => {
  /** A clock far enough ahead that every change made so far is over a second old. */
  const settledNow = () => Date.now() + 5_000;
  const pause = () => new Promise((resolve) => setTimeout(resolve, 30));

  it("is recorded only once the folder has settled (no change within the last second)", async () => {
    const directory = await cacheWithSessions();
    await listSessionsIndexed(directory, Date.now());
    expect(JSON.parse(await readFile(sessionIndexPath(directory), "utf8"))).toMatchObject({ version: 2, folder: null });
    await listSessionsIndexed(directory, settledNow());
    expect((JSON.parse(await readFile(sessionIndexPath(directory), "utf8")) as { folder: unknown }).folder).toEqual(
      expect.arrayContaining([expect.any(String)]),
    );
  });

  it("answers from the index alone while no name was added, removed or renamed: a file edited in place shows once the folder changes", async () => {
    const directory = await cacheWithSessions();
    // The first listing makes the index's own folder (a change of the cache folder, once); the second records the folder.
    await listSessionsIndexed(directory, settledNow());
    await listSessionsIndexed(directory, settledNow());
    const before = await withoutIndex(directory);
    // Edited in place (not by rolecred, which renames a new file into place): the folder is unchanged.
    const file = join(directory, cacheFileName("k-dev"));
    await writeFile(file, (await readFile(file, "utf8")).replace('"profile": "dev"', '"profile": "edited"'));
    expect(await listSessionsIndexed(directory, settledNow())).toEqual(before);
    // Any session rolecred writes changes the folder's names: every file is checked again.
    await pause();
    await writeCachedSession(directory, "k-new", session("new"));
    const listed = await listSessionsIndexed(directory, settledNow());
    expect(listed).toEqual(await withoutIndex(directory));
    expect(listed.map((entry) => entry.profile).sort()).toEqual(["edited", "new", "ops", "prod"]);
  });

  it.each([
    ["replaced by rename", (directory: string) => writeCachedSession(directory, "k-ops", session("ops", { sourceIdentity: "someone" }))],
    ["removed", (directory: string) => rm(join(directory, cacheFileName("k-ops")))],
  ])("sees a session %s in a settled folder", async (_name, change) => {
    const directory = await cacheWithSessions();
    await listSessionsIndexed(directory, settledNow());
    await listSessionsIndexed(directory, settledNow());
    await pause();
    await change(directory);
    expect(await listSessionsIndexed(directory, settledNow())).toEqual(await withoutIndex(directory));
  });

  it("removes the first format's index from the cache folder", async () => {
    const directory = await cacheWithSessions();
    await writeFile(join(directory, SESSION_INDEX_FILE), '{"version":1,"files":{}}\n');
    await listSessionsIndexed(directory, Date.now());
    expect(await readdir(directory)).not.toContain(SESSION_INDEX_FILE);
  });
});
