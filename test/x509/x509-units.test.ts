/**
 * The pure parts of src/x509 and the config-profile source: the keyUsage read, what a
 * certificate tells AWS, the ARN checks, the source's settings and cache key, and argv → options.
 */
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { X509Certificate } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { allowsDigitalSignature, keyUsageBits } from "../../src/x509/der.js";
import { certificateIdentity, parseDistinguishedName, parseSubjectAltNames } from "../../src/x509/identity.js";
import { checkRolesAnywhereArns } from "../../src/x509/arns.js";
import { x509Source } from "../../src/sources/x509.js";
import { CREDENTIAL_SOURCES } from "../../src/sources/registry.js";
import { resolveProfileChain } from "../../src/profiles/resolve.js";
import { targetLinkKey } from "../../src/credentials/link-keys.js";
import { readIniSections } from "../../src/store/ini-document.js";
import type { AwsFiles } from "../../src/profiles/aws-files.js";
import { RolecredError } from "../../src/errors.js";
import { parseArgv } from "../support/parse-argv.js";
import { mintPki, PROFILE_ARN, RA_ROLES, TRUST_ANCHOR_ARN, type Pki } from "../support/rolesanywhere-world.js";

let pki: Pki;
beforeAll(() => {
  pki = mintPki();
});

const certificateOf = (path: string) => new X509Certificate(readFileSync(path));

describe("keyUsageBits / allowsDigitalSignature", () => {
  it("reads digitalSignature from a leaf, keyCertSign from a CA, and its absence", () => {
    expect(allowsDigitalSignature(certificateOf(pki.leaves.p256.certPath).raw)).toBe(true);
    expect(allowsDigitalSignature(certificateOf(pki.leaves.noDigitalSignature.certPath).raw)).toBe(false);
    // keyCertSign (bit 5) and cRLSign (bit 6): 0x06, and no digitalSignature.
    expect([...(keyUsageBits(certificateOf(pki.root.cert.certPath).raw) ?? [])]).toEqual([0x06]);
  });

  it("a certificate with no keyUsage extension allows any use", () => {
    const key = join(pki.dir, "no-ku.key");
    const cert = join(pki.dir, "no-ku.pem");
    execFileSync(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-keyout",
        key,
        "-out",
        cert,
        "-subj",
        "/CN=no-ku",
        "-days",
        "1",
        "-config",
        "/dev/null",
      ],
      { stdio: "ignore" },
    );
    expect(keyUsageBits(certificateOf(cert).raw)).toBeUndefined();
    expect(allowsDigitalSignature(certificateOf(cert).raw)).toBe(true);
  });

  it("garbage is not a keyUsage", () => {
    expect(keyUsageBits(new Uint8Array([0x30, 0x03, 0x02, 0x01]))).toBeUndefined();
  });
});

describe("certificateIdentity", () => {
  it("the CN as source identity, every subject and issuer RDN, the first DNS and URI SAN", () => {
    const identity = certificateIdentity(certificateOf(pki.leaves.p256.certPath));
    expect(identity.sourceIdentity).toBe("pipeline.example");
    expect(identity.principalTags).toEqual([
      { key: "x509Subject/C", value: "DE" },
      { key: "x509Subject/O", value: "Example" },
      { key: "x509Subject/OU", value: "Platform" },
      { key: "x509Subject/CN", value: "pipeline.example" },
      { key: "x509Issuer/O", value: "Example" },
      { key: "x509Issuer/CN", value: "Example-Issuing" },
      { key: "x509SAN/DNS", value: "pipeline.example" },
      { key: "x509SAN/URI", value: "spiffe://example.org/pipeline" },
    ]);
    expect(identity.serialDecimal).toBe(pki.leaves.p256.serialDecimal);
  });

  it("parses node's quoted SAN values and multi-valued RDNs", () => {
    expect(parseSubjectAltNames('DNS:a.example, DNS:"b, c.example", URI:spiffe://x/y, DirName:CN=dir')).toEqual([
      ["DNS", "a.example"],
      ["DNS", "b, c.example"],
      ["URI", "spiffe://x/y"],
      ["DirName", "CN=dir"],
    ]);
    expect(parseDistinguishedName("O=Example\nOU=A + CN=b")).toEqual([
      ["O", "Example"],
      ["OU", "A"],
      ["CN", "b"],
    ]);
  });
});

