/**
 * `okta-login | rolecred saml --profile dev`: a SAML response on stdin exchanged for a role
 * session with AssumeRoleWithSAML (no AWS credentials needed: the assertion is the proof).
 */
import { usageError } from "../errors.js";
import { requireRoleArn } from "../arn.js";
import { defineCommand, lazyRun } from "./command.js";
import { collect, declareDeliveryFlags, declareSessionFlags, deliveryOptions, flagValue, sessionRequestOptions } from "./session-flags.js";
import type { SamlMode, SamlOptions } from "../commands/saml.js";

const DEFAULT_PROFILE_TEMPLATE = "{account}-{role}";

export const samlCommand = defineCommand<SamlOptions>({
  name: "saml",
  declare(command) {
    command
      .description("assume a role with a SAML response read from stdin, and write a profile (or run a command)")
      .option("--role-arn <arn>", "assume exactly this role")
      .option(
        "--role <pattern>",
        "pick the role by glob on its name, ACCOUNT:NAME or ALIAS:NAME (e.g. '*:Developer'); on the whole ARN when it starts with arn:",
      )
      .option("--account <id|alias>", "only roles in this account")
      .option("--list", "print the roles and attributes the assertion carries, and call nothing")
      .option("--all-roles", "assume every role and write one profile each (see --profile-template)")
      .option("--profile-template <template>", `profile names for --all-roles: {account} {alias} {role} (default: ${DEFAULT_PROFILE_TEMPLATE})`)
      .option("--idp-cert <file>", "verify the response's signature against this PEM certificate first (repeatable)", collect);
    declareSessionFlags(command);
    declareDeliveryFlags(command);
    command.addHelpText(
      "after",
      [
        "",
        "stdin may be base64 (padded or not, wrapped or not), percent-encoded base64, raw XML, an HTML page",
        "with the SAMLResponse form, SAMLResponse=... form data, or a SOAP/ECP envelope.",
        "",
        "Examples:",
        "  okta-login -u jo | rolecred saml --profile dev",
        "  rolecred saml --list < assertion.b64",
        "  saml-helper | rolecred saml --role '*:Developer' --account sandbox -- terraform plan",
        "  saml-helper | rolecred saml --all-roles --profile-template '{alias}-{role}'",
      ].join("\n"),
    );
  },
  toOptions(_args, flags, context) {
    const roleArn = flagValue.optionalString(flags, "roleArn");
    const session = sessionRequestOptions(flags);
    if (session.policy?.kind === "stdin") throw usageError("--policy - cannot be used with saml: stdin carries the SAML response");
    const json = flags.json === true;
    const template = flagValue.optionalString(flags, "profileTemplate");
    let mode: SamlMode;
    if (flags.list === true) {
      if (flags.allRoles === true || flagValue.optionalString(flags, "profile") !== undefined || context.childCommand !== undefined) {
        throw usageError("--list only prints what the assertion offers; drop --all-roles, --profile and the command");
      }
      mode = { kind: "list", json };
    } else if (flags.allRoles === true) {
      if (flagValue.optionalString(flags, "profile") !== undefined || context.childCommand !== undefined) {
        throw usageError("--all-roles writes one profile per role named by --profile-template; it cannot take --profile or a command");
      }
      if (roleArn !== undefined || flags.role !== undefined) throw usageError("--all-roles assumes every role; --role-arn and --role choose one");
      mode = {
        kind: "all-roles",
        profileTemplate: requireTemplate(template ?? DEFAULT_PROFILE_TEMPLATE),
        delivery: { to: "allRoles", json, force: flags.force === true },
      };
    } else {
      if (template !== undefined) throw usageError("--profile-template goes with --all-roles");
      mode = { kind: "assume", delivery: deliveryOptions(flags, context) };
    }
    return {
      mode,
      selector: {
        roleArn: roleArn === undefined ? undefined : requireRoleArn(roleArn, "--role-arn"),
        pattern: flagValue.optionalString(flags, "role"),
        account: flagValue.optionalString(flags, "account"),
      },
      idpCertFiles: flagValue.stringList(flags, "idpCert"),
      session,
    };
  },
  run: lazyRun(
    () => import("../commands/saml.js"),
    (module) => module.runSaml,
  ),
});

const TEMPLATE_FIELDS = new Set(["account", "alias", "role"]);

function requireTemplate(template: string): string {
  const fields = [...template.matchAll(/\{([^}]*)\}/g)].map((match) => match[1] ?? "");
  const unknown = fields.filter((field) => !TEMPLATE_FIELDS.has(field));
  if (unknown.length > 0) throw usageError(`--profile-template has unknown field {${unknown[0]}}`, "use {account}, {alias} and {role}");
  if (!fields.includes("role")) throw usageError("--profile-template must contain {role}, or every profile would get the same name");
  return template;
}
