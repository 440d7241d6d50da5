/**
 * The layers of docs/architecture.md, proven on the source: every import under src/ is read
 * (a regex over `from "…"`, `import "…"` and `import("…")` is enough for this code base) and the
 * direction rules are checked. Type-only imports (`import type`, `export type`) vanish from the
 * emitted JavaScript, so they are counted apart for the runtime cycle check, but they still may
 * not point up a layer, and they may not form a cycle of their own either: a type shared by two
 * modules lives below both of them.
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const SRC = join(ROOT, "src");

export interface ImportEdge {
  /** Importing file, relative to the repository root with forward slashes, e.g. src/cli/env.ts. */
  readonly from: string;
  /** Imported file, same form. */
  readonly to: string;
  /** `import type` / `export type`: erased from the built JavaScript. */
  readonly typeOnly: boolean;
  /** `import("…")`: loaded when the code runs, not when the module loads. */
  readonly lazy: boolean;
}

function sourceFiles(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts") ? [path] : [];
  });
}

const repoPath = (absolute: string) => relative(ROOT, absolute).split("\\").join("/");

/**
 * Comments may quote imports, so they are dropped; strings are kept (they hold the specifiers).
 * A scanner, not a regex: help text such as "lint infra/roles/*.json" must not open a comment.
 */
export function withoutComments(text: string): string {
  let out = "";
  let quote: string | undefined;
  for (let index = 0; index < text.length; index += 1) {
    const char = text[index] ?? "";
    if (quote !== undefined) {
      out += char;
      if (char === "\\") {
        out += text[index + 1] ?? "";
        index += 1;
      } else if (char === quote) {
        quote = undefined;
      }
    } else if (char === "/" && text[index + 1] === "/") {
      const end = text.indexOf("\n", index);
      index = (end === -1 ? text.length : end) - 1;
    } else if (char === "/" && text[index + 1] === "*") {
      const end = text.indexOf("*/", index + 2);
      index = (end === -1 ? text.length : end + 2) - 1;
    } else {
      if (char === '"' || char === "'" || char === "`") quote = char;
      out += char;
    }
  }
  return out;
}

export function importsOf(file: string): ImportEdge[] {
  const text = withoutComments(readFileSync(file, "utf8"));
  const edges: ImportEdge[] = [];
  const add = (specifier: string, typeOnly: boolean, lazy: boolean) => {
    if (!specifier.startsWith(".")) return; // packages and node: builtins
    const target = resolve(dirname(file), specifier).replace(/\.js$/, ".ts");
    edges.push({ from: repoPath(file), to: repoPath(target), typeOnly, lazy });
  };
  // `import … from "x"`, `export … from "x"`, `import "x"` (statement forms).
  for (const match of text.matchAll(/^\s*(import|export)(\s+type)?\b[^;]*?\bfrom\s*["']([^"']+)["']/gm)) {
    add(match[3] ?? "", match[2] !== undefined, false);
  }
  for (const match of text.matchAll(/^\s*import\s*["']([^"']+)["']/gm)) add(match[1] ?? "", false, false);
  // `import("x")`, except `typeof import("x")` and `import("x").Type` in type positions.
  for (const match of text.matchAll(/(typeof\s+)?\bimport\(\s*["']([^"']+)["']\s*\)(\.[A-Z])?/g)) {
    add(match[2] ?? "", match[1] !== undefined || match[3] !== undefined, true);
  }
  return edges;
}

export const EDGES: readonly ImportEdge[] = sourceFiles(SRC).flatMap(importsOf);

/** Every cycle among runtime imports (static and lazy), each once, as a list of files. */
export function runtimeCycles(edges: readonly ImportEdge[]): string[][] {
  const next = new Map<string, Set<string>>();
  for (const edge of edges) {
    if (edge.typeOnly) continue;
    const targets = next.get(edge.from) ?? new Set<string>();
    targets.add(edge.to);
    next.set(edge.from, targets);
  }
  // Tarjan's strongly connected components: a component of more than one file (or a file that
  // imports itself) is a cycle.
  let index = 0;
  const indexOf = new Map<string, number>();
  const lowOf = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const visit = (node: string) => {
    indexOf.set(node, index);
    lowOf.set(node, index);
    index += 1;
    stack.push(node);
    onStack.add(node);
    for (const target of next.get(node) ?? []) {
      if (!indexOf.has(target)) {
        visit(target);
        lowOf.set(node, Math.min(lowOf.get(node) ?? 0, lowOf.get(target) ?? 0));
      } else if (onStack.has(target)) {
        lowOf.set(node, Math.min(lowOf.get(node) ?? 0, indexOf.get(target) ?? 0));
      }
    }
    if (lowOf.get(node) === indexOf.get(node)) {
      const component: string[] = [];
      let member: string | undefined;
      do {
        member = stack.pop();
        if (member === undefined) break;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1 || next.get(node)?.has(node) === true) components.push(component.sort());
    }
  };
  for (const node of next.keys()) if (!indexOf.has(node)) visit(node);
  return components;
}

