/**
 * `rolecred x509`: certificate + key → pre-request checks → CreateSession → the same sinks as
 * `user` and `saml` (profile, exec, --json through ./deliver.ts), or credential_process JSON, or
 * (--inspect) nothing at all but what the certificate will tell AWS.
 */
import type { Deps } from "../deps.js";
import { SUCCESS, type Outcome } from "../cli/command.js";
import type { X509Options } from "../cli/x509.js";
import { RolecredError } from "../errors.js";
import { renderProcessJson } from "../output/process-json.js";
import { sessionSummaryJson } from "../output/summary.js";
import { deliverSessions, precheckDelivery } from "./deliver.js";
import { checkValidity } from "../x509/checks.js";
import { certificateIdentity, describeIdentity, identityJson } from "../x509/identity.js";
import { readCertificate } from "../x509/material.js";
import { createX509Session, prepareX509, type X509Request } from "../x509/session.js";

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

/** Offline: the source identity and principal tags a trust policy's conditions can test. */
function inspect(options: X509Options, json: boolean, deps: Deps): Outcome {
  const certificate = readCertificate(options.certificatePath);
  const identity = certificateIdentity(certificate);
  deps.stdout.write(json ? `${JSON.stringify(identityJson(identity), null, 2)}\n` : `${describeIdentity(identity).join("\n")}\n`);
  try {
    checkValidity(certificate, deps.now());
  } catch (error) {
    if (error instanceof RolecredError) deps.log.warn(error.message);
  }
  return SUCCESS;
}
