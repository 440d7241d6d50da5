/**
 * The shared credentials file (~/.aws/credentials): rolecred's only writer of it.
 *
 * Every write takes the lock, re-reads the file under it, changes only the sections it means to,
 * and replaces the file atomically at mode 0600. A file that cannot be parsed is never written,
 * and a section that holds the user's own long-term keys is never overwritten without --force.
 */
import { close, fstatSync, readSync, statSync } from "node:fs";
import { dirname } from "node:path";
import { ExitCode, RolecredError, usageError } from "../errors.js";
import type { TemporaryCredentials } from "../credentials/types.js";
import { IniSyntaxError } from "./ini-document.js";
import { IniByteDocument, SCAN_CHUNK_BYTES, ScannedFileChanged, type ByteIndex, type ByteRange, type WritePiece } from "./ini-bytes.js";
import {
  assertReplaceable,
  CopySourceChanged,
  discardPreparedCopy,
  prepareCopy,
  resolveWriteTarget,
  writeFileAtomic,
  type CopiedContents,
  type WrittenFile,
  type PreparedCopy,
} from "./atomic-write.js";
import { makeDirectorySync } from "./ownership.js";
import { BoundedReadError, keptBytesOf, openRegularFileSync, READ_LIMITS, readOpenedFileSync, type OpenedRegularFile } from "./bounded-read.js";
import { withFileLock, type LockWaitNotice } from "./lock.js";
import { sweepAbandonedRequests, writeThroughQueue } from "./write-queue.js";
import { identityOfStats, sameIdentity, settledLongEnough, type FileIdentity } from "./file-identity.js";
import { offerScannedSections } from "./scanned-sections.js";
import {
  checkContent,
  ContentDigest,
  indexMatchesBytes,
  loadCrc32,
  readRememberedScan,
  readRememberedScanOfPath,
  rememberScan,
  REMEMBER_SCAN_FROM_BYTES,
  type Crc32,
  type RememberedScan,
} from "./remembered-scan.js";
import { noteCredentialsWrite } from "./listing-notes.js";
import { BLOCK_BYTES, blocksOfBytes, blocksOfScan, reuseBlocks, writtenBlocks, type ScanBlocks } from "./scan-blocks.js";

/** Marks a section as rolecred's: safe to overwrite on refresh and to delete on logout. */
export const MANAGED_MARKER_KEY = "x_rolecred_managed";
/** The expiry key saml2aws and gimme-aws-creds also write, so other tools can read it. */
export const EXPIRY_KEY = "x_security_token_expires";
export const ROLE_ARN_KEY = "x_rolecred_role_arn";
export const SESSION_ARN_KEY = "x_rolecred_session_arn";
export const SOURCE_IDENTITY_KEY = "x_rolecred_source_identity";

/**
 * Keys a refresh must not leave behind. `aws_security_token` matters most: botocore (the AWS CLI)
 * prefers it over aws_session_token, so a stale one left by another tool would shadow the new
 * session.
 */
const REPLACED_KEYS = new Set([
  "aws_access_key_id",
  "aws_secret_access_key",
  "aws_session_token",
  "aws_security_token",
  EXPIRY_KEY,
  MANAGED_MARKER_KEY,
  ROLE_ARN_KEY,
  SESSION_ARN_KEY,
  SOURCE_IDENTITY_KEY,
]);

/** What a profile section records: the credentials, and who they act as when known. */
export interface WritableSession {
  readonly credentials: TemporaryCredentials;
  readonly roleArn?: string | undefined;
  readonly assumedRoleArn?: string | undefined;
  readonly sourceIdentity?: string | undefined;
}

export interface ProfileWrite {
  readonly profile: string;
  readonly session: WritableSession;
}

export interface WriteOptions {
  /** Overwrite a section that holds long-term keys (the user's own). */
  readonly force: boolean;
  /** Told once when the write has waited over a second for another rolecred's lock. */
  readonly onLockWait?: LockWaitNotice | undefined;
  /**
   * The cache folder, where the scan of a large credentials file is remembered for the next
   * write (store/remembered-scan.ts) and `profiles` is left a note of what changed
   * (store/listing-notes.ts); without it every write scans the file.
   */
  readonly cacheDirectory?: string | undefined;
  /** Told how the file was read (scanned, or its remembered scan used): `--verbose`. */
  readonly onVerbose?: ((message: string) => void) | undefined;
}

/** Where and how a scan is remembered: {@link WriteOptions}' cacheDirectory and onVerbose. */
interface Remember {
  readonly cacheDirectory: string;
  readonly onVerbose: (message: string) => void;
}

function rememberOf(options: WriteOptions): Remember | undefined {
  const { cacheDirectory, onVerbose } = options;
  return cacheDirectory === undefined ? undefined : { cacheDirectory, onVerbose: onVerbose ?? (() => undefined) };
}

/** A section rolecred wrote, as `status` and `logout` see it. */
export interface ManagedProfile {
  readonly profile: string;
  readonly roleArn: string | undefined;
  readonly sessionArn: string | undefined;
  readonly expiration: Date | undefined;
  readonly sourceIdentity: string | undefined;
}

