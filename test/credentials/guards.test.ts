import { describe, expect, it } from "vitest";
import { sessionWarnings, applyGuards } from "../../src/credentials/guards.js";
import { createLogger, SecretRegistry } from "../../src/log.js";

const ROLE = "arn:aws:iam::111111111111:role/Developer";
const base = { roleArn: ROLE, sessionName: "jo", tags: [], callerTransitiveTags: {} };

describe(sessionWarnings.name, () => {
  it.each<[string, Parameters<typeof sessionWarnings>[0], RegExp[]]>([
    ["an IAM user with its own name", { ...base, callerArn: "arn:aws:iam::111111111111:user/jo" }, []],
    [
      "an IAM user under another name",
      { ...base, callerArn: "arn:aws:iam::111111111111:user/jo", sessionName: "admin" },
      [/^session name "admin" is not your IAM user name "jo"/],
    ],
    [
      "a session re-assuming its own role",
      { ...base, callerArn: "arn:aws:sts::111111111111:assumed-role/Developer/jo" },
      [/^the caller is already a session of Developer/],
    ],
    ["a session of the same role name in another account", { ...base, callerArn: "arn:aws:sts::222222222222:assumed-role/Developer/jo" }, []],
    ["a session assuming another role", { ...base, callerArn: "arn:aws:sts::111111111111:assumed-role/Ci/jo" }, []],
    [
      "a tag overriding an inherited transitive tag",
      { ...base, callerArn: undefined, tags: [{ key: "project", value: "red" }], callerTransitiveTags: { Project: "blue" } },
      [/^tag project=red would override the transitive tag Project=blue/],
    ],
    [
      "the same transitive tag value again",
      { ...base, callerArn: undefined, tags: [{ key: "Project", value: "blue" }], callerTransitiveTags: { Project: "blue" } },
      [],
    ],
    ["an unknown caller", { ...base, callerArn: undefined, sessionName: "anything" }, []],
  ])("%s", (_name, context, expected) => {
    const warnings = sessionWarnings(context);
    expect(warnings).toHaveLength(expected.length);
    expected.forEach((pattern, index) => expect(warnings[index]).toMatch(pattern));
  });
});

describe(applyGuards.name, () => {
  it("warns on stderr, or refuses with --strict", () => {
    let stderr = "";
    const log = createLogger({ write: (text: string) => (stderr += text) }, new SecretRegistry(), false);
    applyGuards(["one", "two"], false, log);
    expect(stderr).toBe("warning: one\nwarning: two\n");
    expect(() => applyGuards(["one", "two"], true, log)).toThrow("refused by --strict: one");
    expect(() => applyGuards([], true, log)).not.toThrow();
  });
});
