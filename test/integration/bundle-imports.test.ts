/**
 * bin/rolecred, on Node 20, hands the bundle's `import(` calls to a function of its own (a cached
 * script loses its import() handler) by a text rewrite: every `import(` not preceded by a name
 * character or a dot. The rewrite is only right while every such text in the bundle is a real
 * dynamic import: `import(` in a string, template or regular expression would be changed too
 * (a message would print `__rolecredImport(`), and a call the rule misses would fail from the
 * code cache. This guard tells them apart with a real parser: esbuild, told that the target has
 * no dynamic import, turns every real `import()` into a require and leaves strings, templates and
 * regular expressions as they are (and drops comments, where a rewrite is harmless). Whatever the
 * shim's rule still finds in that output is not a call; and the rule must find as many texts in
 * the bundle as esbuild found calls.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { runInNewContext } from "node:vm";
import { transformSync } from "esbuild";
import { describe, expect, it } from "vitest";
import { REPO_ROOT, ROLECRED_BIN } from "../support/run-cli.js";

/** The shim's own rewrite, taken from bin/rolecred as it is (the shim is one file that runs when loaded, so it exports nothing). */
function shimRewrite(): (name: string, source: string) => string {
  const shim = readFileSync(ROLECRED_BIN, "utf8");
  const found = /^function handImportsTo\(name, source\) \{\n[\s\S]*?\n\}$/m.exec(shim);
  if (found === null) throw new Error("bin/rolecred no longer has function handImportsTo(name, source): update this guard");
  return runInNewContext(`(${found[0]})`) as (name: string, source: string) => string;
}

const MARK = "__shimRewroteHere";
/** How esbuild lowers `import(x)` (after `Promise.resolve().then(() =>`, possibly across lines); the bundle's own such texts are subtracted. */
const LOWERED_CALL = "__toESM(require(";
const count = (text: string, part: string) => text.split(part).length - 1;

/** What the shim would rewrite that is not a dynamic import, and how many calls it finds against how many there are. */
function checkShimImports(source: string): { notCalls: string[]; rewrites: number; calls: number } {
  const rewrite = shimRewrite();
  const lowered = transformSync(source, { supported: { "dynamic-import": false }, format: "cjs", platform: "node", logLevel: "silent" }).code;
  const left = rewrite(MARK, lowered);
  const notCalls = [...left.matchAll(new RegExp(`.{0,30}${MARK}\\(.{0,30}`, "g"))].map((match) => match[0]);
  return { notCalls, rewrites: count(rewrite(MARK, source), `${MARK}(`), calls: count(lowered, LOWERED_CALL) - count(source, LOWERED_CALL) };
}

describe("the shim's import( rewrite", () => {
  it.each(["main.cjs", "main-warm.cjs"])("finds in the built bundle (%s) exactly its dynamic import() calls, and nothing else", (name) => {
    const bundle = join(REPO_ROOT, "dist", "src", "cli", name);
    if (!existsSync(bundle)) throw new Error("build first: npm run build");
    const checked = checkShimImports(readFileSync(bundle, "utf8"));
    expect(checked.notCalls).toEqual([]);
    expect(checked.calls).toBeGreaterThan(0);
    expect(checked.rewrites).toBe(checked.calls);
  });

  it("catches `import(` in a string, a template or a regular expression", () => {
    const source = [
      'const hint = "use import(x) instead";',
      "const shown = `import(${1})`;",
      "const pattern = /import(x)/;",
      "async function load(name) { return [await import(name), reimport(name), api.import(name)]; }",
    ].join("\n");
    const checked = checkShimImports(source);
    expect(checked.notCalls).toHaveLength(3);
    expect(checked.notCalls.join("\n")).toContain("use ");
    expect(checked).toMatchObject({ calls: 1, rewrites: 4 });
  });

  it("catches a dynamic import the rule would miss (`import (` with a space)", () => {
    const checked = checkShimImports("async function load(name) { return [await import(name), await import ('./run.js')]; }");
    expect(checked).toEqual({ notCalls: [], calls: 2, rewrites: 1 });
  });
});