/**
 * A loaded credentials file, parsed (ini-bytes.ts). A file that is valid UTF-8 is read as UTF-8;
 * any other file (a Latin-1 comment, a stray byte) byte for byte as Latin-1
 * (`document.encoding`), so the lines rolecred does not edit are written back exactly as they
 * were read.
 */
type LoadedDocument = IniByteDocument;

/**
 * A file scanned a chunk at a time, never held (IniByteDocument.scanFile): it stays open, its
 * sections are read back from it and a write copies its untouched bytes from it, for as long as
 * it keeps the identity it had when scanned.
 */
interface ScannedFile {
  readonly path: string;
  readonly opened: OpenedRegularFile;
  closed: boolean;
}

interface Loaded {
  readonly document: LoadedDocument;
  /** Set when the document was scanned from the open file, not parsed from bytes held in memory. */
  readonly scanned?: ScannedFile | undefined;
  /** The scanned file's CRC-32 (with checkpoints) and whether it is UTF-8: a file large enough to remember. */
  readonly digest?: ContentDigest | undefined;
  /** The file is valid UTF-8 (known without asking the document: a remembered scan is only of such files). */
  readonly utf8?: boolean | undefined;
  /** Set when the document is the remembered scan's, not scanned now. */
  readonly fromRecord?: boolean | undefined;
  /** The file's blocks, when known (a record's, or found again after another program's change): see scan-blocks.ts. */
  readonly blocks?: ScanBlocks | undefined;
  readonly crc32?: Crc32 | undefined;
  /** The identity of the file read whole from its descriptor (one changed within the last second): what a listing note starts from. */
  readonly readAs?: FileIdentity | undefined;
}

function closeScanned(scanned: ScannedFile | undefined): void {
  if (scanned === undefined || scanned.closed) return;
  scanned.closed = true;
  // Not waited for: the last close of a replaced 49 MB file frees its blocks (≈ 40 ms), which need not hold the lock.
  close(scanned.opened.fd, () => undefined);
}

/** The scanned file (open as `fd`, and at its path) is still the version that was scanned. */
function stillScanned(scanned: ScannedFile): boolean {
  if (scanned.closed) return false;
  const open = identityOfStats(fstatSync(scanned.opened.fd, { bigint: true }));
  const atPath = statSync(scanned.path, { bigint: true, throwIfNoEntry: false });
  return atPath !== undefined && sameIdentity(open, scanned.opened.identity) && sameIdentity(identityOfStats(atPath), scanned.opened.identity);
}

const ASCII = /^[\u0000-\u007f]*$/;

/** A profile name or value (a JS string) as it appears in the document's text. */
function inFile(value: string, document: LoadedDocument): string {
  // ASCII reads the same in both encodings: the file's is not even asked (a 49 MB validation).
  if (ASCII.test(value) || document.encoding === "utf8") return value;
  return Buffer.from(value, "utf8").toString("latin1");
}

/** A section name of the document's text as a JS string. */
function fromFile(value: string, document: LoadedDocument): string {
  if (ASCII.test(value) || document.encoding === "utf8") return value;
  return Buffer.from(value, "latin1").toString("utf8");
}

