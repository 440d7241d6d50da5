/**
 * The session name rolecred derives when none is given: the caller's own name (IAM user name,
 * session name, federated user name, or "root"), so that a trust policy requiring
 * sts:RoleSessionName = ${aws:username} holds and CloudTrail names the person.
 */
import { callerNameOf } from "../arn.js";
import { ExitCode, RolecredError } from "../errors.js";
import { SESSION_NAME_PATTERN } from "../sts/limits.js";

/**
 * `callerArn` is GetCallerIdentity's answer; `hint` says where this command takes a session name.
 * A name STS would refuse exits 3, not 2: the user typed nothing wrong (the command line is valid);
 * what cannot be used is the identity of the credentials rolecred was given, which is exit 3's
 * meaning ("input rolecred was given cannot be used").
 */
export function sessionNameFromCaller(callerArn: string, hint: string): string {
  const name = callerNameOf(callerArn);
  if (name === undefined || !SESSION_NAME_PATTERN.test(name)) {
    throw new RolecredError(`cannot use "${name ?? callerArn}" (from ${callerArn}) as the session name`, { exitCode: ExitCode.badInput, hint });
  }
  return name;
}