describe("parseDistinguishedName on what node:crypto prints", () => {
  it("unescapes special characters and splits multi-valued RDNs", () => {
    const escaped = join(pki.dir, "escaped.pem");
    execFileSync(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-keyout",
        join(pki.dir, "escaped.key"),
        "-out",
        escaped,
        "-multivalue-rdn",
        "-subj",
        "/O=Ex\\+am\\,ple/OU=u1+CN=multi.example",
        "-days",
        "1",
        "-config",
        "/dev/null",
      ],
      { stdio: "ignore" },
    );
    const identity = certificateIdentity(certificateOf(escaped));
    expect(identity.sourceIdentity).toBe("multi.example");
    expect(identity.principalTags.filter((tag) => tag.key.startsWith("x509Subject/"))).toEqual([
      { key: "x509Subject/O", value: "Ex+am,ple" },
      { key: "x509Subject/OU", value: "u1" },
      { key: "x509Subject/CN", value: "multi.example" },
    ]);
  });

  it("maps the first DNS, URI and directory-name SAN", () => {
    const config = join(pki.dir, "san.cnf");
    const path = join(pki.dir, "san.pem");
    writeFileSync(
      config,
      "[req]\ndistinguished_name=dn\n[dn]\n[ext]\nsubjectAltName=DNS:a.example,DNS:b.example,URI:spiffe://x/y,dirName:dir_sect\n[dir_sect]\nO=Dir\\,Org\nCN=dir.example\n",
    );
    execFileSync(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-keyout",
        join(pki.dir, "san.key"),
        "-out",
        path,
        "-subj",
        "/CN=s",
        "-days",
        "1",
        "-config",
        config,
        "-extensions",
        "ext",
      ],
      { stdio: "ignore" },
    );
    expect(certificateIdentity(certificateOf(path)).principalTags.filter((tag) => tag.key.startsWith("x509SAN/"))).toEqual([
      { key: "x509SAN/DNS", value: "a.example" },
      { key: "x509SAN/URI", value: "spiffe://x/y" },
      { key: "x509SAN/Name/CN", value: "dir.example" },
      { key: "x509SAN/Name/O", value: "Dir,Org" },
    ]);
  });
});

describe("checkRolesAnywhereArns", () => {
  const good = { trustAnchorArn: TRUST_ANCHOR_ARN, profileArn: PROFILE_ARN, roleArn: RA_ROLES.pipeline };
  it("returns the trust anchor's region and account", () => {
    expect(checkRolesAnywhereArns(good)).toEqual({ partition: "aws", region: "eu-west-1", account: "111111111111" });
  });
  it.each([
    [{ ...good, trustAnchorArn: PROFILE_ARN }, /^invalid --trust-anchor-arn/],
    [{ ...good, profileArn: TRUST_ANCHOR_ARN }, /^invalid --profile-arn/],
    [{ ...good, profileArn: "arn:aws:rolesanywhere:eu-west-1:111111111111:profile/has space" }, /^invalid --profile-arn/],
    [{ ...good, roleArn: "arn:aws:iam::111111111111:user/jo" }, /^invalid --role-arn/],
    [{ ...good, profileArn: PROFILE_ARN.replace("eu-west-1", "eu-central-1") }, /is in eu-west-1 but --profile-arn is in eu-central-1/],
  ])("refuses %o", (arns, message) => {
    expect(() => checkRolesAnywhereArns(arns)).toThrow(message);
  });
});

function files(config: string): AwsFiles {
  return { configPath: "config", credentialsPath: "credentials", config: readIniSections(config), credentials: readIniSections("") };
}

const CONFIG = `
[profile ra]
rolecred_x509_certificate = ~/.pki/does-not-exist.pem
rolecred_x509_private_key = ~/.pki/does-not-exist.key
rolecred_x509_trust_anchor_arn = ${TRUST_ANCHOR_ARN}
rolecred_x509_profile_arn = ${PROFILE_ARN}
role_arn = ${RA_ROLES.pipeline}
duration_seconds = 7200
[profile ra-admin]
role_arn = ${RA_ROLES.admin}
source_profile = ra
duration_seconds = 7200
[profile bad-arn]
rolecred_x509_certificate = me.pem
rolecred_x509_private_key = me.key
rolecred_x509_trust_anchor_arn = ${TRUST_ANCHOR_ARN}
rolecred_x509_profile_arn = ${PROFILE_ARN.replace("eu-west-1", "us-east-1")}
role_arn = ${RA_ROLES.pipeline}
`;

