/**
 * `rolecred x509` end to end: the built CLI, a temporary HOME, certificates minted with openssl,
 * the local Roles Anywhere endpoint (signature, chain, validity, profiles, trust-policy CN
 * condition) and the local STS endpoint it registers its sessions with; profiles and
 * credential_process read back by the AWS SDK's default chain and Debian's AWS CLI.
 */
import { execFileSync } from "node:child_process";
import { createServer, type Socket } from "node:net";
import type { AddressInfo } from "node:net";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { cliEnv, makeTempHome, REPO_ROOT, ROLECRED_BIN, runCli, type CliResult } from "../support/run-cli.js";
import { identityViaAwsCli, identityViaSdk } from "../support/readback.js";
import { runInPty } from "../support/pty.js";
import type { Issued } from "../support/rolesanywhere-pki.js";
import { startLocalRolesAnywhere } from "../support/rolesanywhere-server.js";
import {
  LONG_PROFILE_ARN,
  mintPki,
  PIPELINE_CN,
  PROFILE_ARN,
  RA_REGION,
  RA_ROLES,
  startRolesAnywhereWorld,
  TRUST_ANCHOR_ARN,
  type Pki,
  type RolesAnywhereWorld,
} from "../support/rolesanywhere-world.js";

let pki: Pki;
let ra: RolesAnywhereWorld;
let home: string;
let env: Record<string, string>;
const outputs: string[] = [];
const PASSPHRASE = "correct horse battery staple";

beforeAll(async () => {
  pki = mintPki();
  ra = await startRolesAnywhereWorld(pki);
});
afterAll(async () => {
  await ra.close();
  // Across every run in this file: no private key, passphrase or session secret was ever shown.
  const everything = outputs.join("\n");
  expect(everything).not.toContain("PRIVATE KEY");
  expect(everything).not.toContain(PASSPHRASE);
  for (const line of (await readFile(pki.leaves.p256.keyPath, "utf8")).split("\n").filter((text) => text.length > 20)) expect(everything).not.toContain(line);
});
beforeEach(async () => {
  home = await makeTempHome();
  await mkdir(join(home, ".aws"), { recursive: true });
  await writeFile(join(home, ".aws", "credentials"), "# mine\n[keep]\naws_access_key_id = AKIAKEEPEXAMPLE00001\naws_secret_access_key = keep/Secret\n");
  env = cliEnv(home, { AWS_ENDPOINT_URL_ROLESANYWHERE: ra.rolesAnywhere.url, AWS_ENDPOINT_URL_STS: ra.world.sts.url });
});

async function rolecred(args: readonly string[], options: { env?: Record<string, string>; stdin?: string } = {}): Promise<CliResult> {
  const result = await runCli(args, { env: options.env ?? env, stdin: options.stdin });
  outputs.push(result.stdout, result.stderr);
  return result;
}

/** The five flags of a request, for `leaf` and its intermediate. */
function x509Flags(leaf: Issued, overrides: Record<string, string | undefined> = {}): string[] {
  const flags: Record<string, string | undefined> = {
    "--certificate": leaf.certPath,
    "--private-key": leaf.keyPath,
    "--intermediates": pki.intermediatesPath,
    "--trust-anchor-arn": TRUST_ANCHOR_ARN,
    "--profile-arn": PROFILE_ARN,
    "--role-arn": RA_ROLES.pipeline,
    ...overrides,
  };
  return Object.entries(flags).flatMap(([flag, value]) => (value === undefined ? [] : [flag, value]));
}

const credentialsFile = () => readFile(join(home, ".aws", "credentials"), "utf8");
const serialHex = (leaf: Issued) => BigInt(leaf.serialDecimal).toString(16);

