/**
 * checkReadiness: what STS would refuse, refused first with a message that says what to do;
 * what STS may refuse, said as a warning.
 */
import { describe, expect, it } from "vitest";
import { checkReadiness, sessionDurationSeconds } from "../../src/saml/readiness.js";
import type { SamlAssertion } from "../../src/saml/assertion.js";

const NOW = new Date("2030-06-01T12:00:00Z");
const at = (minutes: number) => new Date(NOW.getTime() + minutes * 60_000);

const READY: SamlAssertion = {
  roles: [
    {
      roleArn: "arn:aws:iam::111122223333:role/Developer",
      principalArn: "arn:aws:iam::111122223333:saml-provider/Okta",
      account: "111122223333",
      roleName: "Developer",
    },
  ],
  rejectedRoleValues: [],
  sessionName: "jo@example.com",
  sessionDuration: "3600",
  sourceIdentity: undefined,
  principalTags: {},
  transitiveTagKeys: [],
  nameId: "jo@example.com",
  issuer: "http://www.okta.com/exk1",
  audiences: ["urn:amazon:webservices"],
  recipient: "https://signin.aws.amazon.com/saml",
  issueInstant: at(-1),
  notBefore: at(-2),
  notOnOrAfter: at(4),
  sessionNotOnOrAfter: undefined,
  signature: "not checked",
  sha1Signature: false,
  reader: "saml2-js",
  notes: [],
};

const SESSION_NAME_HINT = "the identity provider's RoleSessionName mapping must produce 2-64 letters, digits or _+=,.@- (no spaces)";

const readiness = (changes: Partial<SamlAssertion>) => {
  const { problems, warnings } = checkReadiness({ ...READY, ...changes }, NOW);
  return { problems: problems.map((problem) => ({ message: problem.message, hint: problem.hint, exitCode: problem.exitCode })), warnings };
};

