/**
 * `rolecred lint PATH... [--known-accounts FILE] [--ignore ID] [--format text|json|sarif]`: check
 * role trust policies, offline, for the mistakes that let the wrong principal assume a role.
 */
import { Option } from "commander";
import { usageError } from "../errors.js";
import { isRuleId, RULE_IDS, type RuleId } from "../lint/rule-ids.js";
import { defineCommand, lazyRun } from "./command.js";
import { collect, flagValue } from "./session-flags.js";
import type { LintFormat, LintOptions } from "../commands/lint.js";

const LINT_FORMATS = ["text", "json", "sarif"] as const satisfies readonly LintFormat[];

export const lintCommand = defineCommand<LintOptions>({
  name: "lint",
  declare(command) {
    command
      .description("check IAM role trust policies for mistakes that let the wrong principal assume a role (offline)")
      .argument(
        "<paths...>",
        "trust policies, IAM get-role/list-roles answers, CloudFormation templates or Terraform plans (JSON); folders (every .json inside); - for stdin",
      )
      .option("--known-accounts <file>", "YAML or JSON: accounts you vouch for (id: name) or known-vendor lists ([{name, accounts}]); repeatable", collect)
      .option("--ignore <id>", "do not run this rule, e.g. RC-TRUST-002; repeatable or comma-separated", collect)
      .addOption(new Option("--format <format>", "output format").choices([...LINT_FORMATS]).default("text"))
      .option("--json", "same as --format json");
    command.addHelpText(
      "after",
      [
        "",
        "Exit codes: 0 no error-level finding (warnings allowed), 1 error-level findings, 2 usage error,",
        "3 an input could not be read (the others are still checked). Rules and suppressions: docs/lint.md",
        "",
        "Examples:",
        "  rolecred lint infra/roles/*.json",
        "  aws iam get-role --role-name Developer | rolecred lint -",
        "  rolecred lint --known-accounts accounts.yaml --format sarif infra/roles/ > lint.sarif",
      ].join("\n"),
    );
  },
  toOptions(args, flags, context) {
    if (context.childCommand !== undefined) {
      throw usageError("lint runs no command: drop the -- (to lint a file whose name starts with -, write ./-name)");
    }
    if (args.length === 0) throw usageError("say what to lint: files, folders, or - for stdin");
    if (args.filter((path) => path === "-").length > 1) throw usageError("- (stdin) can be given only once");
    if (args.some((path) => path === "")) throw usageError("an empty path was given");
    const chosen = flagValue.optionalString(flags, "format") ?? "text";
    if (flags.json === true && chosen === "sarif") throw usageError("--json and --format sarif ask for two formats; give one");
    const format = flags.json === true ? "json" : chosen;
    if (!(LINT_FORMATS as readonly string[]).includes(format)) throw usageError(`invalid --format "${format}"`, `choose one of ${LINT_FORMATS.join(", ")}`);
    return {
      paths: [...args],
      knownAccountFiles: flagValue.stringList(flags, "knownAccounts"),
      ignore: requireRuleIds(flagValue.stringList(flags, "ignore")),
      format: format as LintFormat,
    };
  },
  run: lazyRun(
    () => import("../commands/lint.js"),
    (module) => module.runLint,
  ),
});

/** `--ignore` values, split on commas, upper-cased, and every one a rule that exists. */
function requireRuleIds(values: readonly string[]): RuleId[] {
  const ids = values
    .flatMap((value) => value.split(","))
    .map((word) => word.trim().toUpperCase())
    .filter((word) => word !== "");
  const unknown = ids.filter((id) => !isRuleId(id));
  if (unknown.length > 0)
    throw usageError(`--ignore ${unknown.join(", ")}: no such rule`, `rule ids run from ${RULE_IDS[0]} to ${RULE_IDS[RULE_IDS.length - 1]}; see docs/lint.md`);
  return [...new Set(ids.filter(isRuleId))];
}
