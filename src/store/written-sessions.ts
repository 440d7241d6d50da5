/**
 * The sessions rolecred wrote into the credentials file (its marker key set), for `status`: the
 * four keys it shows of each section, read in one pass over the lines without building the
 * section → key → value map of every section (10,000 managed sections are 10 MB, 70,000 lines of
 * keys `status` never shows).
 *
 * What it reads is exactly what the tolerant parse (`readIniSections`, as the AWS SDK reads the
 * file) gives for those keys: the classifier of ini-document.ts decides every line, except a line
 * that starts with a letter, digit or underscore, which can only be an entry or an invalid line;
 * for those it does what the classifier does (test/store/written-sessions.test.ts compares the two
 * on hostile and generated files).
 *
 * The same pass notes whatever the writer's strict parse would refuse (a repeated section or key,
 * a line that is none of section, entry or comment). The file is listed anyway, as the SDK reads
 * it; the writer's own parse then names the first problem, in the words `write` refuses with.
 */
import { isUtf8 } from "node:buffer";
import { statSync } from "node:fs";
import { BoundedReadError, READ_LIMITS, readOptionalTextSync, readRegularFileSync } from "./bounded-read.js";
import { writeFileAtomic } from "./atomic-write.js";
import { identityOfStats, sameIdentity, settledLongEnough, type FileIdentity } from "./file-identity.js";
import { parseJsonRecord } from "./json-file.js";
import { IniSyntaxError, LineClassifier, type IniLine } from "./ini-document.js";
import { IniByteDocument } from "./ini-bytes.js";
import { EXPIRY_KEY, MANAGED_MARKER_KEY, ROLE_ARN_KEY, SOURCE_IDENTITY_KEY } from "./credentials-file.js";

/** The keys of a managed section that `status` shows. */
const SHOWN_KEYS: ReadonlySet<string> = new Set([MANAGED_MARKER_KEY, EXPIRY_KEY, ROLE_ARN_KEY, SOURCE_IDENTITY_KEY]);

export interface WrittenSession {
  readonly profile: string;
  readonly roleArn: string | undefined;
  readonly expiration: Date | undefined;
  readonly sourceIdentity: string | undefined;
}

export interface WrittenSessions {
  readonly sessions: WrittenSession[];
  /** What the writer's parse refuses in this file (`line 7: section [a] repeats …`), if anything. */
  readonly writeProblem: string | undefined;
}

/** `\w`, the classifier's "plain" first character: such a line is an entry or an invalid line. */
function isWordCode(code: number): boolean {
  return (code >= 0x61 && code <= 0x7a) || (code >= 0x41 && code <= 0x5a) || (code >= 0x30 && code <= 0x39) || code === 0x5f;
}