describe("rolecred x509: the deliveries", () => {
  it("writes a profile that the AWS SDK and the AWS CLI use, keeping the rest of the file", async () => {
    const result = await rolecred(["x509", ...x509Flags(pki.leaves.p256), "--profile", "pipeline"]);
    expect(result.stderr).toMatch(
      new RegExp(
        `^pipeline: assumed pipeline in 111111111111 as ${serialHex(pki.leaves.p256)}, expires (\\d{4}-\\d\\d-\\d\\d )?\\d\\d:\\d\\d \\(in 1h 0m\\)\\n$`,
      ),
    );
    expect([result.exitCode, result.stdout]).toEqual([0, ""]);
    const file = await credentialsFile();
    expect(file.startsWith("# mine\n[keep]\n")).toBe(true);
    const expected = `arn:aws:sts::111111111111:assumed-role/pipeline/${serialHex(pki.leaves.p256)}`;
    expect((await identityViaSdk(env, "pipeline")).Arn).toBe(expected);
    expect((await identityViaAwsCli(env, "pipeline", ra.world.sts.url)).Arn).toBe(expected);
  });

  it("runs a command with the session in its environment, writing nothing", async () => {
    const before = await credentialsFile();
    const result = await rolecred([
      "x509",
      ...x509Flags(pki.leaves.rsa2048),
      "--",
      "node",
      "-e",
      "const e=process.env; console.log(JSON.stringify({id:e.AWS_ACCESS_KEY_ID, token:Boolean(e.AWS_SESSION_TOKEN), region:e.AWS_REGION}))",
    ]);
    expect(result.exitCode).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ token: true, id: expect.stringMatching(/^ASIA/) });
    expect(await credentialsFile()).toBe(before);
  });

  it("--json prints the summary and what the certificate carried, never a secret", async () => {
    const result = await rolecred(["x509", ...x509Flags(pki.leaves.p384), "--profile", "pipeline", "--json"]);
    expect(result.exitCode).toBe(0);
    const summary = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(summary).toMatchObject({
      profile: "pipeline",
      roleArn: RA_ROLES.pipeline,
      sourceIdentity: PIPELINE_CN,
      certificate: {
        sourceIdentity: PIPELINE_CN,
        serialNumberDecimal: pki.leaves.p384.serialDecimal,
        principalTags: {
          "x509Subject/CN": PIPELINE_CN,
          "x509Subject/OU": "Platform",
          "x509Issuer/CN": "Example-Issuing",
          "x509SAN/DNS": PIPELINE_CN,
          "x509SAN/URI": "spiffe://example.org/pipeline",
        },
      },
    });
    expect(result.stdout).not.toMatch(/secret|token/i);
  });

  it("an RSA 4096 key signs AWS4-X509-RSA-SHA256; an EC key AWS4-X509-ECDSA-SHA256, with the chain signed", async () => {
    const calls = ra.rolesAnywhere.calls.length;
    expect((await rolecred(["x509", ...x509Flags(pki.leaves.rsa4096), "--profile", "a"])).exitCode).toBe(0);
    expect((await rolecred(["x509", ...x509Flags(pki.leaves.p256), "--profile", "b"])).exitCode).toBe(0);
    const [rsa, ec] = ra.rolesAnywhere.calls.slice(calls);
    expect(rsa?.algorithm).toBe("AWS4-X509-RSA-SHA256");
    expect(ec?.algorithm).toBe("AWS4-X509-ECDSA-SHA256");
    expect(ec?.signedHeaders).toEqual(["content-type", "host", "x-amz-date", "x-amz-x509", "x-amz-x509-chain"]);
  });
});

describe("rolecred x509: certificate bundles", () => {
  it("a fullchain bundle (the certificate, its issuer, the root) as --intermediates is accepted", async () => {
    const fullchain = join(home, "fullchain.pem");
    await writeFile(fullchain, [pki.leaves.p256.certPem, pki.intermediate.cert.certPem, pki.root.cert.certPem].join(""));
    const calls = ra.rolesAnywhere.calls.length;
    const result = await rolecred(["x509", ...x509Flags(pki.leaves.p256, { "--intermediates": fullchain }), "--profile", "p"]);
    expect([result.exitCode, result.stderr]).toEqual([0, expect.stringContaining("p: assumed pipeline")]);
    expect(ra.rolesAnywhere.calls.slice(calls)[0]?.signedHeaders).toContain("x-amz-x509-chain");
  });

  it("a bundle as --certificate is refused, pointing to --intermediates", async () => {
    const bundle = join(home, "bundle.pem");
    await writeFile(bundle, [pki.leaves.p256.certPem, pki.intermediate.cert.certPem].join(""));
    const result = await rolecred(["x509", ...x509Flags(pki.leaves.p256, { "--certificate": bundle }), "--profile", "p"]);
    expect([result.exitCode, result.stderr]).toEqual([
      3,
      expect.stringMatching(
        /^rolecred: the certificate file .*bundle\.pem holds 2 certificates — put only the end-entity certificate there and the CA certificates in --intermediates\n$/,
      ),
    ]);
  });
});

