/**
 * STS's own parameter constraints (from the service model; see the STS API reference). The AWS
 * SDK for JavaScript sends whatever it is given, so rolecred checks these itself and says what is
 * wrong before anything is sent, instead of relaying a ValidationError after a wasted MFA code.
 */
import { usageError } from "../errors.js";

export const DURATION_LIMITS = {
  assumeRole: { min: 900, max: 43_200 },
  getSessionToken: { min: 900, max: 129_600 },
} as const;

/** Role chaining (a role session assuming a role) is capped at one hour by STS. */
export const CHAINED_SESSION_MAX_SECONDS = 3600;
export const DEFAULT_SESSION_SECONDS = 3600;

export const SESSION_NAME_PATTERN = /^[\w+=,.@-]{2,64}$/;
export const EXTERNAL_ID_PATTERN = /^[\w+=,.@:/-]{2,1224}$/;
export const MFA_SERIAL_PATTERN = /^[\w+=/:,.@-]{9,256}$/;
export const MFA_CODE_PATTERN = /^\d{6}$/;
export const SOURCE_IDENTITY_PATTERN = /^[\w+=,.@-]{2,64}$/;
export const TAG_KEY_PATTERN = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u;
export const TAG_VALUE_PATTERN = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{0,256}$/u;
export const MAX_TAGS = 50;
export const MAX_POLICY_ARNS = 10;
/** Inline session policy, plaintext: "can't exceed 2,048 characters". */
export const MAX_POLICY_CHARACTERS = 2048;
export const POLICY_CHARACTERS = /^[\u0009\u000A\u000D\u0020-\u00FF]+$/;

export function requireSessionName(name: string, where = "session name"): string {
  if (!SESSION_NAME_PATTERN.test(name)) {
    throw usageError(
      `invalid ${where} "${name}": STS accepts 2-64 characters of letters, digits and _+=,.@-`,
      "spaces and other characters are not allowed; e.g. jo.smith@example.com",
    );
  }
  return name;
}

export function requireExternalId(value: string): string {
  if (!EXTERNAL_ID_PATTERN.test(value)) {
    throw usageError("invalid --external-id: STS accepts 2-1224 characters of letters, digits and _+=,.@:/-");
  }
  return value;
}

export function requireMfaSerial(value: string): string {
  if (!MFA_SERIAL_PATTERN.test(value)) {
    throw usageError(
      `invalid MFA serial "${value}"`,
      "expected a virtual device ARN (arn:aws:iam::123456789012:mfa/NAME) or a hardware serial such as GAHT12345678",
    );
  }
  return value;
}

export function requireDurationIn(seconds: number, limits: { min: number; max: number }, flag = "--duration"): number {
  if (!Number.isInteger(seconds) || seconds < limits.min || seconds > limits.max) {
    throw usageError(`${flag} must be between ${limits.min} and ${limits.max} seconds (${limits.min / 60}m to ${limits.max / 3600}h), got ${seconds}`);
  }
  return seconds;
}

export function requireSourceIdentity(value: string): string {
  if (!SOURCE_IDENTITY_PATTERN.test(value) || value.toLowerCase().startsWith("aws:")) {
    throw usageError(`invalid source identity "${value}": 2-64 characters of letters, digits and _+=,.@-, not starting with aws:`);
  }
  return value;
}