/** The shown keys of each section (keys lower-cased, values trimmed), and whether the strict parse has anything to refuse. */
export function scanShownKeys(text: string): { sections: Map<string, Map<string, string>>; suspect: boolean } {
  // As readIniSections: the BOM (as text, or as its three bytes read as Latin-1) is not part of
  // the first line, and \r\n and a lone \r end lines as \n does.
  const bom = text.startsWith("\uFEFF") ? 1 : text.startsWith("\u00EF\u00BB\u00BF") ? 3 : 0;
  let body = bom === 0 ? text : text.slice(bom);
  if (body.includes("\r")) body = body.replace(/\r\n|\r/g, "\n");
  const classifier = new LineClassifier();
  const line: IniLine = { text: "", eol: "\n", kind: "blank" };
  const sections = new Map<string, Map<string, string>>();
  let current: Map<string, string> | undefined;
  let suspect = false;
  // Where the next "=" and ":" are, searched again only once passed: a line without either must
  // not make each search read the rest of the file.
  let nextEquals = body.indexOf("=");
  let nextColon = body.indexOf(":");
  let lineNumber = 0;
  for (let start = 0; start < body.length;) {
    const feed = body.indexOf("\n", start);
    const end = feed === -1 ? body.length : feed;
    lineNumber++;
    if (isWordCode(body.charCodeAt(start))) {
      // LineClassifier.classify for a plain line: an entry at the first "=" or ":", else invalid.
      if (nextEquals !== -1 && nextEquals < start) nextEquals = body.indexOf("=", start);
      if (nextColon !== -1 && nextColon < start) nextColon = body.indexOf(":", start);
      const equals = nextEquals !== -1 && nextEquals < end ? nextEquals : -1;
      const colon = nextColon !== -1 && nextColon < end ? nextColon : -1;
      const at = equals === -1 ? colon : colon === -1 ? equals : Math.min(equals, colon);
      if (at === -1 || classifier.currentSection === undefined) {
        suspect = true; // not a line the strict parse accepts; nothing changes in the tolerant one
      } else {
        const key = body.slice(start, at).trim().toLowerCase();
        if (classifier.keysInSection.has(key)) suspect = true;
        classifier.keysInSection.set(key, lineNumber);
        classifier.previousContent = "entry";
        if (SHOWN_KEYS.has(key) && current !== undefined) current.set(key, body.slice(at + 1, end).trim());
      }
    } else {
      line.text = body.slice(start, end);
      line.section = undefined;
      line.key = undefined;
      line.value = undefined;
      classifier.classify(line, lineNumber);
      if (line.kind === "section" && line.section !== undefined) {
        current = sections.get(line.section);
        if (current === undefined) sections.set(line.section, (current = new Map()));
      } else if (line.kind === "entry" && line.key !== undefined && current !== undefined && SHOWN_KEYS.has(line.key)) {
        current.set(line.key, line.value ?? "");
      }
      // A continuation's key is `parent.key`, never one of the shown keys (they have no dot).
    }
    start = end + 1;
  }
  return { sections, suspect: suspect || classifier.problems.length > 0 };
}

/** The first problem the writer's parse (credentials-file.ts) finds in `bytes`, worded as `write` words it. */
function writerProblem(bytes: Buffer): string | undefined {
  try {
    IniByteDocument.parse(bytes);
    return undefined;
  } catch (error) {
    if (error instanceof IniSyntaxError) return error.message;
    throw error;
  }
}

/**
 * The managed sessions of the credentials file at `path` (none when it is missing), in file order
 * of their first header, and what `write` would refuse in it.
 */
export function readWrittenSessions(path: string): WrittenSessions {
  let bytes: Buffer;
  try {
    bytes = readRegularFileSync(path, { what: "the credentials file", maxBytes: READ_LIMITS.awsFile });
  } catch (error) {
    if (error instanceof BoundedReadError && error.reason === "missing") return { sessions: [], writeProblem: undefined };
    throw error;
  }
  const { sections, suspect } = scanShownKeys(bytes.toString("utf8"));
  const sessions: WrittenSession[] = [];
  for (const [profile, section] of sections) {
    if (section.get(MANAGED_MARKER_KEY) !== "true") continue;
    const expires = section.get(EXPIRY_KEY);
    const expiration = expires === undefined ? undefined : new Date(expires);
    sessions.push({
      profile,
      roleArn: section.get(ROLE_ARN_KEY),
      expiration: expiration !== undefined && !Number.isNaN(expiration.getTime()) ? expiration : undefined,
      sourceIdentity: section.get(SOURCE_IDENTITY_KEY),
    });
  }
  // The writer reads a file that is not valid UTF-8 byte for byte as Latin-1, where its lines may
  // classify differently than in this UTF-8 reading: its own parse decides then, as on suspicion.
  const writeProblem = suspect || !isUtf8(bytes) ? writerProblem(bytes) : undefined;
  return { sessions, writeProblem };
}

/** The memo of {@link rememberedWrittenSessions}, beside the session index in the cache folder. */
export const WRITTEN_SESSIONS_MEMO_FILE = "credentials-sessions.json";
const MEMO_FORMAT_VERSION = 1;
/** 10,000 managed sections make a memo of about 1 MB. */
const MEMO_MAX_BYTES = 64 * 1024 * 1024;

const nullable = <T>(value: T | undefined): T | null => (value === undefined ? null : value);

