/**
 * The linter's half of the layer proof: `npm run lint` runs oxlint with .oxlintrc.json, whose
 * no-restricted-imports overrides encode the direction of docs/architecture.md. Here the same
 * config lints a planted tree in a temporary folder (the repository is never touched): every
 * upward import must be reported, by file and specifier, and the allowed imports must not be.
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../support/run-cli.js";

const OXLINT = join(REPO_ROOT, "node_modules", ".bin", "oxlint");

/** Files of the planted tree, by path under the temporary folder. */
const PLANTED: Readonly<Record<string, string>> = {
  // Upward: each of these breaks a rule of docs/architecture.md.
  "src/store/up-type.ts": 'import type { UserOptions } from "../commands/user.js";\nexport type Planted = UserOptions;\n',
  "src/sts/up-lazy.ts": 'export const load = () => import("../session/deliver.js");\n',
  "src/credentials/up-reexport.ts": 'export { runCli } from "../cli/run.js";\n',
  "src/session/up-commands.ts": 'export { runUser } from "../commands/user.js";\n',
  "src/keys/up-session.ts": 'import "../session/options.js";\n',
  "src/base-up.ts": 'import "./cli/run.js";\n',
  // Allowed: down the layers, or src/cli loading a command.
  "src/cli/down-lazy.ts": 'export const load = () => import("../commands/user.js");\n',
  "src/commands/down.ts": 'import "../session/deliver.js";\nimport "../store/lock.js";\n',
  "src/session/down.ts": 'import "../store/lock.js";\nimport "../outcome.js";\n',
  // A runtime cycle (import/no-cycle), and its type-only twin, which is not one.
  "src/output/cycle-a.ts": 'import { b } from "./cycle-b.js";\nexport const a = () => b;\n',
  "src/output/cycle-b.ts": 'import { a } from "./cycle-a.js";\nexport const b = () => a;\n',
  "src/output/types-a.ts": 'import type { B } from "./types-b.js";\nexport type A = { b?: B };\n',
  "src/output/types-b.ts": 'import type { A } from "./types-a.js";\nexport type B = { a?: A };\n',
};

interface Diagnostic {
  readonly code: string;
  readonly filename: string;
  readonly message: string;
}

let folder = "";

beforeAll(() => {
  folder = mkdtempSync(join(tmpdir(), "rolecred-lint-rules-"));
  copyFileSync(join(REPO_ROOT, ".oxlintrc.json"), join(folder, ".oxlintrc.json"));
  for (const [path, text] of Object.entries(PLANTED)) {
    mkdirSync(dirname(join(folder, path)), { recursive: true });
    writeFileSync(join(folder, path), text);
  }
});

afterAll(() => rmSync(folder, { recursive: true, force: true }));

function lintPlanted(): { status: number | null; diagnostics: Diagnostic[] } {
  const result = spawnSync(OXLINT, ["--deny-warnings", "-f", "json", "src"], { cwd: folder, encoding: "utf8" });
  if (result.error !== undefined) throw result.error;
  const report = JSON.parse(result.stdout) as { diagnostics: Diagnostic[] };
  return { status: result.status, diagnostics: report.diagnostics };
}

describe("the lint config's layer rules (.oxlintrc.json)", () => {
  it("report every planted upward import, type-only and lazy ones included, and nothing allowed", () => {
    const { status, diagnostics } = lintPlanted();
    expect(status).toBe(1);
    const restricted = diagnostics
      .filter((diagnostic) => diagnostic.code === "eslint(no-restricted-imports)")
      .map((diagnostic) => `${diagnostic.filename}: ${/'([^']+)'/.exec(diagnostic.message)?.[1] ?? diagnostic.message}`)
      .sort();
    expect(restricted).toEqual([
      "src/base-up.ts: ./cli/run.js",
      "src/credentials/up-reexport.ts: ../cli/run.js",
      "src/keys/up-session.ts: ../session/options.js",
      "src/session/up-commands.ts: ../commands/user.js",
      "src/store/up-type.ts: ../commands/user.js",
      "src/sts/up-lazy.ts: ../session/deliver.js",
    ]);
  });

  it("reports a runtime import cycle, not a type-only one", () => {
    const cycles = lintPlanted()
      .diagnostics.filter((diagnostic) => diagnostic.code === "import(no-cycle)")
      .map((diagnostic) => diagnostic.filename)
      .sort();
    expect(cycles).toEqual(["src/output/cycle-a.ts", "src/output/cycle-b.ts"]);
  });

  it("reports nothing else: the planted tree is otherwise clean, so the findings above are the rules'", () => {
    const others = lintPlanted().diagnostics.filter(
      (diagnostic) => diagnostic.code !== "eslint(no-restricted-imports)" && diagnostic.code !== "import(no-cycle)",
    );
    expect(others).toEqual([]);
  });
});
