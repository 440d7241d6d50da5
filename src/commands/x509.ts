/**
 * `rolecred x509`: certificate + key → pre-request checks → CreateSession → the same sinks as
 * `user` and `saml` (profile, exec, --json through ./deliver.ts), or credential_process JSON, or
 * (--inspect) nothing at all but what the certificate will tell AWS.
 */
import type { Deps } from "../deps.js";
import { SUCCESS, type Outcome } from "../outcome.js";
import type { DeliveryOptions } from "../session/options.js";
import { RolecredError } from "../errors.js";
import { renderProcessJson } from "../output/process-json.js";
import { sessionSummaryJson } from "../output/summary.js";
import { deliverSessions, precheckDelivery } from "../session/deliver.js";
import { checkValidity, signingAlgorithmFor } from "../x509/checks.js";
import { allowsDigitalSignature } from "../x509/der.js";
import { isPkcs12Path } from "../x509/bundle-path.js";
import { passphraseProvider } from "../x509/passphrase.js";
import { certificateIdentity, describeIdentity, identityJson } from "../x509/identity.js";
import { loadSigningMaterial, readCertificate } from "../x509/material.js";
import { createX509Session, prepareX509, type X509Request } from "../x509/session.js";

/** What the command does with the certificate. */
export type X509Mode =
  /** Offline: print what Roles Anywhere would see in the certificate, call nothing. */
  | { readonly kind: "inspect"; readonly json: boolean }
  /** credential_process JSON on stdout, as aws_signing_helper credential-process prints it. */
  | { readonly kind: "process" }
  | { readonly kind: "deliver"; readonly delivery: DeliveryOptions };

export interface X509Options {
  readonly mode: X509Mode;
  readonly certificatePath: string;
  /** Undefined for --inspect and for a PKCS#12 bundle (.p12/.pfx) as the certificate. */
  readonly privateKeyPath: string | undefined;
  readonly intermediatesPath: string | undefined;
  readonly trustAnchorArn: string | undefined;
  readonly profileArn: string | undefined;
  readonly roleArn: string | undefined;
  /** --session-duration or --duration; undefined: Roles Anywhere's default hour. */
  readonly durationSeconds: number | undefined;
  readonly region: string | undefined;
  readonly endpoint: string | undefined;
  readonly roleSessionName: string | undefined;
}

export async function runX509(options: X509Options, deps: Deps): Promise<Outcome> {
  const { mode } = options;
  if (mode.kind === "inspect") return inspect(options, mode.json, deps);
  const request = requestOf(options);
  if (mode.kind === "deliver" && mode.delivery.profile !== undefined) await precheckDelivery([mode.delivery.profile], mode.delivery, deps);
  const prepared = await prepareX509(request, deps);
  const session = await createX509Session(request, prepared, deps);
  if (mode.kind === "process") {
    deps.stdout.write(renderProcessJson(session.credentials));
    return SUCCESS;
  }
  const { delivery } = mode;
  // The summary with what the certificate carried: printed here, after the shared delivery step.
  const outcome = await deliverSessions([{ profile: delivery.profile, session }], { ...delivery, json: false }, deps);
  if (delivery.json && delivery.childCommand === undefined) {
    deps.stdout.write(`${JSON.stringify({ ...sessionSummaryJson(session, delivery.profile), certificate: identityJson(prepared.identity) }, null, 2)}\n`);
  }
  return outcome;
}

function requestOf(options: X509Options): X509Request {
  const { privateKeyPath, trustAnchorArn, profileArn, roleArn } = options;
  if (trustAnchorArn === undefined || profileArn === undefined || roleArn === undefined) {
    throw new RolecredError("internal: x509 options without the key or ARNs");
  }
  return {
    files: { certificatePath: options.certificatePath, privateKeyPath, intermediatesPath: options.intermediatesPath },
    arns: { trustAnchorArn, profileArn, roleArn },
    durationSeconds: options.durationSeconds,
    region: options.region,
    endpoint: options.endpoint,
    roleSessionName: options.roleSessionName,
  };
}

/**
 * Offline: the source identity and principal tags a trust policy's conditions can test, and, as
 * warnings, what would stop the certificate from being used (the key is not needed, except to
 * open a PKCS#12 bundle).
 */
async function inspect(options: X509Options, json: boolean, deps: Deps): Promise<Outcome> {
  const certificate = isPkcs12Path(options.certificatePath)
    ? (
        await loadSigningMaterial(
          { certificatePath: options.certificatePath, privateKeyPath: undefined, intermediatesPath: undefined },
          passphraseProvider(options.certificatePath, deps),
        )
      ).certificate
    : readCertificate(options.certificatePath);
  const identity = certificateIdentity(certificate);
  deps.stdout.write(json ? `${JSON.stringify(identityJson(identity), null, 2)}\n` : `${describeIdentity(identity).join("\n")}\n`);
  const problems = [
    () => checkValidity(certificate, deps.now()),
    () => signingAlgorithmFor(certificate.publicKey),
    () => {
      if (!allowsDigitalSignature(certificate.raw)) throw new RolecredError("the certificate's key usage does not include digitalSignature");
    },
  ];
  for (const check of problems) {
    try {
      check();
    } catch (error) {
      if (!(error instanceof RolecredError)) throw error;
      deps.log.warn(error.message.replace(/^the private key is/, "the certificate's key is"));
    }
  }
  return SUCCESS;
}
