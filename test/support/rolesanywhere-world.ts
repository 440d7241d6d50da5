/**
 * The Roles Anywhere world the x509 tests run against: a PKI minted with openssl (a root, an
 * intermediate, and leaves of every kind rolecred must accept or refuse), the local STS endpoint
 * with roles that trust rolesanywhere.amazonaws.com on a CN condition, and the local Roles
 * Anywhere endpoint with a trust anchor (the root) and profiles.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ACCOUNT, startWorld, type World } from "./world.js";
import { opensslDate, TestCa, writeKey, type Issued } from "./rolesanywhere-pki.js";
import { ROLES_ANYWHERE_PRINCIPAL, startLocalRolesAnywhere, type LocalRolesAnywhere } from "./rolesanywhere-server.js";

export const RA_REGION = "eu-west-1";
export const TRUST_ANCHOR_ARN = `arn:aws:rolesanywhere:${RA_REGION}:${ACCOUNT}:trust-anchor/a1b2c3d4-0000-4000-8000-000000000001`;
export const DISABLED_ANCHOR_ARN = `arn:aws:rolesanywhere:${RA_REGION}:${ACCOUNT}:trust-anchor/a1b2c3d4-0000-4000-8000-000000000002`;
/** Sessions up to the default hour. */
export const PROFILE_ARN = `arn:aws:rolesanywhere:${RA_REGION}:${ACCOUNT}:profile/b1b2c3d4-0000-4000-8000-000000000001`;
/** Sessions up to 12 hours, and a session name may be asked for. */
export const LONG_PROFILE_ARN = `arn:aws:rolesanywhere:${RA_REGION}:${ACCOUNT}:profile/b1b2c3d4-0000-4000-8000-000000000002`;
export const DISABLED_PROFILE_ARN = `arn:aws:rolesanywhere:${RA_REGION}:${ACCOUNT}:profile/b1b2c3d4-0000-4000-8000-000000000003`;

export const PIPELINE_CN = "pipeline.example";
export const RA_ROLES = {
  /** Trusts Roles Anywhere for certificates with CN pipeline.example from the trust anchor. */
  pipeline: `arn:aws:iam::${ACCOUNT}:role/pipeline`,
  /** Trusts sessions of pipeline: the chained hop of [profile ra-admin]. */
  admin: `arn:aws:iam::${ACCOUNT}:role/admin`,
  /** Trusts Roles Anywhere with no condition; only in the long profile. */
  outside: `arn:aws:iam::${ACCOUNT}:role/outside`,
  /** Trusts sessions of pipeline and outside whose principal tag x509Subject/CN is pipeline.example. */
  tagged: `arn:aws:iam::${ACCOUNT}:role/tagged`,
} as const;

export interface Pki {
  readonly dir: string;
  readonly root: TestCa;
  readonly intermediate: TestCa;
  /** The intermediate's certificate file, for --intermediates. */
  readonly intermediatesPath: string;
  readonly leaves: {
    readonly p256: Issued;
    readonly p384: Issued;
    readonly rsa2048: Issued;
    readonly rsa4096: Issued;
    /** Issued by the root itself: no intermediates needed. */
    readonly direct: Issued;
    readonly expired: Issued;
    readonly notYetValid: Issued;
    readonly otherCa: Issued;
    readonly otherCn: Issued;
    readonly rsa1024: Issued;
    readonly ed25519: Issued;
    readonly noDigitalSignature: Issued;
  };
  /** A P-256 key that belongs to no certificate. */
  readonly strayKeyPath: string;
}

const SUBJECT = `/C=DE/O=Example/OU=Platform/CN=${PIPELINE_CN}`;
const SAN = `DNS:${PIPELINE_CN},URI:spiffe://example.org/pipeline`;

