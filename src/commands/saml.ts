/**
 * `rolecred saml`: assertion on stdin → role choice → AssumeRoleWithSAML → profile or child.
 * `--list` stops after reading the assertion; what assuming needs (STS, session policies, the
 * credentials file, a child process) is in saml-assume.ts, loaded only when a role is assumed.
 */
import type { Deps } from "../deps.js";
import { SUCCESS, type Outcome } from "../outcome.js";
import { accountAliases, readAwsFiles } from "../profiles/aws-files.js";
import { readSamlFromStdin } from "../saml/read-input.js";
import { checkReadiness } from "../saml/readiness.js";
import { chooseRole, requireUsableAliases } from "../saml/choose-role.js";
import { allowedRoles, samlPins } from "../saml/pins.js";
import type { SamlAssertion } from "../saml/assertion.js";
import { samlListJson, samlListText } from "../output/saml-list.js";
import type { SamlOptions } from "./saml-options.js";

export type { SamlMode, SamlOptions } from "./saml-options.js";

export async function runSaml(options: SamlOptions, deps: Deps): Promise<Outcome> {
  const files = await readAwsFiles(deps.env);
  const aliases = accountAliases(files);
  requireUsableAliases(aliases);
  const pins = samlPins(files, options.mode.kind === "assume" ? options.mode.delivery.profile : undefined, deps.env);
  if (pins.certificateWhere !== undefined) deps.log.verbose(`signature must verify against ${pins.certificateWhere}`);
  const read = await readSamlFromStdin(deps, { flag: options.idpCertFiles, pinned: pins.certificateFiles });
  const { samlAssertionBase64 } = read;
  const allowed = allowedRoles(read.assertion.roles, pins, aliases);
  if (allowed.warning !== undefined) deps.log.warn(allowed.warning);
  const assertion: SamlAssertion = { ...read.assertion, roles: allowed.roles };
  const now = deps.now();
  const { mode } = options;

  if (mode.kind === "list") {
    // --role-arn/--role/--account narrow the list the way they narrow the choice (same errors).
    const filtering = options.selector.roleArn !== undefined || options.selector.pattern !== undefined || options.selector.account !== undefined;
    const choice = filtering && assertion.roles.length > 0 ? chooseRole(assertion.roles, options.selector, aliases) : undefined;
    const listed = choice === undefined ? assertion : { ...assertion, roles: choice.kind === "chosen" ? [choice.role] : choice.candidates };
    deps.stdout.write(mode.json ? `${JSON.stringify(samlListJson(listed, aliases, now), null, 2)}\n` : samlListText(listed, aliases, now));
    // What would stop `rolecred saml` from using this assertion is worth knowing here too.
    const { problems, warnings } = checkReadiness(assertion, now);
    for (const message of [...problems.map((problem) => problem.message), ...warnings]) deps.log.warn(message);
    return SUCCESS;
  }

  const { assumeSamlRoles } = await import("./saml-assume.js");
  return assumeSamlRoles({ options, mode, files, aliases, assertion, samlAssertionBase64, now }, deps);
}
