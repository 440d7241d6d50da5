/**
 * `npm run bench`: how fast rolecred starts on the paths a shell alias or an SDK's
 * credential_process takes many times a day, measured as ratios against baselines taken in the
 * same invocation on the same machine (absolute times differ tenfold between a laptop and a
 * loaded CI runner; the ratio to `node -e 0` carries over). It is a report: every row prints its
 * ratio, rows with a target print PASS or MISS, and the exit code is 0 either way. Only a setup
 * failure (a command that exits non-zero, output that is not what the row claims to measure)
 * exits 1.
 *
 *   process warm   `rolecred process dev` from the cache          vs `node -e 0`        target ≤ 1.3
 *   aws CLI        `aws configure export-credentials` of the same  vs `rolecred process dev`
 *                  session, through credential_process = rolecred
 *   env warm       `rolecred env dev --shell bash` from the cache   vs `node -e 0`        target ≤ 1.3
 *   assume warm    `rolecred assume dev --shell bash` from the cache vs `node -e 0`       target ≤ 1.3
 *                  (the shell function's path: exports, the summary line, the recent-use note)
 *   --version      full command line (commander loaded)             vs `node -e 0`
 *   process cold   cache folder deleted before each run, STS on     vs `node -e 0`
 *                  loopback (the local endpoint the tests use)
 *
 * The local STS endpoint runs in this process, so every child is spawned asynchronously (a
 * synchronous spawn would block the event loop that answers STS). With hyperfine on PATH each row
 * is one hyperfine invocation: baseline, subject, baseline again (hyperfine runs commands one
 * after the other, so the second baseline block shows drift; the baseline median is taken over
 * both blocks). Without it (or with ROLECRED_BENCH_TIMER=loop) an in-script loop alternates
 * baseline and subject runs and times each from spawn to exit. The table also goes to
 * bench/results/latest.json.
 */
import { spawn } from "node:child_process";
import { constants } from "node:fs";
import { access, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { cpus, loadavg, tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { DEBIAN_AWS_CLI } from "../test/support/readback.js";
import { cliEnv, makeTempHome } from "../test/support/run-cli.js";
import { ROLES, startWorld, writeJoProfile, type World } from "../test/support/world.js";
import { createTestIdp, issueSamlResponseBase64 } from "../test/support/saml-idp.js";
import { writeCachedSessions, writeScaledAwsFiles } from "./scale.js";

const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));
const ROLECRED_BIN = join(REPO_ROOT, "bin", "rolecred");
const RESULTS_FILE = join(REPO_ROOT, "bench", "results", "latest.json");
const NODE = process.execPath;
const TARGET = 1.3;

/** Runs per command. Fast rows get more; the aws CLI (Python) and the cold path are slow. */
const RUNS = { fast: 40, slow: 15, scale: 5 } as const;
const WARMUP = { fast: 5, slow: 2, scale: 1 } as const;
/** Only the rows whose id matches (ROLECRED_BENCH_ONLY=regex), to measure one change quickly. */
const ONLY = process.env.ROLECRED_BENCH_ONLY === undefined ? undefined : new RegExp(process.env.ROLECRED_BENCH_ONLY);
const GNU_TIME = "/usr/bin/time";

type Argv = readonly [string, ...string[]];

interface Case {
  readonly id: string;
  readonly label: string;
  readonly subject: Argv;
  readonly baselineLabel: string;
  readonly baseline: Argv;
  readonly target?: number;
  /** Absolute goals (issue 16): a median under this many ms, or this far above another row's median. */
  readonly targetMs?: number;
  readonly targetAbove?: { readonly id: string; readonly ms: number };
  /** Peak resident memory goal, measured on the checked run with GNU time. */
  readonly targetPeakMb?: number;
  /** Measure the peak resident memory of one run (GNU time's %M). */
  readonly memory?: boolean;
  readonly speed: keyof typeof RUNS;
  /** Untimed, before every subject run (hyperfine: before every run of the invocation). */
  readonly prepare?: Argv;
  /** Extra environment for this row. */
  readonly env?: Readonly<Record<string, string>>;
  /** Throws when one run's output is not what the row claims to measure. */
  readonly check: (stdout: string) => void;
  /** Whether the subject must call STS (cold) or must not (warm). */
  readonly sts: "none" | "every run";
}

interface Measured {
  readonly subjectMs: readonly number[];
  /** The baseline's runs before and after the subject's (interleaved halves for the loop timer). */
  readonly baselineBeforeMs: readonly number[];
  readonly baselineAfterMs: readonly number[];
}

interface Row {
  readonly id: string;
  readonly case: string;
  readonly command: string;
  readonly medianMs: number;
  readonly baseline: string;
  readonly baselineMedianMs: number;
  readonly ratio: number;
  readonly target: number | null;
  /** The other goals, as text: "< 500 ms", "≤ +150 ms vs write-50", "< 100 MB". */
  readonly goals: string;
  readonly peakMb: number | null;
  readonly verdict: "PASS" | "MISS" | null;
  readonly runs: number;
  /** How far the baseline's second block moved from its first, in percent: a noise indicator. */
  readonly baselineDriftPercent: number;
  readonly stsCalls: number;
}

