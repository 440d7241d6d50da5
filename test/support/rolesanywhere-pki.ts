/**
 * Certificates for the Roles Anywhere tests, minted at test time with Debian's openssl: a root CA,
 * an intermediate, and leaves of every key type rolecred must accept or refuse. `openssl ca` signs
 * every certificate so that validity dates can be set exactly (an expired leaf, a leaf that is not
 * valid yet) without a fake clock.
 */
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export type KeySpec = "rsa2048" | "rsa4096" | "rsa1024" | "p256" | "p384" | "ed25519";

export interface Issued {
  /** PEM certificate file. */
  readonly certPath: string;
  readonly certPem: string;
  /** PEM private key file (PKCS#8, unencrypted). */
  readonly keyPath: string;
  /** Decimal serial number, as Roles Anywhere's credential scope carries it. */
  readonly serialDecimal: string;
}

export interface LeafOptions {
  readonly subject: string;
  readonly key?: KeySpec;
  /** openssl dates: YYYYMMDDHHMMSSZ. Default: one hour ago to thirty days ahead. */
  readonly notBefore?: string;
  readonly notAfter?: string;
  /** keyUsage value; default "critical,digitalSignature". */
  readonly keyUsage?: string;
  readonly subjectAltName?: string;
  /** Make a CA certificate (for intermediates). */
  readonly ca?: boolean;
}

function openssl(args: readonly string[], cwd: string): void {
  execFileSync("openssl", args, { cwd, stdio: ["ignore", "ignore", "pipe"] });
}

function keyArgs(spec: KeySpec): string[] {
  switch (spec) {
    case "rsa2048":
      return ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"];
    case "rsa4096":
      return ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:4096"];
    case "rsa1024":
      return ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024"];
    case "p256":
      return ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"];
    case "p384":
      return ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384"];
    case "ed25519":
      return ["-algorithm", "ED25519"];
  }
}

/** openssl's date form for `openssl ca -startdate/-enddate`. */
export function opensslDate(date: Date): string {
  return date
    .toISOString()
    .replace(/[-:T]/g, "")
    .replace(/\.\d{3}Z$/, "Z");
}

export class TestCa {
  private constructor(
    readonly dir: string,
    readonly name: string,
    readonly cert: Issued,
  ) {}

  /** A self-signed root CA (RSA 2048) in its own folder under `parent`. */
  static root(parent: string, name: string): TestCa {
    const dir = join(parent, name);
    mkdirSync(join(dir, "new"), { recursive: true });
    writeFileSync(join(dir, "index.txt"), "");
    const keyPath = join(dir, "ca.key");
    const certPath = join(dir, "ca.pem");
    openssl(["genpkey", ...keyArgs("rsa2048"), "-out", keyPath], dir);
    openssl(
      [
        "req",
        "-x509",
        "-new",
        "-key",
        keyPath,
        "-subj",
        `/O=Example/CN=${name}`,
        "-days",
        "3650",
        "-sha256",
        "-set_serial",
        `0x${randomBytes(8).toString("hex")}`,
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign,cRLSign",
        "-out",
        certPath,
      ],
      dir,
    );
    const certPem = readFileSync(certPath, "utf8");
    return new TestCa(dir, name, { certPath, certPem, keyPath, serialDecimal: "" });
  }

  /** An intermediate CA signed by this one, usable to issue leaves. */
  intermediate(name: string): TestCa {
    const dir = join(this.dir, name);
    mkdirSync(join(dir, "new"), { recursive: true });
    writeFileSync(join(dir, "index.txt"), "");
    const issued = this.issue(`intermediate-${name}`, { subject: `/O=Example/CN=${name}`, ca: true }, dir);
    return new TestCa(dir, name, issued);
  }

  /** A certificate for `subject`, signed by this CA. `file` names the files. */
  issue(file: string, options: LeafOptions, outDir = this.dir): Issued {
    const keyPath = join(outDir, `${file}.key`);
    const csrPath = join(outDir, `${file}.csr`);
    const certPath = join(outDir, `${file}.pem`);
    const extPath = join(outDir, `${file}.ext`);
    openssl(["genpkey", ...keyArgs(options.key ?? "p256"), "-out", keyPath], outDir);
    openssl(["req", "-new", "-key", keyPath, "-subj", options.subject, "-out", csrPath], outDir);
    const extensions = options.ca
      ? ["basicConstraints=critical,CA:TRUE", "keyUsage=critical,keyCertSign,cRLSign"]
      : [
          "basicConstraints=critical,CA:FALSE",
          `keyUsage=${options.keyUsage ?? "critical,digitalSignature"}`,
          ...(options.subjectAltName === undefined ? [] : [`subjectAltName=${options.subjectAltName}`]),
        ];
    writeFileSync(extPath, `[ext]\n${extensions.join("\n")}\n`);
    // Positive, 10 bytes, never a leading zero: the serial AWS puts in the credential scope.
    const serialBytes = randomBytes(10);
    serialBytes[0] = ((serialBytes[0] ?? 0) & 0x7f) | 0x10;
    const serialHex = serialBytes.toString("hex");
    writeFileSync(join(this.dir, "serial"), `${serialHex}\n`);
    const config = join(this.dir, "ca.cnf");
    writeFileSync(
      config,
      [
        "[ca]",
        "default_ca = local",
        "[local]",
        `database = ${join(this.dir, "index.txt")}`,
        `new_certs_dir = ${join(this.dir, "new")}`,
        `serial = ${join(this.dir, "serial")}`,
        "default_md = sha256",
        "policy = anything",
        "unique_subject = no",
        "[anything]",
        "countryName = optional",
        "stateOrProvinceName = optional",
        "localityName = optional",
        "organizationName = optional",
        "organizationalUnitName = optional",
        "commonName = optional",
        "",
      ].join("\n"),
    );
    const now = Date.now();
    openssl(
      [
        "ca",
        "-batch",
        "-config",
        config,
        "-in",
        csrPath,
        "-cert",
        this.cert.certPath,
        "-keyfile",
        this.cert.keyPath,
        "-out",
        certPath,
        "-notext",
        "-preserveDN",
        "-startdate",
        options.notBefore ?? opensslDate(new Date(now - 3600_000)),
        "-enddate",
        options.notAfter ?? opensslDate(new Date(now + 30 * 86_400_000)),
        "-extfile",
        extPath,
        "-extensions",
        "ext",
      ],
      outDir,
    );
    return { certPath, certPem: readFileSync(certPath, "utf8"), keyPath, serialDecimal: BigInt(`0x${serialHex}`).toString(10) };
  }
}

/** A fresh key of `spec` in `path` (for a certificate paired with the wrong key). */
export function writeKey(path: string, spec: KeySpec): void {
  openssl(["genpkey", ...keyArgs(spec), "-out", path], ".");
}
