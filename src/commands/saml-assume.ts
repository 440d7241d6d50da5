/**
 * `rolecred saml` without --list: check the assertion is usable, choose the role (or every role),
 * call AssumeRoleWithSAML and deliver the sessions. Imported by commands/saml.ts only on this
 * path, so that `saml --list` loads none of STS, the session policy or the credentials file.
 */
import type { Deps } from "../deps.js";
import type { Outcome } from "../outcome.js";
import { ExitCode, inputError, RolecredError } from "../errors.js";
import { activeProfileName, profileSettings, type AwsFiles } from "../profiles/aws-files.js";
import { MAX_SAML_ASSERTION_CHARACTERS } from "../saml/read-input.js";
import { checkReadiness, sessionDurationSeconds } from "../saml/readiness.js";
import { chooseRole, describeRole, displayRoleName } from "../saml/choose-role.js";
import type { SamlRole } from "../saml/roles.js";
import type { SamlAssertion } from "../saml/assertion.js";
import { prepareSessionPolicy } from "../policy/compose.js";
import { logSessionPolicy } from "../session/deliver.js";
import { describeEndpoint, resolveStsEndpoint, type StsEndpoint } from "../sts/client.js";
import type { SamlRoleSession } from "../sts/api.js";
import { DEFAULT_SESSION_SECONDS } from "../sts/limits.js";
import { requireProfileName } from "../store/profile-name.js";
import { deliverSessions, precheckDelivery, registerSessionSecrets, type NamedSession } from "../session/deliver.js";
import type { SamlMode, SamlOptions } from "./saml-options.js";

export interface SamlAssumeRequest {
  readonly options: SamlOptions;
  readonly mode: Exclude<SamlMode, { readonly kind: "list" }>;
  readonly files: AwsFiles;
  readonly aliases: ReadonlyMap<string, string>;
  /** The assertion with only the roles the config's pins allow. */
  readonly assertion: SamlAssertion;
  readonly samlAssertionBase64: string;
  readonly now: Date;
}

export async function assumeSamlRoles(request: SamlAssumeRequest, deps: Deps): Promise<Outcome> {
  const { options, mode, files, aliases, assertion, samlAssertionBase64, now } = request;
  const readiness = checkReadiness(assertion, now);
  const [problem] = readiness.problems;
  if (problem !== undefined) throw problem;
  if (samlAssertionBase64.length > MAX_SAML_ASSERTION_CHARACTERS) {
    throw inputError(
      `the SAML response is ${samlAssertionBase64.length} characters in base64; STS accepts at most ${MAX_SAML_ASSERTION_CHARACTERS}`,
      "nothing was sent; ask the identity provider's admin to send AWS fewer roles or attributes",
    );
  }
  for (const warning of readiness.warnings) deps.log.warn(warning);
  logAttributes(assertion, deps);

  const roles = mode.kind === "all-roles" ? rolesInAccount(assertion.roles, options, aliases) : [await chosenRole(assertion.roles, options, aliases, deps)];
  const profiles = mode.kind === "all-roles" ? profileNamesFor(roles, mode.profileTemplate, aliases) : [mode.delivery.profile];
  const delivery = mode.delivery;

  // stdin is the assertion, so `--policy -` was refused when the flags were read.
  const composed = await prepareSessionPolicy(options.session, undefined);
  logSessionPolicy(composed, deps);
  const { policy, policyArns } = composed;
  const durationSeconds = chooseDuration(options.session.durationSeconds, assertion, deps);
  const endpoint = resolveStsEndpoint({ flag: options.session.region, profile: profileSettings(files, activeProfileName(deps.env))?.get("region") }, deps.env);
  deps.log.verbose(`STS endpoint ${describeEndpoint(endpoint)} (region ${endpoint.region}); AssumeRoleWithSAML is unsigned: no AWS credentials are used`);
  await precheckDelivery(
    profiles.filter((profile): profile is string => profile !== undefined),
    delivery,
    deps,
  );

  const sessions: NamedSession[] = [];
  for (const [index, role] of roles.entries()) {
    const session = await assumeWithDurationFallback(endpoint, role, samlAssertionBase64, { durationSeconds, policy, policyArns }, deps);
    registerSessionSecrets(session, deps);
    sessions.push({ profile: profiles[index], session });
  }
  return deliverSessions(sessions, delivery, deps, composed);
}

/** --all-roles: every role, or every role in --account. */
function rolesInAccount(roles: readonly SamlRole[], options: SamlOptions, aliases: ReadonlyMap<string, string>): readonly SamlRole[] {
  if (options.selector.account === undefined) return roles;
  const choice = chooseRole(roles, { account: options.selector.account }, aliases);
  return choice.kind === "chosen" ? [choice.role] : choice.candidates;
}