interface Skipped {
  readonly case: string;
  readonly skipped: string;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? NaN) : ((sorted[middle - 1] ?? NaN) + (sorted[middle] ?? NaN)) / 2;
}

/** hyperfine -N splits its commands like a POSIX shell does: quote whatever needs it. */
function shellQuote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", `'\\''`)}'`;
}

const commandLine = (argv: Argv) => argv.map(shellQuote).join(" ");

/** Short form for the table: the node binary and the repo's bin/ are implied. */
function displayCommand(argv: Argv): string {
  const [file, ...args] = argv;
  if (file === NODE && args[0] === ROLECRED_BIN) return ["rolecred", ...args.slice(1)].join(" ");
  if (file === NODE) return ["node", ...args].join(" ");
  return argv.join(" ");
}

interface Exited {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

/** Spawn and wait without blocking the event loop (the STS endpoint lives on it). */
function runAsync(argv: Argv, env: Readonly<Record<string, string>>, timeoutMs = 300_000): Promise<Exited> {
  return new Promise((resolve, reject) => {
    const [file, ...args] = argv;
    const started = process.hrtime.bigint();
    const child = spawn(file, args, { env, cwd: REPO_ROOT, stdio: ["ignore", "pipe", "pipe"] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", reject);
    child.on("close", (code) => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      clearTimeout(timer);
      resolve({ code, stdout: Buffer.concat(stdout).toString("utf8"), stderr: Buffer.concat(stderr).toString("utf8"), ms });
    });
  });
}

/**
 * The AWS files just written settle (rolecred remembers where a chain's sections are only in a
 * file unchanged for over a second: profiles/remembered-sections.ts), then one warm run records
 * them: the warm rows measure what a user's second call meets, not the first after an edit.
 */
async function settleAndRemember(argv: Argv, env: Record<string, string>): Promise<void> {
  await sleep(1100);
  await mustRun(argv, env);
}

async function mustRun(argv: Argv, env: Readonly<Record<string, string>>): Promise<Exited> {
  const result = await runAsync(argv, env);
  if (result.code !== 0) throw new Error(`${displayCommand(argv)} exited ${String(result.code)}: ${result.stderr.trim()}`);
  return result;
}

async function findOnPath(name: string): Promise<string | undefined> {
  for (const folder of (process.env.PATH ?? "").split(delimiter)) {
    if (folder === "") continue;
    try {
      await access(join(folder, name), constants.X_OK);
      return join(folder, name);
    } catch {
      // not here
    }
  }
  return undefined;
}

interface Timer {
  readonly description: string;
  measure(item: Case, env: Readonly<Record<string, string>>): Promise<Measured>;
}

function hyperfineTimer(path: string, version: string, scratch: string): Timer {
  return {
    description: `${version} (-N, baseline / subject / baseline in one invocation)`,
    async measure(item, env) {
      const runs = RUNS[item.speed];
      const exportFile = join(scratch, `${item.id}.json`);
      const args = ["-N", "--style", "none", "--output", "pipe", "--warmup", String(WARMUP[item.speed]), "--runs", String(runs), "--export-json", exportFile];
      if (item.prepare !== undefined) args.push("--prepare", commandLine(item.prepare));
      args.push("-n", "baseline-before", "-n", "subject", "-n", "baseline-after");
      args.push(commandLine(item.baseline), commandLine(item.subject), commandLine(item.baseline));
      await mustRun([path, ...args], env);
      const exported = JSON.parse(await readFile(exportFile, "utf8")) as { results: { command: string; times: number[] }[] };
      const times = (name: string) => (exported.results.find((result) => result.command === name)?.times ?? []).map((seconds) => seconds * 1000);
      return { baselineBeforeMs: times("baseline-before"), subjectMs: times("subject"), baselineAfterMs: times("baseline-after") };
    },
  };
}

/** No hyperfine: alternate baseline and subject runs, each timed from spawn to exit. */
const loopTimer: Timer = {
  description: "in-script loop (baseline and subject alternated, spawn to exit)",
  async measure(item, env) {
    const runs = RUNS[item.speed];
    const baseline: number[] = [];
    const subject: number[] = [];
    for (let index = 0; index < WARMUP[item.speed] + runs; index += 1) {
      const warmup = index < WARMUP[item.speed];
      const baselineRun = await mustRun(item.baseline, env);
      if (item.prepare !== undefined) await mustRun(item.prepare, env);
      const subjectRun = await mustRun(item.subject, env);
      if (warmup) continue;
      baseline.push(baselineRun.ms);
      subject.push(subjectRun.ms);
    }
    const half = Math.ceil(baseline.length / 2);
    return { subjectMs: subject, baselineBeforeMs: baseline.slice(0, half), baselineAfterMs: baseline.slice(half) };
  },
};

async function chooseTimer(scratch: string): Promise<Timer> {
  if (process.env.ROLECRED_BENCH_TIMER === "loop") return loopTimer;
  const path = await findOnPath("hyperfine");
  if (path === undefined) return loopTimer;
  const version = (await mustRun([path, "--version"], { PATH: process.env.PATH ?? "" })).stdout.trim();
  return hyperfineTimer(path, version, scratch);
}

type ProcessJson = { Version: number; AccessKeyId: string; SecretAccessKey: string; SessionToken: string; Expiration: string };

function parseProcessJson(stdout: string): ProcessJson {
  const parsed = JSON.parse(stdout) as ProcessJson;
  if (parsed.Version !== 1 || typeof parsed.AccessKeyId !== "string" || typeof parsed.SessionToken !== "string") throw new Error("not credential_process JSON");
  return parsed;
}

async function awsCliSupport(env: Readonly<Record<string, string>>): Promise<{ version: string | null; missing: string | null }> {
  try {
    await access(DEBIAN_AWS_CLI, constants.X_OK);
  } catch {
    return { version: null, missing: `${DEBIAN_AWS_CLI} is not installed` };
  }
  const version = (await runAsync([DEBIAN_AWS_CLI, "--version"], env)).stdout.trim().split(" ")[0] ?? "aws-cli";
  // Older v2 releases (and v1) have no export-credentials: `help` then fails with "Invalid choice".
  const help = await runAsync([DEBIAN_AWS_CLI, "configure", "export-credentials", "help"], { ...env, AWS_PAGER: "", PAGER: "cat", MANPAGER: "cat" });
  if (help.code === 0) return { version, missing: null };
  if (`${help.stdout}${help.stderr}`.includes("Invalid choice")) return { version, missing: `${version} has no \`aws configure export-credentials\`` };
  return { version, missing: `\`aws configure export-credentials help\` failed (exit ${String(help.code)}): ${help.stderr.trim().split("\n")[0] ?? ""}` };
}

async function main(): Promise<void> {
  const started = Date.now();
  const world: World = await startWorld();
  const home = await makeTempHome();
  const scratch = await mkdtemp(join(tmpdir(), "rolecred-bench-"));
  try {
    const warmCache = join(home, "cache-warm");
    const coldCache = join(home, "cache-cold");
    await writeJoProfile(
      home,
      [
        "",
        "[profile dev]",
        `role_arn = ${ROLES.ci}`,
        "source_profile = jo-script",
        "",
        "[profile dev-cp]",
        `credential_process = ${NODE} ${ROLECRED_BIN} process dev`,
        "region = us-east-1",
        "",
      ].join("\n"),
    );
    const env = cliEnv(home, { AWS_ENDPOINT_URL_STS: world.sts.url, ROLECRED_CACHE_DIR: warmCache, AWS_PAGER: "" });
    const rolecred = (...args: string[]): Argv => [NODE, ROLECRED_BIN, ...args];
    const nodeBaseline: Argv = [NODE, "-e", "0"];

    // Warm the cache once through the full path; every warm row must then leave STS alone.
    const first = parseProcessJson((await mustRun(rolecred("process", "dev"), env)).stdout);
    if ((await readdir(warmCache)).filter((name) => name.endsWith(".json")).length === 0) throw new Error(`no session cached in ${warmCache}`);
    await settleAndRemember(rolecred("process", "dev"), env);
    const sameSession = (stdout: string) => {
      if (parseProcessJson(stdout).AccessKeyId !== first.AccessKeyId) throw new Error("not the cached session");
    };

    const aws = await awsCliSupport(env);
    const cases: Case[] = [
      {
        id: "process-warm",
        label: "process dev (warm)",
        subject: rolecred("process", "dev"),
        baselineLabel: "node -e 0",
        baseline: nodeBaseline,
        target: TARGET,
        speed: "fast",
        check: sameSession,
        sts: "none",
      },
      {
        id: "aws-export-credentials",
        label: "aws export-credentials",
        subject: [DEBIAN_AWS_CLI, "configure", "export-credentials", "--profile", "dev-cp"],
        baselineLabel: "rolecred process dev",
        baseline: rolecred("process", "dev"),
        speed: "slow",
        check: sameSession,
        sts: "none",
      },
      ...(["env", "assume"] as const).map((command) => ({
        id: `${command}-warm`,
        label: `${command} dev --shell bash (warm)`,
        subject: rolecred(command, "dev", "--shell", "bash"),
        baselineLabel: "node -e 0",
        baseline: nodeBaseline,
        target: TARGET,
        speed: "fast" as const,
        check: (stdout: string) => {
          if (!stdout.includes(`export AWS_ACCESS_KEY_ID=${first.AccessKeyId}`) && !stdout.includes(`export AWS_ACCESS_KEY_ID='${first.AccessKeyId}'`))
            throw new Error("no export of the cached key");
        },
        sts: "none" as const,
      })),
      {
        id: "version",
        label: "--version (full CLI)",
        subject: rolecred("--version"),
        baselineLabel: "node -e 0",
        baseline: nodeBaseline,
        speed: "fast",
        check: (stdout) => {
          if (!/^\d+\.\d+\.\d+/.test(stdout.trim())) throw new Error(`not a version: ${stdout.trim()}`);
        },
        sts: "none",
      },
      {
        id: "process-cold",
        label: "process dev (cold, STS)",
        subject: rolecred("process", "dev"),
        baselineLabel: "node -e 0",
        baseline: nodeBaseline,
        speed: "slow",
        prepare: ["rm", "-rf", coldCache],
        env: { ROLECRED_CACHE_DIR: coldCache },
        check: (stdout) => {
          if (parseProcessJson(stdout).AccessKeyId === first.AccessKeyId) throw new Error("served the warm session: not a cache miss");
        },
        sts: "every run",
      },
      {
        // Issue 11/16: the IAM user's keys through the SDK's default chain (AWS_PROFILE), then
        // GetCallerIdentity and AssumeRole, written into the credentials file. Nothing cached.
        id: "user-cold",
        label: "user ROLE --profile (cold, STS)",
        subject: rolecred("user", ROLES.ci, "--profile", "bench-user"),
        baselineLabel: "node -e 0",
        baseline: nodeBaseline,
        speed: "slow",
        env: { AWS_PROFILE: "jo-script" },
        check: () => undefined, // the profile written; the AssumeRole count below proves the call
        sts: "every run",
      },
    ];

    cases.push(...(await scaleCases({ world, scratch, rolecred, nodeBaseline, sameKeyAs: first.AccessKeyId })));

    const timer = await chooseTimer(scratch);
    const rows: (Row | Skipped)[] = [];
    const hasGnuTime = await access(GNU_TIME, constants.X_OK).then(
      () => true,
      () => false,
    );
    for (const item of cases) {
      if (ONLY !== undefined && !ONLY.test(item.id)) continue;
      if (item.id === "aws-export-credentials" && aws.missing !== null) {
        rows.push({ case: item.label, skipped: aws.missing });
        continue;
      }
      const caseEnv = { ...env, ...item.env };
      // One untimed run whose output is checked: the row measures what it says it measures.
      if (item.prepare !== undefined) await mustRun(item.prepare, caseEnv);
      let peakMb: number | null = null;
      if (item.memory === true && hasGnuTime) {
        const peakFile = join(scratch, `${item.id}.peak`);
        item.check((await mustRun([GNU_TIME, "-o", peakFile, "-f", "%M", ...item.subject], caseEnv)).stdout);
        peakMb = round(Number((await readFile(peakFile, "utf8")).trim().split("\n").at(-1)) / 1024, 1);
        if (item.prepare !== undefined) await mustRun(item.prepare, caseEnv);
      } else {
        item.check((await mustRun(item.subject, caseEnv)).stdout);
      }
      process.stderr.write(`measuring ${item.label} ...\n`);
      const callsBefore = world.sts.calls.length;
      const measured = await timer.measure(item, caseEnv);
      const stsCalls = world.sts.calls.slice(callsBefore).filter((call) => call.action === "AssumeRole").length;
      if (item.sts === "none" && stsCalls > 0) throw new Error(`${item.label}: ${stsCalls} AssumeRole calls; the cache was not used`);
      if (item.sts === "every run" && stsCalls < measured.subjectMs.length)
        throw new Error(`${item.label}: only ${stsCalls} AssumeRole calls for ${measured.subjectMs.length} runs; not a cache miss every time`);
      const subjectMedian = median(measured.subjectMs);
      const baselineMedian = median([...measured.baselineBeforeMs, ...measured.baselineAfterMs]);
      const ratio = subjectMedian / baselineMedian;
      const before = median(measured.baselineBeforeMs);
      const above = item.targetAbove === undefined ? undefined : rows.find((row): row is Row => "medianMs" in row && row.id === item.targetAbove?.id);
      const goals = [
        item.targetMs === undefined ? undefined : `< ${item.targetMs} ms`,
        item.targetAbove === undefined
          ? undefined
          : `≤ +${item.targetAbove.ms} ms vs ${item.targetAbove.id}${above === undefined ? " (not run)" : ` (+${round(subjectMedian - above.medianMs, 0)})`}`,
        item.targetPeakMb === undefined ? undefined : `< ${item.targetPeakMb} MB`,
      ].filter((goal): goal is string => goal !== undefined);
      const met = [
        item.target === undefined || ratio <= item.target,
        item.targetMs === undefined || subjectMedian < item.targetMs,
        item.targetAbove === undefined || (above !== undefined && subjectMedian - above.medianMs <= item.targetAbove.ms),
        item.targetPeakMb === undefined || (peakMb !== null && peakMb < item.targetPeakMb),
      ].every(Boolean);
      const hasGoal = item.target !== undefined || goals.length > 0;
      rows.push({
        id: item.id,
        goals: goals.join(", "),
        peakMb,
        case: item.label,
        command: displayCommand(item.subject),
        medianMs: round(subjectMedian, 1),
        baseline: item.baselineLabel,
        baselineMedianMs: round(baselineMedian, 1),
        ratio: round(ratio, 2),
        target: item.target ?? null,
        verdict: hasGoal ? (met ? "PASS" : "MISS") : null,
        runs: measured.subjectMs.length,
        baselineDriftPercent: round(((median(measured.baselineAfterMs) - before) / before) * 100, 1),
        stsCalls,
      });
    }

    const report = {
      date: new Date().toISOString(),
      node: process.version,
      cpus: `${cpus().length} × ${cpus()[0]?.model ?? "?"}`,
      loadAverage: loadavg().map((value) => round(value, 2)),
      timer: timer.description,
      awsCli: aws.version,
      seconds: round((Date.now() - started) / 1000, 1),
      rows,
    };
    printTable(report);
    await mkdir(join(REPO_ROOT, "bench", "results"), { recursive: true });
    await writeFile(RESULTS_FILE, `${JSON.stringify(report, null, 2)}\n`);
    console.log(`\nwritten to ${RESULTS_FILE}`);
  } finally {
    await world.close();
    await rm(home, { recursive: true, force: true });
    await rm(scratch, { recursive: true, force: true });
  }
}

interface ScaleContext {
  readonly world: World;
  readonly scratch: string;
  readonly rolecred: (...args: string[]) => Argv;
  readonly nodeBaseline: Argv;
  /** The small home's cached key: each scaled home must serve its own session, not that one. */
  readonly sameKeyAs: string;
}

const SCALE_SIZES = [50, 5_000, 50_000] as const;

/**
 * Issue 16's rows: the same commands with organisation-sized files, each size in its own HOME
 * (generated here, in the bench's temp folder) with its own warm cache.
 */
async function scaleCases(context: ScaleContext): Promise<Case[]> {
  const { world, scratch, rolecred, nodeBaseline } = context;
  const cases: Case[] = [];
  const noCheck = () => undefined;
  const exportsKey = (stdout: string) => {
    if (!stdout.includes("export AWS_ACCESS_KEY_ID=")) throw new Error("no export of the cached key");
  };
  const wanted = (id: string) => ONLY === undefined || ONLY.test(id);
  for (const size of SCALE_SIZES) {
    const ids = [`process-${size}`, `env-${size}`, `assume-${size}`, `write-${size}`, `write-${size}-again`, `write-${size}-unseen`, `user-${size}`];
    if (!ids.some(wanted)) continue;
    const home = join(scratch, `home-${size}`);
    const cache = join(home, "cache");
    await writeScaledAwsFiles(home, size, `${NODE} ${ROLECRED_BIN} process dev`);
    const env = cliEnv(home, { AWS_ENDPOINT_URL_STS: world.sts.url, ROLECRED_CACHE_DIR: cache, AWS_PAGER: "" });
    const key = parseProcessJson((await mustRun(rolecred("process", "dev"), env)).stdout).AccessKeyId;
    const sameSession = (stdout: string) => {
      if (parseProcessJson(stdout).AccessKeyId !== key) throw new Error("not the cached session");
    };
    const sized = size.toLocaleString("en-US");
    const pristine = join(home, "credentials.pristine");
    await mustRun(["touch", "-d", "1 hour ago", join(home, ".aws", "credentials")], env);
    await mustRun(["cp", "-p", join(home, ".aws", "credentials"), pristine], env);
    await settleAndRemember(rolecred("process", "dev"), env);
    const base = { baselineLabel: "node -e 0", baseline: nodeBaseline, env, sts: "none" as const, speed: size === 50 ? ("slow" as const) : ("scale" as const) };
    cases.push(
      {
        ...base,
        id: `process-${size}`,
        label: `process dev (warm), ${sized} profiles`,
        subject: rolecred("process", "dev"),
        target: TARGET,
        memory: true,
        check: sameSession,
      },
      {
        ...base,
        id: `env-${size}`,
        label: `env dev (warm), ${sized} profiles`,
        subject: rolecred("env", "dev", "--shell", "bash"),
        target: TARGET,
        check: exportsKey,
      },
      {
        ...base,
        id: `assume-${size}`,
        label: `assume dev (warm), ${sized} profiles`,
        subject: rolecred("assume", "dev", "--shell", "bash"),
        target: TARGET,
        check: exportsKey,
      },
      {
        ...base,
        id: `write-${size}`,
        label: `write dev --to out, ${sized} profiles${size === 50 ? "" : " (after an outside change)"}`,
        subject: rolecred("write", "dev", "--to", "bench-out"),
        // Each run edits the same file as it was generated (the copy is untimed; -p keeps its
        // modification time, as a file last written minutes ago has, and the pause lets its change
        // time settle too: rolecred reuses a read only of a file unchanged for a second). `sync FILE`
        // flushes the copy's 49 MB first: a change made minutes before (the kernel writes dirty pages
        // back within 30 s) is on disk, and the other program's writeback is not timed as rolecred's
        // (it was ≈ 50 ms of this row until the eighth round, docs/bench-history.md).
        prepare: ["sh", "-c", `cp -p "$1" "$2" && sync "$2" && sleep 1.1`, "sh", pristine, join(home, ".aws", "credentials")],
        memory: true,
        // The first write after another tool changed the file (put it back as it was before the
        // previous run's write): the remembered blocks found again, the stretch that changed
        // scanned strictly (store/scan-blocks.ts); write-N-unseen keeps the full scan on record.
        // The issue's goal for one write into the 50,000-profile file, as for the repeat write.
        ...(size === 50 ? {} : { targetPeakMb: 100 }),
        ...(size === 50_000 ? { targetAbove: { id: "write-50", ms: 150 } } : {}),
        check: noCheck,
      },
      ...(size === 50 || !wanted(`write-${size}-again`)
        ? []
        : [
            {
              ...base,
              id: `write-${size}-again`,
              label: `write dev --to out again, ${sized} profiles (the file rolecred wrote last)`,
              subject: rolecred("write", "dev", "--to", "bench-out"),
              // The everyday case: the file is the one the previous run wrote (its scan remembered in
              // the cache folder, store/remembered-scan.ts), a second old as a refresh minutes later is.
              prepare: ["sleep", "1.1"] as const,
              memory: true,
              targetAbove: { id: "write-50", ms: 150 },
              targetPeakMb: 100,
              check: noCheck,
            },
          ]),
      ...(size === 50 || !wanted(`write-${size}-unseen`)
        ? []
        : [
            {
              ...base,
              id: `write-${size}-unseen`,
              label: `write dev --to out, ${sized} profiles, nothing remembered of the file (full strict scan)`,
              subject: rolecred("write", "dev", "--to", "bench-out"),
              // As write-N, and the scan's record removed from the cache folder (the session cached there stays).
              prepare: [
                "sh",
                "-c",
                `cp -p "$1" "$2" && sync "$2" && rm -f "$3"/scan-*.record && sleep 1.1`,
                "sh",
                pristine,
                join(home, ".aws", "credentials"),
                cache,
              ] as const,
              memory: true,
              targetPeakMb: 100,
              check: noCheck,
            },
          ]),
      {
        // The issue's `user` row: keys of AWS_PROFILE through the SDK's chain, GetCallerIdentity
        // and AssumeRole, the session written into the N-profile credentials file.
        ...base,
        id: `user-${size}`,
        label: `user ROLE --profile (cold, STS), ${sized} profiles`,
        subject: rolecred("user", ROLES.ci, "--profile", "bench-user"),
        env: { ...env, AWS_PROFILE: "jo-script" },
        // As write-N: each run writes into the file as it was generated, not one grown by earlier runs.
        prepare: ["sh", "-c", `cp -p "$1" "$2" && sync "$2" && sleep 1.1`, "sh", pristine, join(home, ".aws", "credentials")],
        sts: "every run",
        memory: true,
        check: noCheck,
      },
    );
  }
  if (wanted("process-50000-config")) {
    // The issue's condition: a 50,000-profile config (what `populate` writes), a credentials file of ordinary size.
    const home = join(scratch, "home-50000-config");
    const cache = join(home, "cache");
    await writeScaledAwsFiles(home, 50_000, `${NODE} ${ROLECRED_BIN} process dev`, 50);
    const env = cliEnv(home, { AWS_ENDPOINT_URL_STS: world.sts.url, ROLECRED_CACHE_DIR: cache, AWS_PAGER: "" });
    const key = parseProcessJson((await mustRun(rolecred("process", "dev"), env)).stdout).AccessKeyId;
    await settleAndRemember(rolecred("process", "dev"), env);
    cases.push({
      id: "process-50000-config",
      label: "process dev (warm), 50,000-profile config only",
      subject: rolecred("process", "dev"),
      baselineLabel: "node -e 0",
      baseline: nodeBaseline,
      env,
      sts: "none",
      speed: "slow",
      target: TARGET,
      memory: true,
      check: (stdout) => {
        if (parseProcessJson(stdout).AccessKeyId !== key) throw new Error("not the cached session");
      },
    });
  }
  const profilesRows = [
    "profiles-10000",
    "profiles-names-10000",
    "profiles-10000-cold",
    "profiles-names-10000-cold",
    "profiles-10000-after-write",
    "profiles-names-10000-after-write",
    "profiles-10000-after-edit",
    "profiles-names-10000-after-edit",
    "profiles-10000-after-add",
    "profiles-names-10000-after-add",
  ];
  if (profilesRows.some(wanted) || wanted("status-10000") || wanted("status-1000")) {
    const home = join(scratch, "home-10000");
    await writeScaledAwsFiles(home, 10_000, "true");
    const base = { baselineLabel: "node -e 0", baseline: nodeBaseline, sts: "none" as const, speed: "slow" as const, memory: true };
    cases.push({
      ...base,
      id: "profiles-10000",
      label: "profiles, 10,000 profiles",
      subject: rolecred("profiles"),
      env: cliEnv(home),
      target: 2,
      check: (stdout) => {
        if (!stdout.includes("org-9999")) throw new Error("profiles did not list org-9999");
      },
    });
    cases.push({
      ...base,
      id: "profiles-names-10000",
      label: "profiles --names, 10,000 profiles",
      subject: rolecred("profiles", "--names"),
      env: cliEnv(home),
      target: 2,
      check: (stdout) => {
        if (!stdout.includes("org-9999\n")) throw new Error("profiles --names did not list org-9999");
      },
    });
    // The same with no listing remembered (src/profiles/remembered-listing.ts): a cache folder that
    // cannot be made (under a file), as after every change to either file.
    const noCache = cliEnv(home, { ROLECRED_CACHE_DIR: join(home, ".aws", "config", "no-cache") });
    for (const [id, label, flags] of [
      ["profiles-10000-cold", "profiles, 10,000 profiles, nothing remembered", []],
      ["profiles-names-10000-cold", "profiles --names, 10,000 profiles, nothing remembered", ["--names"]],
    ] as const) {
      cases.push({
        ...base,
        id,
        label,
        subject: rolecred("profiles", ...flags),
        env: noCache,
        check: (stdout) => {
          if (!stdout.includes("org-9999")) throw new Error("profiles did not list org-9999");
        },
      });
    }
    // The first listing after a change (issue 16, fifth round): after rolecred's own write (a
    // session refreshed: the write's note is applied, src/store/listing-notes.ts), and after an
    // outside edit of the credentials file (only that file is read; the config's part is remembered).
    const changedRows = profilesRows.filter((id) => id.includes("-after-"));
    if (changedRows.some(wanted)) {
      const changed = join(scratch, "home-10000-changed");
      await writeScaledAwsFiles(changed, 10_000, "true");
      const credentials = join(changed, ".aws", "credentials");
      const addProfile = [
        "sh",
        "-c",
        // A second's pause after the add, as the write rows pause: the file's change has settled, as a
        // profile added by another tool minutes before a listing has. Without it each run read a file
        // changed within the second, which is not remembered (remembered-listing.ts), so run k patched
        // all k profiles added so far: not what the row's label says.
        'printf "\\n[outside-%s]\\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\\naws_secret_access_key = %s\\n" "$(date +%s%N)" "$2" >> "$1" && sleep 1.1',
        "sh",
        credentials,
        "s".repeat(40),
      ] as const;
      const changedEnv = cliEnv(changed, { AWS_ENDPOINT_URL_STS: world.sts.url, ROLECRED_CACHE_DIR: join(changed, "cache"), AWS_PAGER: "" });
      await mustRun(rolecred("process", "dev"), changedEnv); // a cached session for the writes
      await mustRun(["touch", "-d", "1 hour ago", join(changed, ".aws", "config"), credentials], changedEnv);
      for (const flags of [[], ["--names"]]) await settleAndRemember(rolecred("profiles", ...flags), changedEnv);
      for (const [id, label, flags, prepare] of [
        ["profiles-10000-after-write", "profiles, 10,000 profiles, after rolecred's write", [], rolecred("write", "dev", "--to", "org-5")],
        [
          "profiles-names-10000-after-write",
          "profiles --names, 10,000 profiles, after rolecred's write",
          ["--names"],
          rolecred("write", "dev", "--to", "org-5"),
        ],
        ["profiles-10000-after-edit", "profiles, 10,000 profiles, after an outside edit", [], ["sh", "-c", 'printf "\\n" >> "$1"', "sh", credentials]],
        [
          "profiles-names-10000-after-edit",
          "profiles --names, 10,000 profiles, after an outside edit",
          ["--names"],
          ["sh", "-c", 'printf "\\n" >> "$1"', "sh", credentials],
        ],
        // An outside edit that changes what is shown (the edits above do not: a blank line, as a
        // token replaced in place would not): another tool adds a profile of long-term keys.
        ["profiles-10000-after-add", "profiles, 10,000 profiles, after an outside tool added a profile", [], addProfile],
        ["profiles-names-10000-after-add", "profiles --names, 10,000 profiles, after an outside tool added a profile", ["--names"], addProfile],
      ] as const) {
        if (!wanted(id)) continue;
        cases.push({
          ...base,
          id,
          label,
          subject: rolecred("profiles", ...flags),
          prepare: [...prepare],
          env: changedEnv,
          target: 2,
          check: (stdout) => {
            if (!stdout.includes("org-9999")) throw new Error("profiles did not list org-9999");
          },
        });
      }
    }
    for (const count of [1_000, 10_000]) {
      const cache = join(home, `cache-${count}`);
      if (!wanted(`status-${count}`)) continue;
      await writeCachedSessions(cache, count);
      cases.push({
        ...base,
        id: `status-${count}`,
        label: `status, ${count.toLocaleString("en-US")} cached sessions`,
        subject: rolecred("status"),
        env: cliEnv(home, { ROLECRED_CACHE_DIR: cache }),
        targetMs: 500,
        check: (stdout) => {
          if (!stdout.includes(`org-${count - 1}`)) throw new Error(`status did not list org-${count - 1}`);
        },
      });
    }
  }
  if (wanted("saml-list-1000")) {
    // 1,000 roles with long path-qualified names, signed by the tests' identity provider: the
    // base64 on stdin is just under the 1 MiB input cap. Both commands run under sh so that the
    // redirect costs the baseline what it costs the subject.
    const home = join(scratch, "home-saml");
    await mkdir(home, { recursive: true });
    const idp = createTestIdp();
    const provider = "arn:aws:iam::111122223333:saml-provider/TestIdP";
    const path = `/${"organisation-unit/".repeat(26)}`;
    const roles = Array.from({ length: 1_000 }, (_, index) => ({
      roleArn: `arn:aws:iam::${String(100000000000 + index)}:role${path}Role-${String(index).padStart(4, "0")}-${"x".repeat(50)}`,
      providerArn: provider,
    }));
    const input = join(home, "assertion.b64");
    const base64 = issueSamlResponseBase64(idp, { roles, sessionName: "alice@example.com" });
    await writeFile(input, base64);
    const withInput = (argv: Argv): Argv => ["/bin/sh", "-c", `exec ${commandLine(argv)} < ${shellQuote(input)}`];
    cases.push({
      id: "saml-list-1000",
      label: `saml --list, 1,000 roles (${Math.round(base64.length / 1024)} KiB)`,
      subject: withInput(rolecred("saml", "--list")),
      baselineLabel: "sh: node -e 0 < file",
      baseline: withInput(nodeBaseline),
      env: cliEnv(home),
      sts: "none",
      speed: "slow",
      memory: true,
      targetMs: 300,
      check: (stdout) => {
        if (!stdout.includes("Role-0999-")) throw new Error("saml --list did not list the last role");
      },
    });
  }
  if (wanted("writers-50")) {
    const home = join(scratch, "home-writers");
    const cache = join(home, "cache");
    await writeJoProfile(home, `\n[profile dev]\nrole_arn = ${ROLES.ci}\nsource_profile = jo-script\n`);
    const env = cliEnv(home, { AWS_ENDPOINT_URL_STS: world.sts.url, ROLECRED_CACHE_DIR: cache });
    await mustRun(rolecred("process", "dev"), env);
    const pristine = join(home, "credentials.pristine");
    await mustRun(["cp", join(home, ".aws", "credentials"), pristine], env);
    cases.push({
      id: "writers-50",
      label: "50 concurrent writes, different profiles",
      subject: [NODE, join(REPO_ROOT, "dist", "bench", "concurrent-writes.js"), "50"],
      baselineLabel: "node -e 0",
      baseline: nodeBaseline,
      env,
      sts: "none",
      speed: "scale",
      prepare: ["cp", pristine, join(home, ".aws", "credentials")],
      targetMs: 2000,
      check: (stdout) => {
        if (!stdout.includes("50 written, 0 lost")) throw new Error(`concurrent writes: ${stdout.trim()}`);
      },
    });
  }
  return cases;
}

function round(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

function printTable(report: { node: string; cpus: string; loadAverage: number[]; timer: string; seconds: number; rows: readonly (Row | Skipped)[] }): void {
  console.log(`rolecred startup, ${report.timer}`);
  console.log(`node ${report.node}, ${report.cpus}, load ${report.loadAverage.join(" ")}, ${report.seconds} s`);
  console.log("");
  const header = ["case", "median ms", "baseline", "baseline ms", "ratio", "peak MB", "target", ""];
  const lines = report.rows.map((row) =>
    "skipped" in row
      ? [row.case, "—", "", "", "", "", "", `skipped: ${row.skipped}`]
      : [
          row.case,
          row.medianMs.toFixed(1),
          row.baseline,
          row.baselineMedianMs.toFixed(1),
          row.ratio.toFixed(2),
          row.peakMb === null ? "" : row.peakMb.toFixed(0),
          [row.target === null ? "" : `≤ ${row.target}`, row.goals].filter((goal) => goal !== "").join(", ") || "—",
          row.verdict ?? "",
        ],
  );
  const widths = header.map((title, column) => Math.max(title.length, ...lines.map((line) => (line[column] ?? "").length)));
  const numeric = new Set([1, 3, 4, 5]);
  const format = (line: readonly string[]) =>
    line
      .map((cell, column) => (numeric.has(column) ? cell.padStart(widths[column] ?? 0) : cell.padEnd(widths[column] ?? 0)))
      .join("  ")
      .trimEnd();
  console.log(format(header));
  for (const line of lines) console.log(format(line));
  const measured = report.rows.filter((row): row is Row => !("skipped" in row));
  console.log("");
  console.log(`runs per command: ${measured.map((row) => `${row.case} ${row.runs}`).join(", ")}`);
  console.log(
    `baseline drift (later runs vs earlier): ${measured.map((row) => `${row.baselineDriftPercent > 0 ? "+" : ""}${row.baselineDriftPercent}%`).join(", ")}`,
  );
  const cold = measured.find((row) => row.stsCalls > 0 && row.case.startsWith("process dev (cold"));
  if (cold !== undefined) console.log(`STS AssumeRole calls: ${cold.stsCalls} on the cold row (${cold.runs} timed runs + warmup), 0 on every warm row`);
  console.log("Ratios are the result; the milliseconds are this machine's. Exit code 0 whatever the verdicts.");
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
