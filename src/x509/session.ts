/**
 * A certificate → a role session, the one sequence `rolecred x509` and the config-profile source
 * (src/sources/x509.ts) share: read the files, check everything Roles Anywhere would refuse,
 * say what AWS will see (--verbose), sign, call CreateSession, and fall back to one hour, visibly,
 * when the profile or role allows less than was asked.
 */
import type { Deps } from "../deps.js";
import type { RoleSession } from "../credentials/types.js";
import { usageError } from "../errors.js";
import { DEFAULT_SESSION_SECONDS } from "../sts/limits.js";
import { checkRolesAnywhereArns, FLAG_NAMES, type ArnNames, type RolesAnywhereArns } from "./arns.js";
import { checkSigningMaterial, describeKey, type SigningAlgorithm } from "./checks.js";
import { createSession, RolesAnywhereRefusal } from "./create-session.js";
import { resolveRolesAnywhereEndpoint, type RolesAnywhereEndpoint } from "./endpoint.js";
import { certificateIdentity, describeIdentity, type CertificateIdentity } from "./identity.js";
import { loadSigningMaterial, type MaterialFiles, type SigningMaterial } from "./material.js";
import { passphraseProvider } from "./passphrase.js";

export interface X509Request {
  readonly files: MaterialFiles;
  readonly arns: RolesAnywhereArns;
  /** Undefined: Roles Anywhere's default hour. */
  readonly durationSeconds: number | undefined;
  /** --region: must be the trust anchor's region when given. */
  readonly region: string | undefined;
  /** --endpoint (or the profile's rolecred_x509_endpoint). */
  readonly endpoint: string | undefined;
  readonly roleSessionName: string | undefined;
  /** How the ARNs are named in messages: flags, or a profile's keys. */
  readonly names?: ArnNames | undefined;
}

export interface PreparedX509 {
  readonly material: SigningMaterial;
  readonly algorithm: SigningAlgorithm;
  readonly identity: CertificateIdentity;
  readonly endpoint: RolesAnywhereEndpoint;
}

/** Everything before the call: no request is sent if this throws. */
export async function prepareX509(request: X509Request, deps: Deps): Promise<PreparedX509> {
  const names = request.names ?? FLAG_NAMES;
  const location = checkRolesAnywhereArns(request.arns, names);
  if (request.region !== undefined && request.region !== location.region) {
    throw usageError(
      `--region ${request.region} differs from the trust anchor's region ${location.region}`,
      "Roles Anywhere must be asked in the region of the trust anchor and profile; drop --region",
    );
  }
  const endpoint = resolveRolesAnywhereEndpoint({ flag: request.endpoint, region: location.region }, deps.env);
  const material = await loadSigningMaterial(request.files, passphraseProvider(request.files.privateKeyPath ?? request.files.certificatePath, deps));
  const algorithm = checkSigningMaterial(material, deps.now());
  const identity = certificateIdentity(material.certificate);
  if (deps.log.isVerbose) {
    deps.log.verbose(
      `certificate ${request.files.certificatePath}: ${describeKey(material.privateKey)} key, signing with ${algorithm}${material.chain.length === 0 ? "" : `, ${material.chain.length} intermediate${material.chain.length > 1 ? "s" : ""}`}`,
    );
    deps.log.verbose("what Roles Anywhere will see (and the role's trust policy can test):");
    for (const line of describeIdentity(identity)) deps.log.verbose(`  ${line}`);
    deps.log.verbose(`CreateSession at ${endpoint.url} (from ${endpoint.from}), region ${endpoint.region}`);
  }
  return { material, algorithm, identity, endpoint };
}

/** CreateSession; a duration the profile or role refuses is retried once with the default hour. */
export async function createX509Session(request: X509Request, prepared: PreparedX509, deps: Deps): Promise<RoleSession> {
  const requested = request.durationSeconds ?? DEFAULT_SESSION_SECONDS;
  const call = (durationSeconds: number) =>
    createSession(
      prepared.endpoint,
      { ...request.arns, durationSeconds, roleSessionName: request.roleSessionName },
      prepared.material,
      prepared.algorithm,
      deps.now(),
    );
  let session: RoleSession;
  try {
    session = await call(requested);
  } catch (error) {
    const tooLong = error instanceof RolesAnywhereRefusal && error.errorType === "ValidationException" && /duration/i.test(error.serviceMessage);
    if (!tooLong || requested <= DEFAULT_SESSION_SECONDS) throw error;
    deps.log.warn(`Roles Anywhere refused ${requested}s (${error.serviceMessage}); retrying with ${DEFAULT_SESSION_SECONDS}s`);
    session = await call(DEFAULT_SESSION_SECONDS);
  }
  deps.secrets.add(session.credentials.secretAccessKey);
  deps.secrets.add(session.credentials.sessionToken);
  return session;
}