async function chosenRole(roles: readonly SamlRole[], options: SamlOptions, aliases: ReadonlyMap<string, string>, deps: Deps): Promise<SamlRole> {
  const choice = chooseRole(roles, options.selector, aliases);
  if (choice.kind === "chosen") {
    deps.log.verbose(`role ${choice.role.roleArn} (${roles.length === 1 ? "the only one offered" : "matched the flags"})`);
    return choice.role;
  }
  const { withTerminal } = await import("../prompt/terminal.js");
  const { pickRole } = await import("../prompt/role-picker.js");
  const offered = choice.candidates.map((role) => describeRole(role, aliases)).join(", ");
  return withTerminal(
    deps,
    `which of ${choice.candidates.length} roles to assume (${offered})`,
    "choose with --role-arn ARN, --role PATTERN or --account ID",
    (terminal) => pickRole(terminal, choice.candidates, aliases),
  );
}

/**
 * --duration, else the assertion's SessionDuration, else STS's default hour; never more than the
 * SessionDuration the identity provider allows.
 */
function chooseDuration(flag: number | undefined, assertion: SamlAssertion, deps: Deps): number {
  const allowed = sessionDurationSeconds(assertion);
  if (flag === undefined) {
    deps.log.verbose(allowed === undefined ? "duration 3600s (STS default)" : `duration ${allowed}s (the assertion's SessionDuration)`);
    return allowed ?? DEFAULT_SESSION_SECONDS;
  }
  if (allowed !== undefined && flag > allowed) {
    deps.log.warn(`--duration ${flag}s is more than the identity provider allows (SessionDuration ${allowed}s); asking for ${allowed}s`);
    return allowed;
  }
  return flag;
}

/**
 * A role's MaxSessionDuration is not visible from outside IAM. When STS says the duration is too
 * long, ask once more for the one hour every role allows, and say so.
 */
async function assumeWithDurationFallback(
  endpoint: StsEndpoint,
  role: SamlRole,
  samlAssertion: string,
  shape: { durationSeconds: number; policy: string | undefined; policyArns: readonly string[] },
  deps: Deps,
): Promise<SamlRoleSession> {
  const call = (durationSeconds: number) =>
    deps.sts.assumeRoleWithSaml(endpoint, {
      roleArn: role.roleArn,
      principalArn: role.principalArn,
      samlAssertion,
      durationSeconds,
      policy: shape.policy,
      policyArns: shape.policyArns,
    });
  try {
    return await call(shape.durationSeconds);
  } catch (error) {
    const tooLong = error instanceof RolecredError && /maximum session duration/.test(error.message);
    if (!tooLong || shape.durationSeconds <= DEFAULT_SESSION_SECONDS) throw error;
    deps.log.warn(`${role.roleName} allows less than ${shape.durationSeconds}s; retrying with ${DEFAULT_SESSION_SECONDS}s`);
    return call(DEFAULT_SESSION_SECONDS);
  }
}

function profileNamesFor(roles: readonly SamlRole[], template: string, aliases: ReadonlyMap<string, string>): string[] {
  const names = roles.map((role) =>
    requireProfileName(
      template.replace(/\{(account|alias|role)\}/g, (_, field: string) =>
        field === "account" ? role.account : field === "alias" ? (aliases.get(role.account) ?? role.account) : role.roleName,
      ),
      "--profile-template",
    ),
  );
  const duplicate = names.find((name, index) => names.indexOf(name) !== index);
  if (duplicate !== undefined) {
    throw new RolecredError(`--profile-template gives two roles the same profile name "${duplicate}"`, {
      exitCode: ExitCode.usage,
      hint: "include {account} in the template",
    });
  }
  return names;
}

function logAttributes(assertion: SamlAssertion, deps: Deps): void {
  if (!deps.log.isVerbose) return;
  deps.log.verbose(`assertion read by ${assertion.reader}; signature ${assertion.signature}`);
  deps.log.verbose(`roles offered: ${assertion.roles.map((role) => `${role.account}:${displayRoleName(role)}`).join(", ")}`);
  deps.log.verbose(
    `RoleSessionName ${assertion.sessionName ?? "(none)"}; SessionDuration ${assertion.sessionDuration ?? "(none)"}; SourceIdentity ${assertion.sourceIdentity ?? "(none)"}`,
  );
  const tags = Object.entries(assertion.principalTags).map(([key, value]) => `${key}=${value}`);
  if (tags.length > 0) deps.log.verbose(`principal tags ${tags.join(", ")}; transitive ${assertion.transitiveTagKeys.join(", ") || "(none)"}`);
  deps.log.verbose(`subject ${assertion.nameId ?? "(none)"}; issuer ${assertion.issuer ?? "(none)"}; audience ${assertion.audiences.join(", ") || "(none)"}`);
}