export function mintPki(parent = mkdtempSync(join(tmpdir(), "rolecred-pki-"))): Pki {
  const root = TestCa.root(parent, "Example-Root");
  const intermediate = root.intermediate("Example-Issuing");
  const other = TestCa.root(parent, "Other-Root");
  const now = Date.now();
  const leaf = (file: string, options: Partial<Parameters<TestCa["issue"]>[1]> = {}) =>
    intermediate.issue(file, { subject: SUBJECT, subjectAltName: SAN, ...options });
  const strayKeyPath = join(parent, "stray.key");
  writeKey(strayKeyPath, "p256");
  return {
    dir: parent,
    root,
    intermediate,
    intermediatesPath: intermediate.cert.certPath,
    leaves: {
      p256: leaf("p256", { key: "p256" }),
      p384: leaf("p384", { key: "p384" }),
      rsa2048: leaf("rsa2048", { key: "rsa2048" }),
      rsa4096: leaf("rsa4096", { key: "rsa4096" }),
      direct: root.issue("direct", { subject: SUBJECT, subjectAltName: SAN, key: "p256" }),
      expired: leaf("expired", { notBefore: opensslDate(new Date(now - 10 * 86_400_000)), notAfter: opensslDate(new Date(now - 86_400_000)) }),
      notYetValid: leaf("not-yet-valid", { notBefore: opensslDate(new Date(now + 86_400_000)), notAfter: opensslDate(new Date(now + 10 * 86_400_000)) }),
      otherCa: other.issue("other-ca", { subject: SUBJECT, subjectAltName: SAN }),
      otherCn: leaf("other-cn", { subject: "/O=Example/CN=intruder.example" }),
      rsa1024: leaf("rsa1024", { key: "rsa1024" }),
      ed25519: leaf("ed25519", { key: "ed25519" }),
      noDigitalSignature: leaf("no-digital-signature", { keyUsage: "critical,keyEncipherment" }),
    },
    strayKeyPath,
  };
}

export interface RolesAnywhereWorld {
  readonly world: World;
  readonly rolesAnywhere: LocalRolesAnywhere;
  close(): Promise<void>;
}

export async function startRolesAnywhereWorld(pki: Pki): Promise<RolesAnywhereWorld> {
  const world = await startWorld({
    extraRoles: [
      {
        arn: RA_ROLES.pipeline,
        maxSessionDuration: 43_200,
        trust: [
          {
            principals: [ROLES_ANYWHERE_PRINCIPAL],
            principalTagEquals: { "x509Subject/CN": PIPELINE_CN },
            sourceArns: [TRUST_ANCHOR_ARN],
            allowTagSession: true,
            allowSetSourceIdentity: true,
          },
        ],
      },
      { arn: RA_ROLES.admin, trust: [{ principals: [RA_ROLES.pipeline], allowTagSession: true, allowSetSourceIdentity: true }] },
      { arn: RA_ROLES.outside, trust: [{ principals: [ROLES_ANYWHERE_PRINCIPAL], allowTagSession: true, allowSetSourceIdentity: true }] },
      {
        arn: RA_ROLES.tagged,
        trust: [{ principals: [RA_ROLES.pipeline, RA_ROLES.outside], principalTagEquals: { "x509Subject/CN": PIPELINE_CN }, allowSetSourceIdentity: true }],
      },
    ],
  });
  const rolesAnywhere = await startLocalRolesAnywhere({
    sts: world.sts,
    region: RA_REGION,
    trustAnchors: [
      { arn: TRUST_ANCHOR_ARN, certificatesPem: pki.root.cert.certPem },
      { arn: DISABLED_ANCHOR_ARN, certificatesPem: pki.root.cert.certPem, enabled: false },
    ],
    profiles: [
      { arn: PROFILE_ARN, roleArns: [RA_ROLES.pipeline] },
      { arn: LONG_PROFILE_ARN, roleArns: [RA_ROLES.pipeline, RA_ROLES.outside], durationSeconds: 43_200, acceptRoleSessionName: true },
      { arn: DISABLED_PROFILE_ARN, roleArns: [RA_ROLES.pipeline], enabled: false },
    ],
  });
  return {
    world,
    rolesAnywhere,
    close: async () => {
      await rolesAnywhere.close();
      await world.close();
    },
  };
}