describe("the x509 config-profile source", () => {
  it("is registered, and claims [profile ra] as the base of its chain (its role_arn is not a hop)", () => {
    expect(CREDENTIAL_SOURCES).toContain(x509Source);
    const chain = resolveProfileChain("ra", files(CONFIG));
    expect(chain.source).toMatchObject({ kind: "registered", profile: "ra" });
    expect(chain.hops).toEqual([]);
  });

  it("ra-admin is a chained hop, capped at one hour", () => {
    const chain = resolveProfileChain("ra-admin", files(CONFIG));
    expect(chain.hops.map((hop) => [hop.roleArn, hop.durationSeconds, hop.cappedFrom])).toEqual([[RA_ROLES.admin, 3600, 7200]]);
  });

  it("its cache key comes from the settings alone (the files do not exist) and follows them", () => {
    const key = targetLinkKey(resolveProfileChain("ra", files(CONFIG)), {});
    expect(JSON.parse(key)).toMatchObject({ kind: "roles-anywhere", profile: "ra", roleArn: RA_ROLES.pipeline, durationSeconds: 7200 });
    const otherRole = targetLinkKey(
      resolveProfileChain("ra", files(CONFIG.replace(`role_arn = ${RA_ROLES.pipeline}\nduration`, `role_arn = ${RA_ROLES.outside}\nduration`))),
      {},
    );
    expect(otherRole).not.toBe(key);
  });

  it("refuses inconsistent settings while resolving, naming the profile and the key (exit 3)", () => {
    let caught: unknown;
    try {
      resolveProfileChain("bad-arn", files(CONFIG));
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(RolecredError);
    expect((caught as RolecredError).message).toBe(
      'profile "bad-arn": rolecred_x509_trust_anchor_arn is in eu-west-1 but rolecred_x509_profile_arn is in us-east-1',
    );
    expect((caught as RolecredError).exitCode).toBe(3);
  });
});

describe("rolecred x509 argv → options", () => {
  const base = [
    "x509",
    "--certificate",
    "me.pem",
    "--private-key",
    "me.key",
    "--trust-anchor-arn",
    TRUST_ANCHOR_ARN,
    "--profile-arn",
    PROFILE_ARN,
    "--role-arn",
    RA_ROLES.pipeline,
  ];
  const common = {
    certificatePath: "me.pem",
    privateKeyPath: "me.key",
    intermediatesPath: undefined,
    trustAnchorArn: TRUST_ANCHOR_ARN,
    profileArn: PROFILE_ARN,
    roleArn: RA_ROLES.pipeline,
    region: undefined,
    endpoint: undefined,
    roleSessionName: undefined,
  };

  it.each<[string[], unknown]>([
    [
      [...base, "--profile", "p"],
      { ...common, mode: { kind: "deliver", delivery: { to: "profile", profile: "p", json: false, force: false } }, durationSeconds: undefined },
    ],
    [[...base, "--process", "--session-duration", "7200"], { ...common, mode: { kind: "process" }, durationSeconds: 7200 }],
    [
      ["x509", "credential-process", ...base.slice(1), "--duration", "2h", "--region", "eu-west-1", "--endpoint", "https://ra.example"],
      { ...common, mode: { kind: "process" }, durationSeconds: 7200, region: "eu-west-1", endpoint: "https://ra.example" },
    ],
    [
      ["x509", "--inspect", "--certificate", "me.pem", "--json"],
      {
        ...common,
        privateKeyPath: undefined,
        trustAnchorArn: undefined,
        profileArn: undefined,
        roleArn: undefined,
        mode: { kind: "inspect", json: true },
        durationSeconds: undefined,
      },
    ],
  ])("%j", async (args, options) => {
    const parsed = await parseArgv(args);
    expect(parsed.error).toBeUndefined();
    expect(parsed.options).toEqual(options);
  });

  it.each<[string[], RegExp]>([
    [["x509", "--private-key", "k"], /^--certificate is required/],
    [[...base, "--process", "--profile", "p"], /^--process prints credential_process JSON/],
    [[...base, "--inspect", "--profile", "p"], /^--inspect only prints/],
    [[...base], /^say where the credentials go/],
    [[...base, "--session-duration", "1h", "--profile", "p"], /^invalid --session-duration "1h"/],
    [[...base, "--session-duration", "3600", "--duration", "1h", "--profile", "p"], /^--session-duration and --duration are the same setting/],
    [["x509", "sign-string", ...base.slice(1)], /^unknown operand "sign-string"/],
    [[...base, "--policy-arn", "arn:aws:iam::aws:policy/ReadOnlyAccess", "--profile", "p"], /^--policy-arn cannot be used with x509/],
  ])("%j is refused", async (args, message) => {
    const parsed = await parseArgv(args);
    expect(parsed.error).toBeInstanceOf(RolecredError);
    expect((parsed.error as RolecredError).message).toMatch(message);
    expect((parsed.error as RolecredError).exitCode).toBe(2);
  });
});
