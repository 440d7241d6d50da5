import { describe, expect, it } from "vitest";
import { sessionNameFromCaller } from "../../src/credentials/caller-name.js";
import { ExitCode, RolecredError } from "../../src/errors.js";

const HINT = "set role_session_name in the profile";

describe(sessionNameFromCaller.name, () => {
  it.each([
    ["an IAM user", "arn:aws:iam::111111111111:user/jo", "jo"],
    ["an IAM user with a path", "arn:aws:iam::111111111111:user/team/jo.smith@example.com", "jo.smith@example.com"],
    ["an assumed-role session", "arn:aws:sts::111111111111:assumed-role/Developer/jo", "jo"],
    ["a federated user", "arn:aws:sts::111111111111:federated-user/jo", "jo"],
    ["the root user", "arn:aws:iam::111111111111:root", "root"],
  ])("takes the name of %s", (_what, arn, name) => {
    expect(sessionNameFromCaller(arn, HINT)).toBe(name);
  });

  it.each([
    ["a one-letter user name (STS wants 2-64 characters)", "arn:aws:iam::111111111111:user/j", '"j"'],
    ["an ARN rolecred cannot read", "not-an-arn", '"not-an-arn"'],
  ])("refuses %s with exit 3 (input rolecred was given, not a usage error) and the caller's hint", (_what, arn, shown) => {
    let thrown: unknown;
    try {
      sessionNameFromCaller(arn, HINT);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(RolecredError);
    const error = thrown as RolecredError;
    expect(error.message).toBe(`cannot use ${shown} (from ${arn}) as the session name`);
    expect(error.exitCode).toBe(ExitCode.badInput);
    expect(error.hint).toBe(HINT);
  });
});
