/**
 * src/exec/child-env.ts: a child gets the session and nothing that could make its SDK pick other
 * credentials; the parent's other variables pass through untouched.
 */
import { describe, expect, it } from "vitest";
import { childEnvironment, CREDENTIAL_ENV_NAMES, serverChildEnvironment } from "../../src/exec/child-env.js";

const PARENT = {
  PATH: "/usr/bin",
  HOME: "/home/jo",
  AWS_ACCESS_KEY_ID: "AKIAOUTER",
  AWS_SECRET_ACCESS_KEY: "outer-secret",
  AWS_SESSION_TOKEN: "outer-token",
  AWS_SECURITY_TOKEN: "outer-legacy-token",
  AWS_PROFILE: "outer",
  AWS_DEFAULT_PROFILE: "outer",
  AWS_CONTAINER_CREDENTIALS_FULL_URI: "http://127.0.0.1:1/outer",
  AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: "/outer",
  AWS_CONTAINER_AUTHORIZATION_TOKEN: "outer",
  AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: "/outer",
  AWS_REGION: "eu-west-1",
  UNSET: undefined,
};
const credentials = { accessKeyId: "ASIAINNER", secretAccessKey: "inner-secret", sessionToken: "inner-token", expiration: new Date("2026-11-24T13:00:00Z") };

describe(childEnvironment.name, () => {
  it("replaces every credential variable with the session, keeps the rest, and names what the child acts as", () => {
    expect(childEnvironment(PARENT, { credentials, region: "us-east-2", label: "dev" })).toEqual({
      PATH: "/usr/bin",
      HOME: "/home/jo",
      AWS_ACCESS_KEY_ID: "ASIAINNER",
      AWS_SECRET_ACCESS_KEY: "inner-secret",
      AWS_SESSION_TOKEN: "inner-token",
      AWS_CREDENTIAL_EXPIRATION: "2026-11-24T13:00:00.000Z",
      AWS_REGION: "us-east-2",
      AWS_DEFAULT_REGION: "us-east-2",
      ROLECRED_PROFILE: "dev",
    });
  });

  it("leaves the parent's region alone when the session has none", () => {
    const env = childEnvironment(PARENT, { credentials, label: "arn:aws:iam::111111111111:role/Ci" });
    expect(env.AWS_REGION).toBe("eu-west-1");
    expect(env.AWS_DEFAULT_REGION).toBeUndefined();
  });
});

describe(serverChildEnvironment.name, () => {
  it("gives the child the loopback endpoint and its token, and no keys at all", () => {
    const env = serverChildEnvironment(PARENT, { url: "http://127.0.0.1:4321/creds", token: "t0k", label: "dev" });
    for (const name of CREDENTIAL_ENV_NAMES.filter(
      (variable) => !variable.startsWith("AWS_CONTAINER_CREDENTIALS_FULL") && variable !== "AWS_CONTAINER_AUTHORIZATION_TOKEN",
    )) {
      expect(env[name], name).toBeUndefined();
    }
    expect(env).toMatchObject({
      AWS_CONTAINER_CREDENTIALS_FULL_URI: "http://127.0.0.1:4321/creds",
      AWS_CONTAINER_AUTHORIZATION_TOKEN: "t0k",
      ROLECRED_PROFILE: "dev",
      PATH: "/usr/bin",
    });
  });
});
