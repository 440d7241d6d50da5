/**
 * `status` reads the managed sessions of the credentials file with its own pass over the lines
 * (src/store/written-sessions.ts): the keys it shows must be exactly what the whole tolerant parse
 * (`readIniSections`, as the AWS SDK reads the file) gives, and a file the writer refuses must be
 * noticed, named in the writer's words.
 */
import { execFileSync } from "node:child_process";
import { appendFile, mkdtemp, readFile, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { IniDocument, IniSyntaxError, readIniSections } from "../../src/store/ini-document.js";
import { readWrittenSessions, rememberedWrittenSessions, scanShownKeys } from "../../src/store/written-sessions.js";

const SHOWN = ["x_rolecred_managed", "x_security_token_expires", "x_rolecred_role_arn", "x_rolecred_source_identity"];

/** The whole parse, narrowed to the shown keys (sections kept even when they hold none). */
function wholeParse(text: string): Map<string, Map<string, string>> {
  const narrowed = new Map<string, Map<string, string>>();
  for (const [name, section] of readIniSections(text)) narrowed.set(name, new Map([...section].filter(([key]) => SHOWN.includes(key))));
  return narrowed;
}

/** Whether the strict parse (the writer's rules) refuses the text. */
function strictRefuses(text: string): boolean {
  try {
    IniDocument.parse(text);
    return false;
  } catch (error) {
    if (error instanceof IniSyntaxError) return true;
    throw error;
  }
}

function agrees(text: string): void {
  const scanned = scanShownKeys(text);
  expect(scanned.sections).toEqual(wholeParse(text));
  // Every file the writer refuses is suspected (the writer's parse then names the problem).
  if (strictRefuses(text)) expect(scanned.suspect).toBe(true);
}

describe(scanShownKeys.name, () => {
  it("reads the shown keys as the whole parse does: case, `:`, spaces, repeats, CRLF, a BOM", () => {
    agrees(
      "\uFEFF[a]\r\nX_ROLECRED_MANAGED = true\r\nx_rolecred_role_arn: arn:aws:iam::1:role/R\r\n[b]\nx_rolecred_managed=true \n  x_security_token_expires = 2099-01-01T00:00:00Z\n",
    );
    agrees("[a]\nx_rolecred_managed = true\n[b]\n[a]\nx_rolecred_managed = false\nx_rolecred_source_identity = jo\n");
    agrees("[a]\rx_rolecred_managed = true\rx_rolecred_role_arn = r=1:2\r");
  });

  it("tells indented keys apart as the classifier does: an entry after a header, a continuation after a key", () => {
    agrees("[a]\n  x_rolecred_managed = true\n[b]\nregion = x\n  x_rolecred_managed = true\n[c]\ns3 =\n  x_rolecred_managed = true\n");
    agrees("[a]\n# note\n\n\tx_rolecred_role_arn = r\nbad line\n  x_rolecred_source_identity = s\n");
  });

  it("skips what is no header or no entry: keys before any section, junk lines, bad headers", () => {
    agrees("x_rolecred_managed = true\n[ a ]\nx_rolecred_managed = true\n[]\nx_rolecred_role_arn = r\n[__proto__]\nx_rolecred_managed = true\n[b] junk\n");
    agrees("[a]\nx_rolecred_managed\n[a=b\nx_rolecred_managed = true\n[c\n-x = 1\né = 2\n");
  });

  it("agrees with the whole parse on generated files of hostile lines, and suspects every file the writer refuses", () => {
    const pieces = [
      "[a]",
      "[b]",
      "[ a ]",
      "[]",
      "[a] x",
      "  [a]",
      "x_rolecred_managed = true",
      "X_Rolecred_Managed: true",
      "x_rolecred_managed = false",
      "  x_rolecred_managed = true",
      "x_security_token_expires = 2099-01-01T00:00:00Z",
      "x_rolecred_role_arn = arn:aws:iam::111111111111:role/R",
      "\tx_rolecred_role_arn = r2",
      "x_rolecred_source_identity =",
      "x_rolecred_managed",
      "region =",
      "  y = 2",
      "# [a]",
      "; c",
      "",
      "é = [",
      "[é]",
      "=x",
      "\u00a0x_rolecred_managed = true",
      "[__proto__]",
    ];
    const endings = ["\n", "\r\n", "\r"];
    let seed = 11;
    const random = (below: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % below;
    };
    let refused = 0;
    for (let file = 0; file < 3000; file++) {
      const lines = Array.from({ length: 1 + random(14) }, () => pieces[random(pieces.length)] ?? "");
      const ending = endings[random(endings.length)] ?? "\n";
      const text = (random(6) === 0 ? "\uFEFF" : "") + lines.join(ending) + (random(2) === 0 ? ending : "");
      agrees(text);
      if (strictRefuses(text)) refused++;
    }
    // Both kinds of file were generated.
    expect(refused).toBeGreaterThan(100);
    expect(refused).toBeLessThan(2900);
  });
});

describe(readWrittenSessions.name, () => {
  async function credentialsFile(text: string | Buffer): Promise<string> {
    const path = join(await mkdtemp(join(tmpdir(), "rolecred-written-")), "credentials");
    await writeFile(path, text);
    return path;
  }

  it("lists the managed sections with their role, expiry and source identity, and no problem in a clean file", async () => {
    const path = await credentialsFile(
      "[jo]\naws_access_key_id = AKIAJO\naws_secret_access_key = s\n\n[dev]\naws_access_key_id = ASIA1\naws_secret_access_key = s\naws_session_token = t\nx_security_token_expires = 2099-01-01T00:00:00Z\nx_rolecred_managed = true\nx_rolecred_role_arn = arn:aws:iam::111111111111:role/Dev\n[odd]\nx_rolecred_managed = true\nx_security_token_expires = not a date\n",
    );
    expect(readWrittenSessions(path)).toEqual({
      sessions: [
        { profile: "dev", roleArn: "arn:aws:iam::111111111111:role/Dev", expiration: new Date("2099-01-01T00:00:00Z"), sourceIdentity: undefined },
        { profile: "odd", roleArn: undefined, expiration: undefined, sourceIdentity: undefined },
      ],
      writeProblem: undefined,
    });
    expect(readWrittenSessions(join(path, "..", "missing"))).toEqual({ sessions: [], writeProblem: undefined });
  });

  it.each([
    ["a repeated section", "[a]\nx_rolecred_managed = true\n[b]\n[a]\nx = 1\n", "line 4: section [a] repeats the one on line 1 (the AWS CLI rejects this too)"],
    ["a repeated key", "[a]\nx_rolecred_managed = true\nX_ROLECRED_MANAGED = true\n", 'line 3: key "x_rolecred_managed" repeats the one on line 2 in [a]'],
    ["a junk line", "[a]\nx_rolecred_managed = true\njunk\n", "line 3: not a [section], a key = value line or a comment"],
    ["a key before any section", "region = x\n[a]\nx_rolecred_managed = true\n", 'line 1: key "region" comes before any [section]'],
    [
      "spaces inside a header",
      "[a]\nx_rolecred_managed = true\n[ b ]\n",
      "line 3: section header [ b ] has spaces inside the brackets; the AWS CLI and SDKs do not read it as [b]",
    ],
  ])("names what the writer refuses (%s) in its words, and still lists the sessions", async (_name, text, problem) => {
    const written = readWrittenSessions(await credentialsFile(text));
    expect(written.writeProblem).toBe(problem);
    expect(written.sessions.map((session) => session.profile)).toEqual(["a"]);
  });

  it("asks the writer's parse about a file that is not UTF-8 (it reads such a file as Latin-1)", async () => {
    const bytes = Buffer.concat([Buffer.from("[a]\nx_rolecred_managed = true\n# caf"), Buffer.from([0xe9]), Buffer.from("\n[a]\n")]);
    expect(readWrittenSessions(await credentialsFile(bytes)).writeProblem).toBe("line 4: section [a] repeats the one on line 1 (the AWS CLI rejects this too)");
  });
});

describe(rememberedWrittenSessions.name, () => {
  const MANAGED =
    "[dev]\naws_access_key_id = ASIA1\naws_secret_access_key = SECRETKEYSECRETKEY\naws_session_token = TOKENTOKENTOKEN\nx_security_token_expires = 2099-01-01T00:00:00Z\nx_rolecred_managed = true\nx_rolecred_role_arn = arn:aws:iam::111111111111:role/Dev\n";
  /** A clock far enough ahead that the file's last change is over a second old. */
  const settledNow = () => Date.now() + 5_000;

  async function files(text: string): Promise<{ path: string; memo: string }> {
    const directory = await mkdtemp(join(tmpdir(), "rolecred-memo-"));
    await writeFile(join(directory, "credentials"), text);
    return { path: join(directory, "credentials"), memo: join(directory, "status-index", "memo.json") };
  }

  it("answers from the memo while the file keeps its identity, and reads the file again once it changed", async () => {
    const { path, memo } = await files(MANAGED);
    const first = await rememberedWrittenSessions(path, memo, settledNow());
    expect(first).toEqual(readWrittenSessions(path));
    const text = await readFile(memo, "utf8");
    for (const secret of ["SECRETKEYSECRETKEY", "TOKENTOKENTOKEN", "ASIA1"]) expect(text).not.toContain(secret);
    expect((await stat(memo)).mode & 0o777).toBe(0o600);
    // What the memo says is what is listed: the file itself was not read.
    await writeFile(memo, text.replace('"dev"', '"from-the-memo"'));
    expect((await rememberedWrittenSessions(path, memo, settledNow())).sessions.map((session) => session.profile)).toEqual(["from-the-memo"]);
    // Written in place: another identity, so the file is read (and remembered) again.
    await appendFile(path, "[dev]\nx_rolecred_source_identity = jo\n");
    const changed = await rememberedWrittenSessions(path, memo, settledNow());
    expect(changed).toEqual(readWrittenSessions(path));
    expect(changed.writeProblem).toMatch(/section \[dev\] repeats/);
    expect(await rememberedWrittenSessions(path, memo, settledNow())).toEqual(changed);
  });

  it("does not remember a file changed within the last second, nor trust a damaged memo", async () => {
    const { path, memo } = await files(MANAGED);
    await rememberedWrittenSessions(path, memo, Date.now());
    await expect(stat(memo)).rejects.toThrow();
    await rememberedWrittenSessions(path, memo, settledNow());
    const text = await readFile(memo, "utf8");
    for (const damaged of [
      "",
      "{",
      text.replace('"dev"', "7"),
      text.replace(/"identity":\["\d+"/, '"identity":["1"'),
      text.replace('"version":1', '"version":2'),
    ]) {
      await writeFile(memo, damaged);
      expect(await rememberedWrittenSessions(path, memo, Date.now())).toEqual(readWrittenSessions(path));
    }
  });

  it("lists a missing file as empty and refuses a FIFO as the read does", async () => {
    const { path, memo } = await files("");
    expect(await rememberedWrittenSessions(`${path}-missing`, memo, settledNow())).toEqual({ sessions: [], writeProblem: undefined });
    execFileSync("mkfifo", [`${path}-fifo`]);
    await expect(rememberedWrittenSessions(`${path}-fifo`, memo, settledNow())).rejects.toThrow(/not a regular file|FIFO/i);
  });
});
