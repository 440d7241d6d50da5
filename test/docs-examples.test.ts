/**
 * The documentation's examples, run. In docs/*.md:
 *
 *   <!-- doc-file: NAME -->   before a fenced block: that block is file NAME in the examples'
 *                             working folder, which is also HOME (for every example of the
 *                             same page; NAME may be a path such as .aws/config);
 *   <!-- doc-test -->         before a ```console block: each `$ COMMAND` line is run by sh in
 *                             that folder, with the built CLI as `rolecred` on PATH, and what it
 *                             prints (stdout and stderr in one pipe, as on a terminal) must be
 *                             the lines that follow it.
 *
 * So a number or an output shown in the docs cannot drift from what rolecred does.
 */
import { execFile } from "node:child_process";
import { chmod, mkdir, mkdtemp, readdir, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { cliEnv, REPO_ROOT, ROLECRED_BIN } from "./support/run-cli.js";

const run = promisify(execFile);
const DOCS = join(REPO_ROOT, "docs");

interface Example {
  readonly page: string;
  readonly line: number;
  readonly command: string;
  readonly expected: string[];
}

interface Page {
  readonly files: Map<string, string>;
  readonly examples: Example[];
}

/** The marked blocks of one page. */
export function readMarkedBlocks(page: string, text: string): Page {
  const lines = text.split("\n");
  const files = new Map<string, string>();
  const examples: Example[] = [];
  for (let index = 0; index < lines.length; index += 1) {
    const marker = /^<!-- doc-(test|file: (\S+)) -->$/.exec(lines[index] ?? "");
    if (marker === null) continue;
    const open = index + 1;
    if (!(lines[open] ?? "").startsWith("```")) throw new Error(`${page}:${index + 1}: a doc-test/doc-file marker must be followed by a fenced block`);
    const close = lines.findIndex((line, at) => at > open && line.startsWith("```"));
    if (close === -1) throw new Error(`${page}:${open + 1}: unterminated block`);
    const body = lines.slice(open + 1, close);
    if (marker[2] !== undefined) {
      files.set(marker[2], `${body.join("\n")}\n`);
    } else {
      let current: Example | undefined;
      body.forEach((line, at) => {
        if (line.startsWith("$ ")) {
          current = { page, line: open + 2 + at, command: line.slice(2), expected: [] };
          examples.push(current);
        } else if (current === undefined) {
          throw new Error(`${page}:${open + 2 + at}: output before any $ command`);
        } else {
          current.expected.push(line);
        }
      });
    }
    index = close;
  }
  return { files, examples };
}

const pages = await Promise.all(
  (await readdir(DOCS))
    .filter((name) => name.endsWith(".md"))
    .sort()
    .map(async (name) => readMarkedBlocks(`docs/${name}`, await readFile(join(DOCS, name), "utf8"))),
);
const examples = pages.flatMap((page) => page.examples.map((example) => [`${example.page}:${example.line}: ${example.command}`, example, page.files] as const));

describe("documentation examples", () => {
  it("there are some, and the marker reader finds files and commands", () => {
    expect(examples.length).toBeGreaterThanOrEqual(3);
    const sample = readMarkedBlocks(
      "x.md",
      ["<!-- doc-file: a.json -->", "```json", "{}", "```", "<!-- doc-test -->", "```console", "$ echo hi", "hi", "```"].join("\n"),
    );
    expect(sample).toEqual({ files: new Map([["a.json", "{}\n"]]), examples: [{ page: "x.md", line: 7, command: "echo hi", expected: ["hi"] }] });
  });

  it.each(examples)("%s", async (_name, example, files) => {
    const folder = await mkdtemp(join(tmpdir(), "rolecred-docs-"));
    const bin = join(folder, ".bin");
    await mkdir(bin);
    await writeFile(join(bin, "rolecred"), `#!/bin/sh\nexec '${process.execPath}' '${ROLECRED_BIN}' "$@"\n`);
    await chmod(join(bin, "rolecred"), 0o755);
    for (const [name, content] of files) {
      await mkdir(dirname(join(folder, name)), { recursive: true });
      await writeFile(join(folder, name), content);
    }
    const env = cliEnv(folder, { PATH: `${bin}:${process.env.PATH ?? "/usr/bin:/bin"}` });
    // One pipe for both streams, as on the terminal the page shows: lines keep the order they were written in.
    const { stdout } = await run("/bin/sh", ["-c", `exec 2>&1\n${example.command}`], { cwd: folder, env }).catch((error: { stdout: string }) => error);
    expect(stdout.trimEnd().split("\n")).toEqual(example.expected);
  });
});