const inFolder = (file: string, folders: readonly string[]) => folders.some((folder) => file.startsWith(`src/${folder}/`));

/** Edges from files in `lower` to files in `upper` (runtime and type-only alike). */
function upward(edges: readonly ImportEdge[], lower: readonly string[] | ((file: string) => boolean), upper: readonly string[]): string[] {
  const isLower = typeof lower === "function" ? lower : (file: string) => inFolder(file, lower);
  return edges.filter((edge) => isLower(edge.from) && inFolder(edge.to, upper)).map((edge) => `${edge.from} -> ${edge.to}${edge.typeOnly ? " (type)" : ""}`);
}

/**
 * Edges the rules forbid that are still there on purpose, each with the reason. Empty is the
 * goal; an entry here is a debt the architecture document names too.
 */
const DOCUMENTED_EXCEPTIONS: ReadonlyArray<{ readonly edge: string; readonly reason: string }> = [];
const excepted = new Set(DOCUMENTED_EXCEPTIONS.map((exception) => exception.edge));
const undocumented = (edges: readonly string[]) => edges.filter((edge) => !excepted.has(edge));

describe("the import graph of src/", () => {
  it("finds the imports (the parser reads this code base)", () => {
    expect(EDGES.length).toBeGreaterThan(200);
    expect(EDGES.some((edge) => edge.from === "src/cli/program.ts" && edge.lazy)).toBe(true);
    // After help text with "roles/*.json" in it: a naive comment stripper loses this one.
    expect(EDGES).toContainEqual({ from: "src/cli/lint.ts", to: "src/commands/lint.ts", typeOnly: false, lazy: true });
    expect(withoutComments('const a = "x/*y"; /* gone */ const b = `//z`; // gone\n')).toBe('const a = "x/*y";  const b = `//z`; \n');
    expect(EDGES.some((edge) => edge.typeOnly)).toBe(true);
  });

  it("has no cycle among runtime imports", () => {
    expect(runtimeCycles(EDGES)).toEqual([]);
  });

  it("has no cycle among all imports, type-only ones included", () => {
    expect(runtimeCycles(EDGES.map((edge) => ({ ...edge, typeOnly: false })))).toEqual([]);
  });

  it("has nothing outside src/cli importing src/cli/", () => {
    expect(undocumented(upward(EDGES, (file) => !file.startsWith("src/cli/"), ["cli"]))).toEqual([]);
  });

  it("keeps store, sts, output and exec below the commands and the session layer", () => {
    expect(undocumented(upward(EDGES, ["store", "sts", "output", "exec"], ["commands", "session"]))).toEqual([]);
  });

  it("keeps profiles, credentials, policy, lint, saml and iam below the commands and the CLI", () => {
    expect(undocumented(upward(EDGES, ["profiles", "credentials", "policy", "lint", "saml", "iam"], ["commands", "cli"]))).toEqual([]);
  });

  it("has src/cli load commands and the session layer only lazily (or as types), so start-up stays small", () => {
    const eager = EDGES.filter((edge) => edge.from.startsWith("src/cli/") && inFolder(edge.to, ["commands", "session"]) && !edge.typeOnly && !edge.lazy);
    expect(eager.map((edge) => `${edge.from} -> ${edge.to}`)).toEqual([]);
  });

  it("has src/cli re-export nothing: Outcome, the option types and requireProfileName are imported from their homes", () => {
    const reexporting = sourceFiles(join(SRC, "cli")).filter((file) => /^\s*export\b[^;]*?\bfrom\s*["']/m.test(withoutComments(readFileSync(file, "utf8"))));
    expect(reexporting.map(repoPath)).toEqual([]);
  });

  it("lists only exceptions that still exist", () => {
    const all = new Set(EDGES.map((edge) => `${edge.from} -> ${edge.to}${edge.typeOnly ? " (type)" : ""}`));
    expect(DOCUMENTED_EXCEPTIONS.filter((exception) => !all.has(exception.edge))).toEqual([]);
  });
});