describe(checkReadiness.name, () => {
  it("accepts a SHA-1 signature with a warning", () => {
    expect(readiness({ sha1Signature: true })).toEqual({
      problems: [],
      warnings: ["the response is signed with SHA-1, which is no longer safe against forgery; ask the identity provider's admin to sign with SHA-256"],
    });
    expect(readiness({})).toEqual({ problems: [], warnings: [] });
  });

  it("a fresh assertion with a role and a session name is ready, with nothing to say", () => {
    expect(readiness({})).toEqual({ problems: [], warnings: [] });
  });

  it.each<[string, Partial<SamlAssertion>, { message: string; hint?: string }]>([
    ["expired", { notOnOrAfter: at(-3) }, { message: "the SAML assertion expired at 2030-06-01T11:57:00.000Z (3m ago): log in again" }],
    ["expired this very second", { notOnOrAfter: NOW }, { message: "the SAML assertion expired at 2030-06-01T12:00:00.000Z (0s ago): log in again" }],
    [
      "not valid yet (beyond a minute of clock skew)",
      { notBefore: at(2) },
      { message: "the SAML assertion is not valid before 2030-06-01T12:02:00.000Z", hint: "check this machine's clock" },
    ],
    [
      "without a RoleSessionName",
      { sessionName: undefined },
      {
        message: "the assertion has no RoleSessionName attribute, which STS requires",
        hint: "map https://aws.amazon.com/SAML/Attributes/RoleSessionName in the identity provider's AWS app (an e-mail address works)",
      },
    ],
    [
      "with a session name holding a space",
      { sessionName: "Jo Smith" },
      { message: 'the assertion\'s RoleSessionName "Jo Smith" is not one STS accepts ([a-zA-Z_0-9+=,.@-]{2,64})', hint: SESSION_NAME_HINT },
    ],
    [
      "with a one-character session name",
      { sessionName: "j" },
      { message: 'the assertion\'s RoleSessionName "j" is not one STS accepts ([a-zA-Z_0-9+=,.@-]{2,64})', hint: SESSION_NAME_HINT },
    ],
    [
      "with a 65-character session name",
      { sessionName: "j".repeat(65) },
      { message: `the assertion's RoleSessionName "${"j".repeat(65)}" is not one STS accepts ([a-zA-Z_0-9+=,.@-]{2,64})`, hint: SESSION_NAME_HINT },
    ],
    [
      "with a Windows domain name as session name",
      { sessionName: "EXAMPLE\\jo" },
      { message: 'the assertion\'s RoleSessionName "EXAMPLE\\jo" is not one STS accepts ([a-zA-Z_0-9+=,.@-]{2,64})', hint: SESSION_NAME_HINT },
    ],
    [
      "without a Role attribute",
      { roles: [] },
      {
        message: "the assertion grants no AWS roles (it has no https://aws.amazon.com/SAML/Attributes/Role attribute)",
        hint: "is this the AWS app's assertion? its attribute mapping must send Role values",
      },
    ],
    [
      "with only unusable Role values",
      { roles: [], rejectedRoleValues: [{ value: "arn:aws:iam::1111:role/Dev,arn:aws:iam::1111:saml-provider/IDP", reason: "no valid role ARN" }] },
      { message: 'the assertion grants no usable AWS roles: "arn:aws:iam::1111:role/Dev,arn:aws:iam::1111:saml-provider/IDP" (no valid role ARN)' },
    ],
  ])("refuses an assertion %s", (_name, changes, problem) => {
    const { problems } = readiness(changes);
    expect(problems).toEqual([{ hint: undefined, ...problem, exitCode: 3 }]);
  });

  it("names every problem, the missing roles first", () => {
    expect(readiness({ roles: [], sessionName: undefined, notOnOrAfter: at(-1) }).problems.map((problem) => problem.message)).toEqual([
      "the assertion grants no AWS roles (it has no https://aws.amazon.com/SAML/Attributes/Role attribute)",
      "the SAML assertion expired at 2030-06-01T11:59:00.000Z (1m ago): log in again",
      "the assertion has no RoleSessionName attribute, which STS requires",
    ]);
  });

  it.each<[string, Partial<SamlAssertion>]>([
    ["NotBefore within a minute of clock skew", { notBefore: at(0.9) }],
    ["IssueInstant exactly 5 minutes ago", { issueInstant: at(-5), notOnOrAfter: at(1) }],
    ["no time window at all (a skeleton)", { issueInstant: undefined, notBefore: undefined, notOnOrAfter: undefined }],
    ["the regional and /static sign-in recipients", { recipient: "https://eu-west-1.signin.aws.amazon.com/static/saml" }],
    ["an Entra ID audience", { audiences: ["https://signin.aws.amazon.com/saml"] }],
    ["a second, foreign audience beside AWS's", { audiences: ["urn:amazon:webservices", "https://other.example.com/"] }],
  ])("accepts %s without a word", (_name, changes) => {
    expect(readiness(changes)).toEqual({ problems: [], warnings: [] });
  });

  it.each<[string, Partial<SamlAssertion>, string]>([
    [
      "an IssueInstant over 5 minutes old",
      { issueInstant: at(-6) },
      "the assertion was issued 6m ago; STS refuses assertions older than 5 minutes (log in again if it does)",
    ],
    ["SessionDuration below 900", { sessionDuration: "899" }, 'ignoring SessionDuration "899": not a whole number of seconds between 900 and 43200'],
    ["SessionDuration above 43200", { sessionDuration: "43201" }, 'ignoring SessionDuration "43201": not a whole number of seconds between 900 and 43200'],
    ["SessionDuration that is not a number", { sessionDuration: "8h" }, 'ignoring SessionDuration "8h": not a whole number of seconds between 900 and 43200'],
    [
      "a Recipient that is not AWS sign-in",
      { recipient: "https://localhost:8443/saml/SSO" },
      "the assertion is addressed to https://localhost:8443/saml/SSO, not AWS sign-in; STS will likely refuse it",
    ],
    [
      "only a foreign audience",
      { audiences: ["com:nike:gimme_creds:dev"] },
      "the assertion's audience is com:nike:gimme_creds:dev, not AWS (urn:amazon:webservices); STS will likely refuse it",
    ],
    [
      "some Role values it cannot use beside good ones",
      { rejectedRoleValues: [{ value: "Developer,Okta", reason: "no valid role ARN" }] },
      'ignored 1 Role value(s) that are not a role and provider ARN pair: "Developer,Okta"',
    ],
  ])("warns about %s, and still lets it through", (_name, changes, warning) => {
    expect(readiness(changes)).toEqual({ problems: [], warnings: [warning] });
  });
});

describe(sessionDurationSeconds.name, () => {
  it.each<[string | undefined, number | undefined]>([
    ["900", 900],
    ["28800", 28800],
    ["43200", 43200],
    ["899", undefined],
    ["43201", undefined],
    ["3600.5", undefined],
    ["-3600", undefined],
    ["1h", undefined],
    [undefined, undefined],
  ])("SessionDuration %s → %s", (text, seconds) => {
    expect(sessionDurationSeconds({ ...READY, sessionDuration: text })).toBe(seconds);
  });
});
