/**
 * The IAM world the integration tests and the demo run against: one account, an IAM user with
 * long-term keys and a virtual MFA device, and roles whose trust policies exercise what rolecred
 * must handle (MFA, session name pinned to the user name, external id, chaining, nobody).
 */
import { chmod, mkdir, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { cliEnv, makeTempHome, ROLECRED_BIN } from "./run-cli.js";
import { startLocalSts, type LocalSts, type LocalStsRole, type LocalStsSamlProvider } from "./sts-server.js";
import { newTotpSecret, TOTP_STEP_SECONDS } from "./totp.js";

export const ACCOUNT = "111111111111";
export const PROD_ACCOUNT = "333333333333";
export const USER_ARN = `arn:aws:iam::${ACCOUNT}:user/jo`;
export const MFA_SERIAL = `arn:aws:iam::${ACCOUNT}:mfa/jo`;
export const JO_KEYS = { accessKeyId: "AKIAJOEXAMPLE0000001", secretAccessKey: "jo/Secret+Key/EXAMPLE0000000000000000001" } as const;

export const ROLES = {
  /** Needs MFA and sts:RoleSessionName = ${aws:username}; up to 12 h. */
  developer: `arn:aws:iam::${ACCOUNT}:role/Developer`,
  /** Anyone in the account, no MFA: for concurrency and scripts. */
  ci: `arn:aws:iam::${ACCOUNT}:role/Ci`,
  /** Needs the external id "vendor-42". */
  vendor: `arn:aws:iam::${ACCOUNT}:role/Vendor`,
  /** Trusts nobody. */
  locked: `arn:aws:iam::${ACCOUNT}:role/Locked`,
  /** In another account, trusts sessions of Developer (role chaining). */
  prodReadOnly: `arn:aws:iam::${PROD_ACCOUNT}:role/ReadOnly`,
  /** Trusts sessions of ReadOnly: a third hop. */
  prodAudit: `arn:aws:iam::${PROD_ACCOUNT}:role/Audit`,
} as const;

const roleDefinitions: LocalStsRole[] = [
  {
    arn: ROLES.developer,
    maxSessionDuration: 43_200,
    trust: [{ principals: [USER_ARN], requireMfa: true, sessionNameMustEqualUsername: true, allowTagSession: true, allowSetSourceIdentity: true }],
  },
  { arn: ROLES.ci, maxSessionDuration: 7200, trust: [{ principals: [`arn:aws:iam::${ACCOUNT}:root`], allowTagSession: true, allowSetSourceIdentity: true }] },
  { arn: ROLES.vendor, trust: [{ principals: [USER_ARN], externalId: "vendor-42" }] },
  { arn: ROLES.locked, trust: [] },
  {
    arn: ROLES.prodReadOnly,
    maxSessionDuration: 14_400,
    trust: [{ principals: [ROLES.developer, ROLES.ci], allowTagSession: true, allowSetSourceIdentity: true }],
  },
  { arn: ROLES.prodAudit, trust: [{ principals: [ROLES.prodReadOnly], allowTagSession: true, allowSetSourceIdentity: true }] },
];

export interface World {
  readonly sts: LocalSts;
  /** A fresh, never-used MFA code: moves the endpoint's clock a TOTP step forward first. */
  nextMfaCode(): string;
  close(): Promise<void>;
}

export interface WorldOptions {
  readonly extraRoles?: LocalStsRole[];
  readonly samlProviders?: LocalStsSamlProvider[];
  /** Role sessions last this long whatever is asked (refresh tests); see LocalStsOptions. */
  readonly roleSessionLifetimeSeconds?: number;
  /** The endpoint's clock minus the real one (its Date header, expiries and TOTP): a skewed local clock, seen from STS. */
  readonly clockOffsetMs?: number;
  /** Rewrite answers (a hostile endpoint): see LocalStsOptions.tamper. */
  readonly tamper?: (xml: string, action: string) => string | Buffer;
}

/** ~/.aws/config's `ci` profile: the Ci role (no MFA) from jo-script's keys, for tests about writes and the cache rather than sign-in. */
export const CI_CONFIG = `
[profile ci]
role_arn = ${ROLES.ci}
source_profile = jo-script
region = eu-central-1
`;

export async function startWorld(options: WorldOptions = {}): Promise<World> {
  const mfaSecret = newTotpSecret();
  // Codes are single-use per time step, so every test that spends one moves the MFA device's clock
  // a step ahead. The endpoint's own clock (expiry, signatures, its Date header) stays real unless a
  // test skews it on purpose (clockOffsetMs): ahead by more than 5 minutes, it made the SDK correct
  // its clock and resend failed requests.
  let offsetMs = 0;
  const clockOffsetMs = options.clockOffsetMs ?? 0;
  const sts = await startLocalSts({
    users: [{ account: ACCOUNT, name: "jo", ...JO_KEYS, mfaDevices: [{ serial: MFA_SERIAL, secret: mfaSecret }] }],
    roles: [...roleDefinitions, ...(options.extraRoles ?? [])],
    samlProviders: options.samlProviders ?? [],
    now: () => new Date(Date.now() + clockOffsetMs),
    mfaNow: () => new Date(Date.now() + clockOffsetMs + offsetMs),
    ...(options.roleSessionLifetimeSeconds === undefined ? {} : { roleSessionLifetimeSeconds: options.roleSessionLifetimeSeconds }),
    ...(options.tamper === undefined ? {} : { tamper: options.tamper }),
  });
  return {
    sts,
    nextMfaCode: () => {
      offsetMs += TOTP_STEP_SECONDS * 1000;
      return sts.totp(MFA_SERIAL);
    },
    close: () => sts.close(),
  };
}

/**
 * ~/.aws for jo: long-term keys in [jo] with mfa_serial in [profile jo] (every role asks for a
 * code), and the same keys in [jo-script] without one (for roles that need no MFA), plus extras.
 */
export async function writeJoProfile(home: string, extraConfig = "", extraCredentials = ""): Promise<void> {
  await mkdir(join(home, ".aws"), { recursive: true, mode: 0o700 });
  await writeFile(
    join(home, ".aws", "credentials"),
    [
      "# jo's own keys: must survive every rolecred write",
      "[jo]",
      `aws_access_key_id = ${JO_KEYS.accessKeyId}`,
      `aws_secret_access_key = ${JO_KEYS.secretAccessKey}`,
      "",
      "[jo-script]",
      `aws_access_key_id = ${JO_KEYS.accessKeyId}`,
      `aws_secret_access_key = ${JO_KEYS.secretAccessKey}`,
      extraCredentials,
    ].join("\n"),
    { mode: 0o600 },
  );
  await writeFile(join(home, ".aws", "config"), `[profile jo]\nmfa_serial = ${MFA_SERIAL}\nregion = us-east-1\n${extraConfig}`);
}

export interface JoHomeOptions {
  /** Appended to [profile jo] in ~/.aws/config (see writeJoProfile). */
  readonly config?: string;
  /** Appended to ~/.aws/credentials after [jo] and [jo-script]. */
  readonly extraCredentials?: string;
  /** Added to cliEnv's variables (AWS_PROFILE, ROLECRED_*…); AWS_ENDPOINT_URL_STS is the world's already. */
  readonly env?: Readonly<Record<string, string>>;
  /** A `rolecred` link first on PATH, as an install puts it: shell functions and completions call it by name. */
  readonly rolecredOnPath?: boolean;
}

export interface JoHome {
  readonly home: string;
  readonly env: Record<string, string>;
}

/**
 * What most integration tests start each test from: a fresh temporary HOME holding jo's
 * ~/.aws files, and the CLI's environment pointed at `world`'s endpoint. One helper instead of a
 * near-copy of these lines in every file's beforeEach.
 */
export async function makeJoHome(world: World, options: JoHomeOptions = {}): Promise<JoHome> {
  const home = await makeTempHome();
  await writeJoProfile(home, options.config, options.extraCredentials);
  const path: Record<string, string> = {};
  if (options.rolecredOnPath === true) {
    const bin = join(home, "bin");
    await mkdir(bin);
    await symlink(ROLECRED_BIN, join(bin, "rolecred"));
    await chmod(ROLECRED_BIN, 0o755);
    path.PATH = `${bin}:${process.env.PATH ?? "/usr/bin:/bin"}`;
  }
  return { home, env: cliEnv(home, { AWS_ENDPOINT_URL_STS: world.sts.url, ...path, ...options.env }) };
}