describe("rolecred x509: a PKCS#12 bundle as --certificate", () => {
  const p12 = (name: string, args: readonly string[], password = PASSPHRASE) => {
    const path = join(home, name);
    execFileSync(
      "openssl",
      [
        "pkcs12",
        "-export",
        "-in",
        pki.leaves.rsa2048.certPath,
        "-inkey",
        pki.leaves.rsa2048.keyPath,
        "-certfile",
        pki.intermediatesPath,
        "-out",
        path,
        "-passout",
        "env:PASS",
        ...args,
      ],
      { env: { ...process.env, PASS: password }, stdio: "ignore" },
    );
    return path;
  };
  const flags = (path: string) => x509Flags(pki.leaves.rsa2048, { "--certificate": path, "--private-key": undefined, "--intermediates": undefined });

  it("holds the certificate, its chain and its key (OpenSSL 3's AES/PBKDF2), the passphrase from ROLECRED_X509_PASSPHRASE", async () => {
    const result = await rolecred(["x509", ...flags(p12("me.p12", [])), "--profile", "p"], { env: { ...env, ROLECRED_X509_PASSPHRASE: PASSPHRASE } });
    expect([result.exitCode, result.stderr]).toEqual([0, expect.stringContaining(`p: assumed pipeline in 111111111111 as ${serialHex(pki.leaves.rsa2048)}`)]);
  });

  it("--inspect opens it too", async () => {
    const result = await rolecred(["x509", "--inspect", "--certificate", p12("me.p12", [])], { env: { ...env, ROLECRED_X509_PASSPHRASE: PASSPHRASE } });
    expect([result.exitCode, result.stderr]).toEqual([0, ""]);
    expect(result.stdout).toContain(`source identity ${PIPELINE_CN}\n`);
  });

  it("a bundle with an empty password needs no passphrase", async () => {
    const result = await rolecred(["x509", ...flags(p12("open.pfx", [], "")), "--profile", "p"]);
    expect(result.exitCode).toBe(0);
  });

  it("a wrong passphrase, a key given twice, legacy 3DES encryption: one line, exit 3, nothing sent", async () => {
    const calls = ra.rolesAnywhere.calls.length;
    const path = p12("me.p12", []);
    const wrong = await rolecred(["x509", ...flags(path), "--profile", "p"], { env: { ...env, ROLECRED_X509_PASSPHRASE: "not the passphrase" } });
    expect([wrong.exitCode, wrong.stderr]).toEqual([
      3,
      expect.stringMatching(/^rolecred: cannot open the PKCS#12 file .*me\.p12: wrong passphrase, or damaged — /),
    ]);
    const twice = await rolecred(["x509", ...flags(path), "--private-key", pki.leaves.rsa2048.keyPath, "--profile", "p"]);
    expect([twice.exitCode, twice.stderr]).toEqual([
      3,
      expect.stringMatching(/^rolecred: .*me\.p12 is a PKCS#12 bundle: it holds the key itself — drop --private-key/),
    ]);
    const legacy = p12("legacy.p12", ["-certpbe", "PBE-SHA1-3DES", "-keypbe", "PBE-SHA1-3DES", "-macalg", "sha1"]);
    const old = await rolecred(["x509", ...flags(legacy), "--profile", "p"], { env: { ...env, ROLECRED_X509_PASSPHRASE: PASSPHRASE } });
    expect([old.exitCode, old.stderr]).toEqual([
      3,
      expect.stringMatching(/^rolecred: the PKCS#12 file uses legacy encryption \(1\.2\.840\.113549\.1\.12\.1\.3\) — re-export it with OpenSSL 3/),
    ]);
    expect(ra.rolesAnywhere.calls.length).toBe(calls);
  });

  it("works as rolecred_x509_certificate of a config profile, with no rolecred_x509_private_key", async () => {
    const path = p12("me.p12", []);
    await writeFile(
      join(home, ".aws", "config"),
      [
        `[profile ra]`,
        `rolecred_x509_certificate = ${path}`,
        `rolecred_x509_trust_anchor_arn = ${TRUST_ANCHOR_ARN}`,
        `rolecred_x509_profile_arn = ${PROFILE_ARN}`,
        `role_arn = ${RA_ROLES.pipeline}`,
        "",
      ].join("\n"),
    );
    const result = await rolecred(["process", "ra"], { env: { ...env, ROLECRED_X509_PASSPHRASE: PASSPHRASE } });
    expect([result.exitCode, result.stderr]).toEqual([0, ""]);
  });
});

describe("rolecred x509: keys in every PEM form", () => {
  it.each([
    ["PKCS#1 RSA", () => pki.leaves.rsa2048, ["rsa", "-traditional"]],
    ["SEC1 EC", () => pki.leaves.p256, ["ec"]],
  ] as const)("reads a %s key", async (_name, leaf, command) => {
    const converted = join(home, "converted.key");
    execFileSync("openssl", [...command, "-in", leaf().keyPath, "-out", converted], { stdio: "ignore" });
    expect(await readFile(converted, "utf8")).toMatch(/BEGIN (RSA|EC) PRIVATE KEY/);
    const result = await rolecred(["x509", ...x509Flags(leaf(), { "--private-key": converted }), "--profile", "p"]);
    expect([result.exitCode, result.stderr]).toEqual([0, expect.stringContaining("p: assumed pipeline")]);
  });

  describe("an encrypted PKCS#8 key", () => {
    let encrypted: string;
    beforeEach(() => {
      encrypted = join(home, "encrypted.key");
      execFileSync("openssl", ["pkcs8", "-topk8", "-v2", "aes-256-cbc", "-in", pki.leaves.p256.keyPath, "-out", encrypted, "-passout", "env:PASS"], {
        env: { ...process.env, PASS: PASSPHRASE },
        stdio: "ignore",
      });
    });

    it("takes its passphrase from ROLECRED_X509_PASSPHRASE", async () => {
      const result = await rolecred(["x509", ...x509Flags(pki.leaves.p256, { "--private-key": encrypted }), "--profile", "p"], {
        env: { ...env, ROLECRED_X509_PASSPHRASE: PASSPHRASE },
      });
      expect(result.exitCode).toBe(0);
    });

    it("refuses a wrong passphrase in one line, exit 3, sending nothing", async () => {
      const calls = ra.rolesAnywhere.calls.length;
      const result = await rolecred(["x509", ...x509Flags(pki.leaves.p256, { "--private-key": encrypted }), "--profile", "p"], {
        env: { ...env, ROLECRED_X509_PASSPHRASE: "not the passphrase" },
      });
      expect([result.exitCode, result.stderr]).toEqual([
        3,
        expect.stringMatching(/^rolecred: cannot decrypt the private key .*encrypted\.key: wrong passphrase/),
      ]);
      expect(ra.rolesAnywhere.calls.length).toBe(calls);
    });

    it("with no terminal and no variable, fails naming the variable (exit 2)", async () => {
      const result = await rolecred(["x509", ...x509Flags(pki.leaves.p256, { "--private-key": encrypted }), "--profile", "p"]);
      expect([result.exitCode, result.stderr]).toEqual([
        2,
        expect.stringMatching(/^rolecred: no terminal to ask for the passphrase of .*ROLECRED_X509_PASSPHRASE/),
      ]);
    });

    it("asks for it on the terminal, masked, while stdin is a pipe", async () => {
      const args = x509Flags(pki.leaves.p256, { "--private-key": encrypted })
        .map((arg) => `'${arg}'`)
        .join(" ");
      const terminal = runInPty("/bin/sh", ["-c", `echo not-the-passphrase | '${process.execPath}' '${ROLECRED_BIN}' x509 ${args} --profile p`], {
        env,
        cwd: REPO_ROOT,
      });
      await terminal.waitFor("Passphrase for");
      terminal.type(`${PASSPHRASE}\r`);
      const { exitCode } = await terminal.exited;
      outputs.push(terminal.screen());
      expect(exitCode).toBe(0);
      expect(terminal.screen()).toContain("p: assumed pipeline");
    });
  });
});

describe("rolecred x509: checks before any request, one line each", () => {
  const cases: ReadonlyArray<readonly [string, () => string[], number, RegExp]> = [
    [
      "an expired certificate",
      () => x509Flags(pki.leaves.expired),
      3,
      /^rolecred: the certificate expired on \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z — renew it with your CA\n$/,
    ],
    ["a certificate not yet valid", () => x509Flags(pki.leaves.notYetValid), 3, /^rolecred: the certificate is not valid until \d{4}-\d\d-\d\dT/],
    [
      "a key of another certificate",
      () => x509Flags(pki.leaves.p256, { "--private-key": pki.strayKeyPath }),
      3,
      /^rolecred: the private key does not match the certificate — /,
    ],
    [
      "a certificate without digitalSignature",
      () => x509Flags(pki.leaves.noDigitalSignature),
      3,
      /^rolecred: the certificate's key usage does not include digitalSignature/,
    ],
    [
      "intermediates that did not issue the certificate",
      () => x509Flags(pki.leaves.p256, { "--intermediates": pki.root.cert.certPath }),
      3,
      /^rolecred: the intermediates are out of order or do not belong: intermediate 1 \(O=Example, CN=Example-Root\) did not issue the certificate/,
    ],
    ["an RSA 1024 key", () => x509Flags(pki.leaves.rsa1024), 3, /^rolecred: the private key is RSA 1024-bit: Roles Anywhere needs RSA of at least 2048 bits/],
    [
      "an Ed25519 key",
      () => x509Flags(pki.leaves.ed25519),
      3,
      /^rolecred: the private key is Ed25519: Roles Anywhere accepts only RSA \(2048\+\) and EC P-256\/P-384 keys/,
    ],
    [
      "a malformed trust anchor ARN",
      () => x509Flags(pki.leaves.p256, { "--trust-anchor-arn": "arn:aws:rolesanywhere:eu-west-1:111111111111:profile/x" }),
      2,
      /^rolecred: invalid --trust-anchor-arn "arn:aws:rolesanywhere:eu-west-1:111111111111:profile\/x" — expected arn:aws:rolesanywhere:REGION:ACCOUNT:trust-anchor\/ID\n$/,
    ],
    [
      "a profile in another region",
      () => x509Flags(pki.leaves.p256, { "--profile-arn": PROFILE_ARN.replace(RA_REGION, "us-west-2") }),
      2,
      /^rolecred: --trust-anchor-arn is in eu-west-1 but --profile-arn is in us-west-2/,
    ],
    [
      "a profile in another account",
      () => x509Flags(pki.leaves.p256, { "--profile-arn": PROFILE_ARN.replace("111111111111", "222222222222") }),
      2,
      /^rolecred: --trust-anchor-arn is in account 111111111111 but --profile-arn is in account 222222222222/,
    ],
    [
      "a role in another account",
      () => x509Flags(pki.leaves.p256, { "--role-arn": "arn:aws:iam::222222222222:role/pipeline" }),
      2,
      /^rolecred: --role-arn is in account 222222222222 but the trust anchor and profile are in 111111111111/,
    ],
    [
      "a duration under 900 seconds",
      () => [...x509Flags(pki.leaves.p256), "--session-duration", "600"],
      2,
      /^rolecred: --session-duration must be between 900 and 43200 seconds/,
    ],
    ["a duration over 12 hours", () => [...x509Flags(pki.leaves.p256), "--duration", "13h"], 2, /^rolecred: --duration must be between 900 and 43200 seconds/],
    [
      "--region other than the trust anchor's",
      () => [...x509Flags(pki.leaves.p256), "--region", "us-east-1"],
      2,
      /^rolecred: --region us-east-1 differs from the trust anchor's region eu-west-1/,
    ],
    ["a missing --role-arn", () => x509Flags(pki.leaves.p256, { "--role-arn": undefined }), 2, /^rolecred: --role-arn is required/],
    [
      "--policy",
      () => [...x509Flags(pki.leaves.p256), "--policy", "{}"],
      2,
      /^rolecred: --policy cannot be used with x509: Roles Anywhere's CreateSession takes no session policy.* — narrow it with the Roles Anywhere profile's session policies .*rolecred_policy.*`rolecred lint`/,
    ],
    [
      "--scope",
      () => [...x509Flags(pki.leaves.p256), "--scope", "deny-iam"],
      2,
      /^rolecred: --scope cannot be used with x509: Roles Anywhere's CreateSession takes no session policy/,
    ],
    [
      "a certificate file holding a key",
      () => x509Flags(pki.leaves.p256, { "--certificate": pki.leaves.p256.keyPath }),
      3,
      /^rolecred: the certificate file .* holds no PEM certificate/,
    ],
    ["a FIFO as the key", () => x509Flags(pki.leaves.p256, { "--private-key": "/dev/zero" }), 3, /^rolecred: .*\/dev\/zero/],
  ];

  it.each(cases)("%s", async (_name, args, exitCode, message) => {
    const calls = ra.rolesAnywhere.calls.length;
    const before = await credentialsFile();
    const result = await rolecred(["x509", ...args(), "--profile", "p"]);
    expect(result.stderr).toMatch(message);
    expect(result.stderr.trimEnd().split("\n")).toHaveLength(1);
    expect([result.exitCode, result.stdout]).toEqual([exitCode, ""]);
    expect(ra.rolesAnywhere.calls.length).toBe(calls); // nothing was sent
    expect(await credentialsFile()).toBe(before);
  });
});

describe("rolecred x509: what AWS refuses", () => {
  it("a CN the role's trust policy does not name: exit 4, Roles Anywhere's message and where to look", async () => {
    const result = await rolecred(["x509", ...x509Flags(pki.leaves.otherCn), "--profile", "p"]);
    expect(result.exitCode).toBe(4);
    expect(result.stderr).toMatch(
      /^rolecred: Roles Anywhere refused a session for pipeline \(arn:aws:iam::111111111111:role\/pipeline\): Unable to assume role .* — .*rolecred x509 --inspect/,
    );
  });

  it("a certificate from a CA the trust anchor does not hold: exit 4", async () => {
    const result = await rolecred(["x509", ...x509Flags(pki.leaves.otherCa, { "--intermediates": undefined }), "--profile", "p"]);
    expect([result.exitCode, result.stderr]).toEqual([4, expect.stringContaining("Untrusted signing certificate")]);
  });

  it("a duration the profile does not allow: warns, falls back to one hour, and says so", async () => {
    const result = await rolecred(["x509", ...x509Flags(pki.leaves.p256), "--duration", "8h", "--profile", "p"]);
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toMatch(
      /^warning: Roles Anywhere refused 28800s \(.*durationSeconds.*\); retrying with 3600s\np: assumed pipeline .*\(in 1h 0m\)\n$/,
    );
    const long = await rolecred([
      "x509",
      ...x509Flags(pki.leaves.p256, { "--profile-arn": LONG_PROFILE_ARN }),
      "--session-duration",
      "28800",
      "--profile",
      "p",
    ]);
    expect(long.stderr).toMatch(/\(in 8h 0m\)\n$/);
  });

  it("--role-session-name: used where the profile accepts one, refused by Roles Anywhere where it does not (exit 2)", async () => {
    const named = await rolecred([
      "x509",
      ...x509Flags(pki.leaves.p256, { "--profile-arn": LONG_PROFILE_ARN }),
      "--role-session-name",
      "ci-run-42",
      "--profile",
      "p",
    ]);
    expect([named.exitCode, named.stderr]).toEqual([0, expect.stringContaining("p: assumed pipeline in 111111111111 as ci-run-42,")]);
    const refused = await rolecred(["x509", ...x509Flags(pki.leaves.p256), "--role-session-name", "ci-run-42", "--profile", "p"]);
    expect([refused.exitCode, refused.stderr]).toEqual([2, "rolecred: Roles Anywhere rejected the request: The profile does not accept a roleSessionName\n"]);
  });

  it("an endpoint that accepts and never answers: exit 5 after ROLECRED_STS_TIMEOUT seconds", async () => {
    const sockets = new Set<Socket>();
    const silent = createServer((socket) => void sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
    try {
      const result = await rolecred(["x509", ...x509Flags(pki.leaves.p256), "--endpoint", url, "--profile", "p"], {
        env: { ...env, ROLECRED_STS_TIMEOUT: "1" },
      });
      expect([result.exitCode, result.stderr]).toEqual([
        5,
        `rolecred: Roles Anywhere at ${url} did not answer in time — check your network or proxy; ROLECRED_STS_TIMEOUT sets the wait in seconds\n`,
      ]);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });

  it("an endpoint that does not answer: exit 5 naming it", async () => {
    const result = await rolecred(["x509", ...x509Flags(pki.leaves.p256), "--endpoint", "http://127.0.0.1:9", "--profile", "p"]);
    expect([result.exitCode, result.stderr]).toEqual([
      5,
      expect.stringMatching(/^rolecred: cannot reach Roles Anywhere at http:\/\/127\.0\.0\.1:9: connection refused/),
    ]);
  });
});

describe("rolecred x509: the endpoint", () => {
  it("--endpoint beats AWS_ENDPOINT_URL_ROLESANYWHERE, which beats AWS_ENDPOINT_URL", async () => {
    const dead = "http://127.0.0.1:9";
    const viaFlag = await rolecred(["--verbose", "x509", ...x509Flags(pki.leaves.p256), "--endpoint", ra.rolesAnywhere.url, "--profile", "p"], {
      env: { ...env, AWS_ENDPOINT_URL_ROLESANYWHERE: dead },
    });
    expect(viaFlag.stderr).toContain(`CreateSession at ${ra.rolesAnywhere.url} (from --endpoint), region eu-west-1`);
    const viaGeneric = await rolecred(["--verbose", "x509", ...x509Flags(pki.leaves.p256), "--profile", "p"], {
      env: { ...env, AWS_ENDPOINT_URL_ROLESANYWHERE: "", AWS_ENDPOINT_URL: ra.rolesAnywhere.url },
    });
    expect(viaGeneric.stderr).toContain("(from AWS_ENDPOINT_URL)");
    expect([viaFlag.exitCode, viaGeneric.exitCode]).toEqual([0, 0]);
  });
});

describe("rolecred x509 --inspect and --verbose: what AWS will see", () => {
  it("--inspect prints the source identity and principal tags, offline, with no key", async () => {
    const calls = ra.rolesAnywhere.calls.length;
    const result = await rolecred(["x509", "--inspect", "--certificate", pki.leaves.p256.certPath], {
      env: { ...env, AWS_ENDPOINT_URL_ROLESANYWHERE: "http://127.0.0.1:9" },
    });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain(`source identity ${PIPELINE_CN}\n`);
    expect(result.stdout).toContain(`aws:PrincipalTag/x509Subject/CN = ${PIPELINE_CN}\n`);
    expect(result.stdout).toContain("aws:PrincipalTag/x509Subject/OU = Platform\n");
    expect(result.stdout).toContain("aws:PrincipalTag/x509Issuer/CN = Example-Issuing\n");
    expect(result.stdout).toContain(`aws:PrincipalTag/x509SAN/DNS = ${PIPELINE_CN}\n`);
    expect(result.stdout).toContain("aws:PrincipalTag/x509SAN/URI = spiffe://example.org/pipeline\n");
    expect(result.stdout).toContain(`serial ${BigInt(pki.leaves.p256.serialDecimal).toString(16).toUpperCase()} (${pki.leaves.p256.serialDecimal})`);
    expect(ra.rolesAnywhere.calls.length).toBe(calls);
  });

  it("--inspect --json is data; an expired certificate is inspected with a warning", async () => {
    const result = await rolecred(["x509", "--inspect", "--json", "--certificate", pki.leaves.expired.certPath]);
    expect(result.exitCode).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ sourceIdentity: PIPELINE_CN, principalTags: { "x509Subject/CN": PIPELINE_CN } });
    expect(result.stderr).toMatch(/^warning: the certificate expired on /);
  });

  it("--inspect warns about what would stop the certificate: an Ed25519 key, no digitalSignature", async () => {
    const ed = await rolecred(["x509", "--inspect", "--certificate", pki.leaves.ed25519.certPath]);
    expect([ed.exitCode, ed.stderr]).toEqual([
      0,
      "warning: the certificate's key is Ed25519: Roles Anywhere accepts only RSA (2048+) and EC P-256/P-384 keys\n",
    ]);
    const noSign = await rolecred(["x509", "--inspect", "--certificate", pki.leaves.noDigitalSignature.certPath]);
    expect(noSign.stderr).toBe("warning: the certificate's key usage does not include digitalSignature\n");
  });

  it("--verbose shows the identity before the call", async () => {
    const result = await rolecred(["--verbose", "x509", ...x509Flags(pki.leaves.p256), "--profile", "p"]);
    expect(result.exitCode).toBe(0);
    const lines = result.stderr.split("\n");
    const tagLine = lines.findIndex((line) => line.includes(`aws:PrincipalTag/x509Subject/CN = ${PIPELINE_CN}`));
    const callLine = lines.findIndex((line) => line.includes("CreateSession at"));
    expect(tagLine).toBeGreaterThan(-1);
    expect(callLine).toBeGreaterThan(tagLine);
    expect(result.stderr).toContain(`source identity ${PIPELINE_CN}`);
  });
});

describe("rolecred x509 as credential_process", () => {
  it("--process prints credential_process JSON", async () => {
    const result = await rolecred(["x509", "--process", ...x509Flags(pki.leaves.p256)]);
    expect(result.exitCode).toBe(0);
    const json = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(json).toMatchObject({ Version: 1, AccessKeyId: expect.stringMatching(/^ASIA/), Expiration: expect.stringMatching(/Z$/) });
    expect(result.stderr).toBe("");
  });

  it("an aws_signing_helper credential-process line works with the binary swapped, read by the AWS SDK and the AWS CLI", async () => {
    const leaf = pki.leaves.rsa2048;
    const helperLine = `credential-process --certificate ${leaf.certPath} --private-key ${leaf.keyPath} --intermediates ${pki.intermediatesPath} --trust-anchor-arn ${TRUST_ANCHOR_ARN} --profile-arn ${LONG_PROFILE_ARN} --role-arn ${RA_ROLES.pipeline} --session-duration 7200 --region ${RA_REGION}`;
    await writeFile(
      join(home, ".aws", "config"),
      `[profile helper]\ncredential_process = ${process.execPath} ${ROLECRED_BIN} x509 ${helperLine}\nregion = us-east-1\n`,
    );
    const expected = `arn:aws:sts::111111111111:assumed-role/pipeline/${serialHex(leaf)}`;
    expect((await identityViaSdk(env, "helper")).Arn).toBe(expected);
    expect((await identityViaAwsCli(env, "helper", ra.world.sts.url)).Arn).toBe(expected);
  });
});

describe("a ~/.aws/config profile whose source is a certificate", () => {
  beforeEach(async () => {
    const leaf = pki.leaves.p256;
    await mkdir(join(home, ".pki"), { recursive: true });
    await writeFile(join(home, ".pki", "me.pem"), leaf.certPem);
    await writeFile(join(home, ".pki", "me.key"), await readFile(leaf.keyPath));
    await writeFile(
      join(home, ".aws", "config"),
      [
        "[profile ra]",
        "rolecred_x509_certificate = ~/.pki/me.pem",
        "rolecred_x509_private_key = ~/.pki/me.key",
        `rolecred_x509_intermediates = ${pki.intermediatesPath}`,
        `rolecred_x509_trust_anchor_arn = ${TRUST_ANCHOR_ARN}`,
        `rolecred_x509_profile_arn = ${PROFILE_ARN}`,
        `role_arn = ${RA_ROLES.pipeline}`,
        "region = us-east-1",
        "[profile ra-admin]",
        `role_arn = ${RA_ROLES.admin}`,
        "source_profile = ra",
        "duration_seconds = 7200",
        "[profile ra-cp]",
        `credential_process = ${process.execPath} ${ROLECRED_BIN} process ra-admin`,
        "region = us-east-1",
        "[profile ra-broken]",
        "rolecred_x509_certificate = ~/.pki/me.pem",
        `role_arn = ${RA_ROLES.pipeline}`,
        "",
      ].join("\n"),
    );
  });

  it("rolecred process ra: a session, then the cache (no second CreateSession)", async () => {
    const calls = ra.rolesAnywhere.calls.length;
    const first = await rolecred(["process", "ra"]);
    expect(first.exitCode).toBe(0);
    const second = await rolecred(["process", "ra"]);
    expect(JSON.parse(second.stdout)).toEqual(JSON.parse(first.stdout));
    expect(ra.rolesAnywhere.calls.length).toBe(calls + 1);
  });

  it("an answer that names no assumed-role user: a hop on top is named after the caller (never an empty RoleSessionName), and the summary leaves the name out (no `as ,`)", async () => {
    ra.rolesAnywhere.updateProfile(PROFILE_ARN, { omitAssumedRoleUser: true });
    try {
      // The hop first, on the session just made (not read back from the cache).
      const chained = await rolecred(["exec", "ra-admin", "--", "node", "-e", "console.log(process.env.AWS_ACCESS_KEY_ID)"]);
      expect([chained.exitCode, chained.stderr]).toEqual([0, expect.not.stringContaining("rolecred:")]);
      expect(ra.world.sts.session(chained.stdout.trim())?.arn).toBe(`arn:aws:sts::111111111111:assumed-role/admin/${serialHex(pki.leaves.p256)}`);
      const written = await rolecred(["write", "ra", "--to", "ra-written"]);
      expect(written.exitCode).toBe(0);
      expect(written.stderr).toMatch(/^ra-written: assumed pipeline in 111111111111, expires /m);
    } finally {
      ra.rolesAnywhere.updateProfile(PROFILE_ARN, { omitAssumedRoleUser: false });
    }
  });

  it("ra-admin chains AssumeRole on the certificate session, capped at one hour, and keeps the CN as source identity", async () => {
    const result = await rolecred(["exec", "ra-admin", "--", "node", "-e", "console.log(process.env.AWS_ACCESS_KEY_ID)"]);
    expect([result.exitCode, result.stderr]).toEqual([0, expect.stringContaining("asking for 1h, not 7200s")]);
    const session = ra.world.sts.session(result.stdout.trim());
    expect(session).toMatchObject({ roleArn: RA_ROLES.admin, sourceIdentity: PIPELINE_CN });
  });

  it("the AWS SDK's default chain and the AWS CLI read ra-admin through credential_process; write and env work too", async () => {
    const expected = /^arn:aws:sts::111111111111:assumed-role\/admin\//;
    expect((await identityViaSdk(env, "ra-cp")).Arn).toMatch(expected);
    expect((await identityViaAwsCli(env, "ra-cp", ra.world.sts.url)).Arn).toMatch(expected);
    expect((await rolecred(["write", "ra-admin", "--to", "admin-now"])).exitCode).toBe(0);
    expect((await identityViaSdk(env, "admin-now")).Arn).toMatch(expected);
    const exports = await rolecred(["env", "ra", "--shell", "bash"]);
    expect([exports.exitCode, exports.stdout]).toEqual([0, expect.stringContaining("export AWS_SESSION_TOKEN=")]);
  });

  it("narrowing the certificate profile itself is refused (CreateSession takes none); narrowing the hop on top works", async () => {
    const calls = ra.rolesAnywhere.calls.length;
    const scoped = await rolecred(["process", "ra", "--scope", "deny-iam"]);
    expect([scoped.exitCode, scoped.stdout]).toEqual([2, ""]);
    expect(scoped.stderr).toMatch(
      /^rolecred: profile "ra" assumes no role, so a session policy \(.*\) cannot apply to its session — narrow a profile with role_arn and source_profile = ra instead/,
    );
    const longer = await rolecred(["exec", "ra", "--duration", "2h", "--", "true"]);
    expect([longer.exitCode, longer.stderr]).toEqual([2, expect.stringContaining("--duration (set duration_seconds in the profile)")]);
    await writeFile(
      join(home, ".aws", "config"),
      `${await readFile(join(home, ".aws", "config"), "utf8")}[profile ra-scoped]\nrolecred_x509_certificate = ~/.pki/me.pem\nrolecred_x509_private_key = ~/.pki/me.key\nrolecred_x509_intermediates = ${pki.intermediatesPath}\nrolecred_x509_trust_anchor_arn = ${TRUST_ANCHOR_ARN}\nrolecred_x509_profile_arn = ${PROFILE_ARN}\nrole_arn = ${RA_ROLES.pipeline}\nrolecred_scopes = deny-iam\n`,
    );
    expect((await rolecred(["process", "ra-scoped"])).exitCode).toBe(2);
    expect(ra.rolesAnywhere.calls.length).toBe(calls);
    const hop = await rolecred(["process", "ra-admin", "--scope", "deny-iam"]);
    expect(hop.exitCode).toBe(0);
    const session = ra.world.sts.session((JSON.parse(hop.stdout) as { AccessKeyId: string }).AccessKeyId);
    expect(session?.policy).toContain("iam:");
  });

  it("a certificate profile missing a key is refused naming it (exit 3)", async () => {
    const result = await rolecred(["process", "ra-broken"]);
    expect([result.exitCode, result.stderr]).toEqual([3, expect.stringMatching(/^rolecred: profile "ra-broken": rolecred_x509_trust_anchor_arn is missing/)]);
  });

  it("--verbose describes the chain from the certificate", async () => {
    const result = await rolecred(["--verbose", "process", "ra-admin"]);
    expect(result.stderr).toContain(
      "profile ra-admin: x509 source of ra: certificate ~/.pki/me.pem through Roles Anywhere, role arn:aws:iam::111111111111:role/pipeline → AssumeRole arn:aws:iam::111111111111:role/admin for 3600s",
    );
  });
});

describe("docs/x509.md stays true", () => {
  const doc = readFileSync(join(REPO_ROOT, "docs", "x509.md"), "utf8");
  /** The first fenced block of `language` after `marker`. */
  const blockAfter = (marker: string, language: string): string => {
    const start = doc.indexOf(marker);
    const match = new RegExp("```" + language + "\\n([\\s\\S]*?)```").exec(doc.slice(start));
    if (start < 0 || match?.[1] === undefined) throw new Error(`no ${language} block after "${marker}" in docs/x509.md`);
    return match[1];
  };

  it("the walkthrough's openssl commands make a certificate that gets a session through the walkthrough's trust anchor", async () => {
    const dir = mkdtempSync(join(tmpdir(), "rolecred-walkthrough-"));
    execFileSync("bash", ["-euo", "pipefail", "-c", blockAfter("A CA with openssl", "sh")], { cwd: dir, stdio: "ignore" });
    const walkthrough = await startLocalRolesAnywhere({
      sts: ra.world.sts,
      region: RA_REGION,
      trustAnchors: [{ arn: TRUST_ANCHOR_ARN, certificatesPem: readFileSync(join(dir, "ca.pem"), "utf8") }],
      profiles: [{ arn: PROFILE_ARN, roleArns: [RA_ROLES.pipeline] }],
    });
    try {
      const inspect = await rolecred(["x509", "--inspect", "--certificate", join(dir, "me.pem")]);
      expect(inspect.stdout).toContain(`aws:PrincipalTag/x509Subject/CN = ${PIPELINE_CN}\n`);
      const result = await rolecred([
        "x509",
        "--certificate",
        join(dir, "me.pem"),
        "--private-key",
        join(dir, "me.key"),
        "--trust-anchor-arn",
        TRUST_ANCHOR_ARN,
        "--profile-arn",
        PROFILE_ARN,
        "--role-arn",
        RA_ROLES.pipeline,
        "--endpoint",
        walkthrough.url,
        "--profile",
        "p",
      ]);
      expect([result.exitCode, result.stderr]).toEqual([0, expect.stringContaining("p: assumed pipeline")]);
    } finally {
      await walkthrough.close();
    }
  });

  it("the walkthrough's trust policy passes rolecred lint; without its CN condition it is RC-TRUST-006", async () => {
    const policy = blockAfter("The role's trust policy", "json");
    const good = join(home, "trust.json");
    await writeFile(good, policy);
    const lint = await rolecred(["lint", good]);
    expect([lint.exitCode, lint.stdout]).toEqual([0, expect.not.stringContaining("RC-TRUST-00")]);
    const parsed = JSON.parse(policy) as { Statement: Array<{ Condition: Record<string, unknown> }> };
    delete parsed.Statement[0]?.Condition.StringEquals;
    const bad = join(home, "trust-no-cn.json");
    await writeFile(bad, JSON.stringify(parsed));
    const refused = await rolecred(["lint", bad]);
    expect([refused.exitCode, refused.stdout]).toEqual([1, expect.stringContaining("RC-TRUST-006")]);
  });
});