function memoText(path: string, identity: FileIdentity, written: WrittenSessions): string {
  const sessions = written.sessions.map((session) => [
    session.profile,
    nullable(session.roleArn),
    nullable(session.expiration?.getTime()),
    nullable(session.sourceIdentity),
  ]);
  const stored = [identity.dev, identity.ino, identity.size, identity.mtimeNs, identity.ctimeNs].map(String);
  return `${JSON.stringify({ version: MEMO_FORMAT_VERSION, path, identity: stored, writeProblem: nullable(written.writeProblem), sessions })}\n`;
}

const optional = (value: unknown): string | undefined | false => (value === null ? undefined : typeof value === "string" ? value : false);

/** The memo's sessions when it was made of the file at `path` with exactly this identity; undefined otherwise or when anything in it is off. */
function memoFor(text: string | undefined, path: string, identity: FileIdentity): WrittenSessions | undefined {
  const memo = text === undefined ? undefined : parseJsonRecord(text);
  if (memo?.version !== MEMO_FORMAT_VERSION || memo.path !== path || !Array.isArray(memo.sessions)) return undefined;
  const stored = memo.identity;
  if (!Array.isArray(stored) || stored.length !== 5 || !stored.every((value) => typeof value === "string" && /^\d{1,30}$/.test(value))) return undefined;
  const [dev, ino, size, mtimeNs, ctimeNs] = (stored as string[]).map(BigInt) as [bigint, bigint, bigint, bigint, bigint];
  if (!sameIdentity({ dev, ino, size, mtimeNs, ctimeNs }, identity)) return undefined;
  const writeProblem = optional(memo.writeProblem);
  if (writeProblem === false) return undefined;
  const sessions: WrittenSession[] = [];
  for (const entry of memo.sessions as unknown[]) {
    if (!Array.isArray(entry) || entry.length !== 4) return undefined;
    const [profile, roleArn, expiresAt, sourceIdentity] = entry as unknown[];
    const role = optional(roleArn);
    const source = optional(sourceIdentity);
    if (typeof profile !== "string" || role === false || source === false) return undefined;
    if (expiresAt !== null && (typeof expiresAt !== "number" || !Number.isFinite(expiresAt))) return undefined;
    sessions.push({ profile, roleArn: role, expiration: expiresAt === null ? undefined : new Date(expiresAt), sourceIdentity: source });
  }
  return { sessions, writeProblem };
}

/**
 * {@link readWrittenSessions}, remembered in `memoPath` with the file's identity (device, inode,
 * size, modification and change times): while the credentials file keeps that identity, its
 * managed sessions are taken from the memo and the file (10 MB with 10,000 sessions) is not read.
 * Any change to the file (written in place or replaced) changes its identity. A file changed
 * within the last second is not remembered (file times come from a coarse clock), and a missing,
 * damaged or foreign memo counts as none. Anything but a regular file is left to
 * readWrittenSessions, which refuses it as before.
 */
export async function rememberedWrittenSessions(path: string, memoPath: string, nowMs: number): Promise<WrittenSessions> {
  let identity: FileIdentity;
  try {
    const stats = statSync(path, { bigint: true });
    if (!stats.isFile()) return readWrittenSessions(path);
    identity = identityOfStats(stats);
  } catch {
    return readWrittenSessions(path);
  }
  let memoContent: string | undefined;
  try {
    memoContent = readOptionalTextSync(memoPath, { what: "the status memo", maxBytes: MEMO_MAX_BYTES });
  } catch {
    memoContent = undefined;
  }
  const remembered = memoFor(memoContent, path, identity);
  if (remembered !== undefined) return remembered;
  // The identity seen before the read: if the file changes during it, the next listing sees another.
  const written = readWrittenSessions(path);
  if (settledLongEnough(identity, nowMs)) {
    try {
      await writeFileAtomic(memoPath, memoText(path, identity, written), { mode: 0o600, directoryMode: 0o700, what: "the status memo" });
    } catch {
      // A cache folder rolecred cannot write to: list without the memo.
    }
  }
  return written;
}