function identityOf(path: string): FileIdentity | undefined {
  try {
    const identity = identityOfStats(statSync(path, { bigint: true }));
    return settledLongEnough(identity, Date.now()) ? identity : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The last document read (by the precheck, or `status`/`logout`'s listing), with the identity
 * its file had just before the read. The write under the lock reuses it when the file still has
 * that identity (same device, inode, size, change and modification times: nobody replaced or
 * edited it since), instead of parsing a 50,000-profile file a second time. Any difference, a
 * missing file, or a file changed within the last second, and the file is read again.
 */
let remembered: { readonly path: string; readonly identity: FileIdentity; readonly loaded: Loaded } | undefined;

function forget(): void {
  if (remembered === undefined) return;
  offerScannedSections(undefined);
  closeScanned(remembered.loaded.scanned);
  remembered = undefined;
}

/**
 * Read and parse; a missing file is an empty document, an unparseable one an error naming the
 * line. `forEdit`: the caller will change the document, so a remembered one is handed over (and
 * forgotten), never shared; the caller closes what it was handed ({@link closeScanned}).
 */
async function loadDocument(path: string, forEdit = false, remember?: Remember): Promise<Loaded> {
  const identity = identityOf(path);
  const reusable =
    remembered !== undefined && identity !== undefined && remembered.path === path && sameIdentity(remembered.identity, identity)
      ? remembered.loaded
      : undefined;
  if (reusable !== undefined && forEdit) {
    offerScannedSections(undefined);
    remembered = undefined;
  }
  if (reusable !== undefined) return reusable;
  forget();
  // Already read whole and kept by this run (resolving the profile read it first: `user`): parsed from those bytes, not read again.
  const kept = keptBytesOf(path);
  if (kept !== undefined) {
    const keptIdentity = remember === undefined ? undefined : identityAt(path);
    const loaded =
      keptIdentity === undefined ? { document: parsed(path, () => IniByteDocument.parse(kept)) } : await parsedBytes(path, kept, keptIdentity, remember);
    if (!forEdit && identity !== undefined) remembered = { path, identity, loaded };
    return loaded;
  }
  const loaded = await parseFile(path, remember);
  const scanned = loaded.scanned;
  if (!forEdit && scanned !== undefined) {
    remembered = { path, identity: scanned.opened.identity, loaded };
    // Resolving the profile in this run reads the same file's sections where this scan found them.
    offerScannedSections({
      identity: scanned.opened.identity,
      sectionBytes: (name) => {
        if (scanned.closed || !ASCII.test(name)) return "unknown";
        try {
          return loaded.document.hasSection(name) ? (loaded.document.sectionBytes(name) ?? "unknown") : undefined;
        } catch (error) {
          if (error instanceof ScannedFileChanged) return "unknown";
          throw error;
        }
      },
    });
  }
  return loaded;
}

function identityAt(path: string): FileIdentity | undefined {
  const stats = statSync(path, { bigint: true, throwIfNoEntry: false });
  return stats?.isFile() === true ? identityOfStats(stats) : undefined;
}

/**
 * A file held whole (`bytes`, read from the file with `identity`): from its remembered scan when
 * the record is this version's and the bytes have its CRC-32, else parsed.
 */
async function parsedBytes(path: string, bytes: Buffer, identity: FileIdentity, remember: Remember | undefined): Promise<Loaded> {
  if (remember !== undefined && bytes.length >= REMEMBER_SCAN_FROM_BYTES) {
    const crc32 = loadCrc32();
    const record = readRememberedScan(remember.cacheDirectory, path, identity, crc32);
    if (record !== undefined && crc32(bytes) === record.crc && indexMatchesBytes(record.index, bytes)) {
      remember.onVerbose(`${path} is the file rolecred wrote last (identity and CRC-32 checked): its remembered scan is used`);
      return { document: IniByteDocument.fromIndexOfBytes(bytes, record.index), utf8: true, fromRecord: true, blocks: record.blocks, crc32 };
    }
  }
  remember?.onVerbose(`read ${path} with a strict parse of every line`);
  return { document: parsed(path, () => IniByteDocument.parse(bytes)) };
}

/**
 * A file settled for a second (see file-identity.ts) is scanned a chunk at a time and kept open:
 * any later change shows in its identity. A file changed within the last second could change
 * again unseen, so it is read whole, and what was parsed is what is written back.
 */
async function parseFile(path: string, remember?: Remember): Promise<Loaded> {
  let opened: OpenedRegularFile;
  try {
    opened = openRegularFileSync(path, { what: "the credentials file", maxBytes: READ_LIMITS.awsFile });
  } catch (error) {
    if (error instanceof BoundedReadError && error.reason === "missing") return { document: IniByteDocument.empty() };
    throw error;
  }
  const scanned: ScannedFile = { path, opened, closed: false };
  try {
    if (!settledLongEnough(opened.identity, Date.now())) {
      // Read from the descriptor just opened: the same file, one open (a file this fresh is not kept for the run).
      const bytes = readOpenedFileSync(path, opened, { what: "the credentials file", maxBytes: READ_LIMITS.awsFile });
      closeScanned(scanned);
      // Written by rolecred a moment ago (a second write in a row): its remembered scan, once the bytes read have its CRC-32.
      // readAs: the identity of the file read whole, what a listing note starts from.
      return { ...(await parsedBytes(path, bytes, opened.identity, remember)), readAs: opened.identity };
    }
    // The write's copy of this file, started by the precheck, goes on between the scan's chunks.
    const copying = preparedCopy?.path === path;
    const crc32 = remember !== undefined && opened.size >= REMEMBER_SCAN_FROM_BYTES ? loadCrc32() : undefined;
    if (remember !== undefined && crc32 !== undefined) {
      const fromRecord = await fromRememberedScan(path, opened, remember, crc32, copying);
      if (fromRecord !== undefined) return { ...fromRecord, scanned };
    }
    // A file large enough to remember: its CRC-32 and encoding are taken from the scan's own reads.
    const digest = crc32 === undefined ? undefined : new ContentDigest(crc32, true);
    // Pushed a block's length at a time: the blocks remembered for the next write find their running CRC-32 near.
    const onRead =
      digest === undefined
        ? undefined
        : (bytes: Buffer) => {
            for (let at = 0; at < bytes.length; at += BLOCK_BYTES) digest.push(bytes.subarray(at, at + BLOCK_BYTES));
          };
    const document = copying
      ? await parsedAsync(path, () => IniByteDocument.scanFileYielding(opened.fd, opened.size, nextTurn, SCAN_CHUNK_BYTES, onRead))
      : parsed(path, () => IniByteDocument.scanFile(opened.fd, opened.size, SCAN_CHUNK_BYTES, onRead));
    remember?.onVerbose(`read ${path} with a strict scan of every line`);
    return { document, scanned, digest, utf8: digest?.utf8, crc32 };
  } catch (error) {
    closeScanned(scanned);
    throw error;
  }
}

/**
 * The document from the remembered scan of this file (store/remembered-scan.ts): only when the
 * record is for this path and identity and the file's content has the recorded CRC-32.
 */
async function fromRememberedScan(
  path: string,
  opened: OpenedRegularFile,
  remember: Remember,
  crc32: Crc32,
  copying: boolean,
): Promise<Omit<Loaded, "scanned"> | undefined> {
  const record = readRememberedScanOfPath(remember.cacheDirectory, path, crc32);
  if (record === undefined) return undefined;
  if (!sameIdentity(record.identity, opened.identity)) return fromRememberedBlocks(path, opened, remember, crc32, copying, record);
  const digest = await checkContent(opened.fd, opened.size, record.crc, crc32, copying ? nextTurn : undefined, record.index);
  if (digest === undefined) {
    remember.onVerbose(`${path} has the identity rolecred remembered but not its content: scanned again`);
    return undefined;
  }
  remember.onVerbose(`${path} is the file rolecred wrote last (identity and CRC-32 checked): its remembered scan is used`);
  return {
    document: IniByteDocument.fromIndex(opened.fd, opened.size, record.index, true),
    digest,
    utf8: true,
    fromRecord: true,
    blocks: record.blocks,
    crc32,
  };
}

/**
 * Another program changed the file since rolecred wrote it: the record's blocks found again
 * unchanged, and only the stretch between them scanned strictly (scan-blocks.ts); undefined (the
 * full scan) when the blocks cannot say.
 */
async function fromRememberedBlocks(
  path: string,
  opened: OpenedRegularFile,
  remember: Remember,
  crc32: Crc32,
  copying: boolean,
  record: RememberedScan,
): Promise<Omit<Loaded, "scanned"> | undefined> {
  if (record.blocks === undefined) return undefined;
  const reuse = await reuseBlocks(
    opened.fd,
    opened.size,
    { index: record.index, blocks: record.blocks, length: Number(record.identity.size) },
    crc32,
    copying ? nextTurn : undefined,
  );
  if ("fallback" in reuse) {
    remember.onVerbose(`${path} changed since rolecred wrote it and its remembered blocks cannot be used (${reuse.fallback}): scanned whole`);
    return undefined;
  }
  remember.onVerbose(
    `${path} changed since rolecred wrote it: scanned only ${reuse.scannedBytes} of its ${opened.size} bytes, the rest read from its remembered blocks (CRC-32 and headers checked)`,
  );
  return { document: IniByteDocument.fromIndex(opened.fd, opened.size, reuse.index, true), digest: reuse.digest, utf8: true, blocks: reuse.blocks, crc32 };
}

/** A turn of the event loop: I/O callbacks that are due run. */
function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

async function parsedAsync(path: string, parse: () => Promise<LoadedDocument>): Promise<LoadedDocument> {
  try {
    return await parse();
  } catch (error) {
    throw syntaxErrorOf(path, error);
  }
}

function parsed(path: string, parse: () => LoadedDocument): LoadedDocument {
  try {
    return parse();
  } catch (error) {
    throw syntaxErrorOf(path, error);
  }
}

/** An unparseable file as rolecred says it; any other error as it is. */
function syntaxErrorOf(path: string, error: unknown): unknown {
  if (!(error instanceof IniSyntaxError)) return error;
  return new RolecredError(`cannot parse ${path}, ${error.message}`, {
    exitCode: ExitCode.badInput,
    hint: "fix that line; rolecred has left the file untouched",
    cause: error,
  });
}

/**
 * True when the section holds keys that must not be replaced or removed without --force: an
 * access key id starting AKIA (an IAM user's own key), or a key id with no session token or an
 * empty one. rolecred's marker does not count: a section marked as rolecred's that holds such keys
 * was edited by hand (or written by another tool), and the keys in it are what the user has.
 */
export function holdsLongTermKeys(section: ReadonlyMap<string, string>): boolean {
  const keyId = section.get("aws_access_key_id");
  if (keyId === undefined) return false;
  if (/^AKIA/i.test(keyId)) return true;
  const token = section.get("aws_session_token") || section.get("aws_security_token");
  return token === undefined || token === "";
}

/**
 * C0 controls (CR and LF among them), DEL and C1 controls. In a value they would start a new line
 * (a second section the SDKs then read); in a message they would reach the terminal raw.
 */
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

/** A character shown as a code point, never raw: `U+000A`. */
function describeControl(value: string): string {
  const found = CONTROL_CHARACTER.exec(value)?.[0] ?? "";
  return `U+${found.codePointAt(0)?.toString(16).toUpperCase().padStart(4, "0") ?? "?"}`;
}

/**
 * A profile name that can be written as a section header and found again by the AWS CLI and
 * SDKs: no control characters, no brackets, no surrounding spaces.
 */
export function assertProfileName(profile: string): void {
  if (profile === "") throw usageError("empty profile name");
  if (CONTROL_CHARACTER.test(profile)) {
    const shown = profile.replace(new RegExp(CONTROL_CHARACTER.source, "g"), (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, "0")}`);
    throw usageError(`profile name "${shown}" contains the control character ${describeControl(profile)}`);
  }
  if (/[[\]]/.test(profile) || profile.trim() !== profile) {
    throw usageError(`profile name "${profile}" cannot be written as a [section]: no brackets, no spaces at either end`);
  }
}

/** Values from STS (keys, token, ARNs, expiry) are checked before a byte is written. */
function assertWritableValues(entries: ReadonlyArray<readonly [string, string]>, profile: string): void {
  for (const [key, value] of entries) {
    if (!CONTROL_CHARACTER.test(value)) continue;
    throw new RolecredError(`STS returned an ${key} containing the control character ${describeControl(value)}; nothing was written to [${profile}]`, {
      exitCode: ExitCode.unavailable,
      hint: "the STS endpoint is broken or not AWS; check AWS_ENDPOINT_URL_STS / AWS_ENDPOINT_URL",
    });
  }
}

function sessionEntries(session: WritableSession): Array<[string, string]> {
  const { credentials } = session;
  const optional: Array<[string, string | undefined]> = [
    [ROLE_ARN_KEY, session.roleArn],
    [SESSION_ARN_KEY, session.assumedRoleArn],
    [SOURCE_IDENTITY_KEY, session.sourceIdentity],
  ];
  return [
    ["aws_access_key_id", credentials.accessKeyId],
    ["aws_secret_access_key", credentials.secretAccessKey],
    ["aws_session_token", credentials.sessionToken],
    [EXPIRY_KEY, credentials.expiration.toISOString()],
    [MANAGED_MARKER_KEY, "true"],
    ...optional.filter((entry): entry is [string, string] => entry[1] !== undefined),
  ];
}

/** Change the file under its lock: read, let `edit` change the document, write back if it did. */
async function editCredentialsFile<T>(
  path: string,
  edit: (loaded: LoadedDocument) => { result: T; changed: boolean },
  onLockWait?: LockWaitNotice,
): Promise<T> {
  const target = await resolveWriteTarget(path);
  // Before the lock: a lock file must never be created beside /dev/null or in a folder that is not ours to write.
  await assertReplaceable(target, "the credentials file");
  await ensureDirectory(target);
  return withFileLock(target, () => editLocked(target, path, edit), onLockWait === undefined ? undefined : { onWait: onLockWait });
}

/** Under the lock: the edit ({@link editUnderLock}), then the precheck's copy of the file removed if the write did not take it. */
async function editLocked<T>(target: string, path: string, edit: Edit<T>, remember?: Remember): Promise<T> {
  try {
    return await editUnderLock(target, path, edit, remember);
  } finally {
    await discardUnusedCopy();
  }
}

/** The precheck's copy, not taken by a write (no change, a refusal, a file read whole, a write the holder made for us): removed now, not at exit. */
async function discardUnusedCopy(): Promise<void> {
  const unused = preparedCopy;
  preparedCopy = undefined;
  if (unused !== undefined) await discardPreparedCopy(unused.copy);
}

/** The read, edit and write under the lock, read again (up to {@link SCAN_ATTEMPTS} times) when the file changed meanwhile. */
/** An edit of the document: its result, whether it changed anything, and (when it can say) the sections it changed. */
type Edit<T> = (loaded: LoadedDocument) => { result: T; changed: boolean; sections?: readonly string[] };

async function editUnderLock<T>(target: string, path: string, edit: Edit<T>, remember?: Remember): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    // Read again under the lock unless the file is exactly the one the precheck read.
    const loaded = await loadDocument(target, true, remember);
    try {
      const { result, changed, sections } = edit(loaded.document);
      if (changed) {
        const written = await writeAndRemember(target, loaded, remember);
        // For `profiles`: the file read (scanned, so its identity is known) became the one renamed in, with these sections changed.
        const readAs = loaded.scanned?.opened.identity ?? loaded.readAs;
        if (remember !== undefined && sections !== undefined && readAs !== undefined && written.identity !== undefined)
          noteCredentialsWrite(
            remember.cacheDirectory,
            target,
            readAs,
            written.identity,
            sections.map((name) => [fromFile(name, loaded.document), loaded.document.section(name)] as const),
          );
      } else if (remember !== undefined) rememberUnchanged(target, loaded, remember);
      return result;
    } catch (error) {
      // Edited in place or truncated since the scan (by a tool that takes no lock): nothing was written; read it again.
      if (!(error instanceof ScannedFileChanged || error instanceof CopySourceChanged)) throw error;
      if (attempt === SCAN_ATTEMPTS) {
        // Like a lock held too long (exit 1): another program is busy with the file, nothing is wrong with it.
        throw new RolecredError(`${path} kept changing while rolecred wrote it; it was left as it is`, {
          exitCode: ExitCode.failure,
          hint: "another program is writing the credentials file; try again when it is done",
        });
      }
    } finally {
      closeScanned(loaded.scanned);
    }
  }
}

/** Reads of a file that changes during them, before the write gives up. */
const SCAN_ATTEMPTS = 3;

/**
 * The new file: a scanned file's untouched bytes are copied from it (kernel copy, then pread),
 * never held; a file read whole is written from the slices of its bytes. Either way the edited
 * sections' new bytes go between them and nothing is joined into a copy of the file.
 */
function contentsOf(loaded: Loaded, pieces: readonly WritePiece[]): CopiedContents | Buffer[] {
  const scanned = loaded.scanned;
  if (scanned === undefined) return loaded.document.chunks(pieces);
  const digest = loaded.digest;
  return {
    source: { path: scanned.path, fd: scanned.opened.fd, unchanged: () => stillScanned(scanned) },
    pieces,
    prepared: takePreparedCopy(scanned),
    prefixCrc: digest === undefined ? undefined : (end) => digest.prefixCrc(scanned.opened.fd, end),
  };
}

/**
 * Write the edited document; a new file large enough is remembered for the next write: its
 * identity (from the renamed file's descriptor), its CRC-32 (computed as it was written) and its
 * scan (the old one, moved around the edited parts: IniByteDocument.writtenIndex).
 */
async function writeAndRemember(target: string, loaded: Loaded, remember: Remember | undefined): Promise<WrittenFile> {
  const pieces = loaded.document.pieces();
  const newSize = pieces.reduce((total, piece) => total + (Buffer.isBuffer(piece) ? piece.length : piece.end - piece.start), 0);
  const crc32 = remember !== undefined && newSize >= REMEMBER_SCAN_FROM_BYTES ? (loaded.crc32 ?? loadCrc32()) : undefined;
  const written = await writeFileAtomic(target, contentsOf(loaded, pieces), { mode: 0o600, directoryMode: 0o700, what: "the credentials file", crc32 });
  if (remember === undefined || crc32 === undefined || written.crc32 === undefined || written.identity === undefined) return written;
  // A file held in memory (read whole): its encoding is asked of its bytes.
  const utf8 = loaded.scanned === undefined ? loaded.document.encoding === "utf8" : loaded.utf8 === true;
  const index = loaded.document.writtenIndex(pieces, utf8);
  if (index === undefined) return written;
  const blocks = newBlocks(loaded, pieces, index, crc32);
  rememberScan(remember.cacheDirectory, { path: target, identity: written.identity, crc: written.crc32, index, blocks }, crc32);
  return written;
}

/**
 * The written file's blocks, from the read file's; undefined when they cannot be told. Best
 * effort, like the record itself: the file is written already, so a read that fails here (the old
 * file's bytes read back for an edited block) costs only the blocks, never the write.
 */
function newBlocks(loaded: Loaded, pieces: readonly WritePiece[], index: ByteIndex, crc32: Crc32): ScanBlocks | undefined {
  try {
    const read = loaded.document.readIndex;
    const readBlocks = blocksOfLoaded(loaded, read);
    if (readBlocks === undefined) return undefined;
    const bytesOf = (range: ByteRange) => loaded.document.chunks([range])[0] ?? Buffer.alloc(0);
    return writtenBlocks({ blocks: readBlocks, index: read, length: loaded.document.readLength }, pieces, index, bytesOf, crc32);
  } catch {
    return undefined;
  }
}

/**
 * The blocks of the file as read: known (a record's, or found again), or cut now from the scan's
 * digest (its running CRC-32 every block's length: a read of about a section per block).
 */
function blocksOfLoaded(loaded: Loaded, index: ByteIndex): ScanBlocks | undefined {
  if (loaded.blocks !== undefined) return loaded.blocks;
  const { digest, scanned, crc32 } = loaded;
  // Read whole (changed within the last second): cut from the bytes held.
  if (scanned === undefined)
    return blocksOfBytes(index, loaded.document.chunks([{ start: 0, end: loaded.document.readLength }])[0] ?? Buffer.alloc(0), crc32 ?? loadCrc32());
  if (digest === undefined || scanned.closed || digest.length !== scanned.opened.size) return undefined;
  const fd = scanned.opened.fd;
  const bracket = Buffer.alloc(1);
  return blocksOfScan(
    index,
    digest.length,
    digest.checkpoints,
    (offset) => digest.prefixCrc(fd, offset),
    (offset) => readSync(fd, bracket, 0, 1, offset) === 1 && bracket[0] === OPEN_BRACKET,
  );
}

const OPEN_BRACKET = 0x5b;

/**
 * Nothing to write (every request refused under the lock): a file scanned now, whole or through
 * its blocks after another program's change (not from a record of this very version), is
 * remembered as it is, so the next run uses that record as it is instead of finding the blocks again.
 */
function rememberUnchanged(target: string, loaded: Loaded, remember: Remember): void {
  const { digest, scanned, crc32 } = loaded;
  const index = loaded.document.index;
  if (loaded.fromRecord === true || digest === undefined || scanned === undefined || crc32 === undefined || index === undefined) return;
  // `utf8`, not the digest's: the blocks' digest does not track UTF-8 (the reused blocks were, the stretch was checked).
  if (loaded.utf8 !== true || digest.length !== scanned.opened.size || !stillScanned(scanned)) return;
  let blocks: ScanBlocks | undefined;
  try {
    blocks = blocksOfLoaded(loaded, index);
  } catch {
    blocks = undefined; // best effort, like the record
  }
  rememberScan(remember.cacheDirectory, { path: target, identity: scanned.opened.identity, crc: digest.crc, index, blocks }, crc32);
}

/** ~/.aws may not exist yet: create it private, as the AWS CLI does. */
async function ensureDirectory(target: string): Promise<void> {
  makeDirectorySync(dirname(target), 0o700);
}

/**
 * One writeProfiles call as the write queue carries it (write-queue.ts): the path as its caller
 * named it (for its messages), --force, and each profile's lines, already checked.
 */
interface ProfilesRequest {
  readonly path: string;
  readonly force: boolean;
  readonly entries: ReadonlyArray<{ readonly profile: string; readonly values: ReadonlyArray<readonly [string, string]> }>;
}

/** A request read back from the queue, checked as its writer checked it; undefined when it is not one. */
function parseProfilesRequest(value: unknown): ProfilesRequest | undefined {
  const candidate = value as Partial<ProfilesRequest> | null;
  if (typeof candidate?.path !== "string" || typeof candidate.force !== "boolean" || !Array.isArray(candidate.entries)) return undefined;
  const isPair = (pair: unknown): pair is [string, string] => Array.isArray(pair) && pair.length === 2 && pair.every((item) => typeof item === "string");
  for (const entry of candidate.entries as unknown[]) {
    const { profile, values } = (entry ?? {}) as { profile?: unknown; values?: unknown };
    if (typeof profile !== "string" || !Array.isArray(values) || !values.every(isPair)) return undefined;
    try {
      assertProfileName(profile);
      assertWritableValues(values, profile);
    } catch {
      return undefined;
    }
    if (!values.every(([key]) => REPLACED_KEYS.has(key))) return undefined;
  }
  return candidate as ProfilesRequest;
}

/** Under the lock: every request in one read, one write; each refused on its own (long-term keys in one of its profiles). */
async function applyProfilesRequests(
  target: string,
  path: string,
  requests: readonly ProfilesRequest[],
  remember: Remember | undefined,
): Promise<Array<RolecredError | undefined>> {
  // Read again under the lock unless the file is exactly the one the precheck read; read again
  // (and every request applied again) if it changed while being written (editUnderLock).
  return editLocked(target, path, (document) => applyToDocument(document, requests), remember);
}

/** Each request applied to `document` unless refused: the outcomes, and whether anything changed. */
function applyToDocument(
  document: LoadedDocument,
  requests: readonly ProfilesRequest[],
): { result: Array<RolecredError | undefined>; changed: boolean; sections: string[] } {
  const outcomes = requests.map((request) => {
    try {
      assertWritable(
        document,
        request.path,
        request.entries.map((entry) => entry.profile),
        { force: request.force },
      );
    } catch (error) {
      if (error instanceof RolecredError) return error;
      throw error;
    }
    for (const { profile, values } of request.entries) {
      document.upsertSection(
        inFile(profile, document),
        values.map(([key, value]) => [key, inFile(value, document)] as const),
        REPLACED_KEYS,
      );
    }
    return undefined;
  });
  const applied = requests.filter((_request, index) => outcomes[index] === undefined);
  const sections = applied.flatMap((request) => request.entries.map((entry) => inFile(entry.profile, document)));
  return { result: outcomes, changed: sections.length > 0, sections };
}

/**
 * Write one or more role sessions as profiles, all in one locked write: either every profile is
 * written or (a guard refused one) none is. While another rolecred holds the lock, the write is
 * queued for it (write-queue.ts): fifty writers at once make a few writes of the file, not fifty.
 */
export async function writeProfiles(path: string, writes: readonly ProfileWrite[], options: WriteOptions): Promise<void> {
  const entries = writes.map(({ profile, session }) => {
    assertProfileName(profile);
    const values = sessionEntries(session);
    assertWritableValues(values, profile);
    return { profile, values };
  });
  const target = await resolveWriteTarget(path);
  // Before the lock: a lock file must never be created beside /dev/null or in a folder that is not ours to write.
  await assertReplaceable(target, "the credentials file");
  await ensureDirectory(target);
  try {
    await writeThroughQueue(
      target,
      { path, force: options.force, entries },
      { parse: parseProfilesRequest, apply: (requests) => applyProfilesRequests(target, path, requests, rememberOf(options)) },
      options.onLockWait === undefined ? {} : { onWait: options.onLockWait },
    );
  } finally {
    // Queued and answered by the holder's write: this run's own copy of the file was never used.
    await discardUnusedCopy();
  }
}

function assertWritable(document: LoadedDocument, path: string, profiles: readonly string[], options: WriteOptions): void {
  for (const profile of profiles) {
    const existing = document.section(inFile(profile, document));
    if (existing !== undefined && !options.force && holdsLongTermKeys(existing)) {
      throw new RolecredError(`profile [${profile}] in ${path} holds long-term access keys; rolecred will not overwrite them`, {
        hint: "choose another --profile name, or pass --force to replace those keys",
      });
    }
  }
}

/**
 * The write's checks, without writing: run before an MFA code or an assertion is spent, so a
 * refused write does not cost the user a login. The write repeats them under the lock.
 */
export async function precheckProfileWrites(path: string, profiles: readonly string[], options: WriteOptions): Promise<void> {
  for (const profile of profiles) assertProfileName(profile);
  const target = await resolveWriteTarget(path);
  await assertReplaceable(target, "the credentials file");
  prepareCopyOf(target);
  assertWritable((await loadDocument(target, false, rememberOf(options))).document, path, profiles, options);
}

/** Below this size a file is copied when written: preparing its copy early would gain nothing. */
const PREPARED_COPY_MIN_BYTES = 1024 * 1024;

/** The copy of the file started by the precheck, and the identity the file had when it started. */
let preparedCopy: { readonly path: string; readonly identity: FileIdentity; readonly copy: PreparedCopy } | undefined;

/**
 * A write follows the precheck: the copy of a large settled file that the write will need is
 * started now, in the background, so that it and its fsync (≈ 0.1 s each for 49 MB) overlap the
 * scan. The write takes it only if the file it scanned has the identity it had here.
 */
function prepareCopyOf(target: string): void {
  const identity = identityOf(target);
  if (identity === undefined || identity.size < BigInt(PREPARED_COPY_MIN_BYTES)) return;
  // Bytes this run already holds (`user` resolved the profile first) are parsed and written from memory: no copy needed.
  if (keptBytesOf(target) !== undefined) return;
  if (preparedCopy?.path === target && sameIdentity(preparedCopy.identity, identity)) return;
  if (preparedCopy !== undefined) void discardPreparedCopy(preparedCopy.copy);
  preparedCopy = { path: target, identity, copy: prepareCopy(target, 0o600) };
}

/** The prepared copy, if it is of this scan's version of the file; any other is removed. */
function takePreparedCopy(scanned: ScannedFile): PreparedCopy | undefined {
  const prepared = preparedCopy;
  preparedCopy = undefined;
  if (prepared === undefined) return undefined;
  if (prepared.path === scanned.path && sameIdentity(prepared.identity, scanned.opened.identity)) return prepared.copy;
  void discardPreparedCopy(prepared.copy);
  return undefined;
}

export interface RemoveOptions {
  /** Remove a section rolecred marked as its own even when it now holds long-term keys. */
  readonly force: boolean;
  /** Told once when the removal has waited over a second for another rolecred's lock. */
  readonly onLockWait?: LockWaitNotice | undefined;
}

/**
 * Remove rolecred's sections (never others); returns the profiles removed and the ones kept
 * because they hold long-term keys (without --force).
 */
export async function removeManagedProfiles(
  path: string,
  select: (profile: ManagedProfile) => boolean,
  options: RemoveOptions = { force: false },
): Promise<{ removed: string[]; kept: string[] }> {
  // A killed write's queued request (its session's secrets) goes at logout too (write-queue.ts).
  sweepAbandonedRequests(await resolveWriteTarget(path));
  // Nothing to remove (or no file at all): no lock, no write, no ~/.aws created.
  if (!(await readManagedProfiles(path)).some(select)) return { removed: [], kept: [] };
  return editCredentialsFile(
    path,
    (document) => {
      const removed: string[] = [];
      const kept: string[] = [];
      // By the name as the file spells it: a Latin-1 name has no exact UTF-8 form to find it by again.
      for (const { fileName, profile } of managedSectionsOf(document)) {
        if (!select(profile)) continue;
        const section = document.section(fileName);
        if (section !== undefined && holdsLongTermKeys(section) && !options.force) kept.push(profile.profile);
        // Only what is really gone is reported removed.
        else if (document.removeSection(fileName)) removed.push(profile.profile);
      }
      return { result: { removed, kept }, changed: removed.length > 0 };
    },
    options.onLockWait,
  );
}

function managedProfilesOf(document: LoadedDocument): ManagedProfile[] {
  return managedSectionsOf(document).map(({ profile }) => profile);
}

/** rolecred's sections, each with its name as the file spells it and as rolecred shows it. */
function managedSectionsOf(document: LoadedDocument): Array<{ fileName: string; profile: ManagedProfile }> {
  const profiles: Array<{ fileName: string; profile: ManagedProfile }> = [];
  for (const name of document.sectionNames()) {
    const section = document.section(name);
    if (section?.get(MANAGED_MARKER_KEY) !== "true") continue;
    const expires = section.get(EXPIRY_KEY);
    const expiration = expires === undefined ? undefined : new Date(expires);
    profiles.push({
      fileName: name,
      profile: {
        profile: fromFile(name, document),
        roleArn: section.get(ROLE_ARN_KEY),
        sessionArn: section.get(SESSION_ARN_KEY),
        expiration: expiration !== undefined && !Number.isNaN(expiration.getTime()) ? expiration : undefined,
        sourceIdentity: section.get(SOURCE_IDENTITY_KEY),
      },
    });
  }
  return profiles;
}

/** The sections rolecred manages, read without the lock (a read never needs one: writes are atomic). */
export async function readManagedProfiles(path: string): Promise<ManagedProfile[]> {
  return managedProfilesOf((await loadDocument(path)).document);
}

/**
 * `rolecred keys import`: every section holding exactly these long-term keys gets `reference`
 * (e.g. `rolecred_keys = jo`) in place of its key lines; its other lines and comments, and the
 * rest of the file, stay. Returns the sections changed. Refuses (changing nothing) when the
 * section `profile` no longer holds `accessKeyId` once the lock is held.
 */
export async function replaceLongTermKeys(path: string, profile: string, accessKeyId: string, reference: readonly [string, string]): Promise<string[]> {
  return editCredentialsFile(path, (document) => {
    // Names and values are compared and written in the file's own encoding (Latin-1 files too).
    if (document.section(inFile(profile, document))?.get("aws_access_key_id") !== inFile(accessKeyId, document)) {
      throw new RolecredError(`[${profile}] in ${path} changed while its keys were being moved; the file was left as it is`, { exitCode: ExitCode.badInput });
    }
    const holding = document.sectionNames().filter((name) => {
      const section = document.section(name);
      return section !== undefined && holdsLongTermKeys(section) && section.get("aws_access_key_id") === inFile(accessKeyId, document);
    });
    const line: [string, string] = [reference[0], inFile(reference[1], document)];
    for (const name of holding) document.upsertSection(name, [line], new Set(["aws_access_key_id", "aws_secret_access_key"]));
    return { result: holding.map((name) => fromFile(name, document)), changed: holding.length > 0 };
  });
}
