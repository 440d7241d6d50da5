/**
 * A credential source: where a profile chain starts when it does not start from keys in the
 * credentials file. One file per source (X.509 Roles Anywhere, the OS keyring, Identity Center,
 * credential_process), each registered once in ./registry.ts, so a new source plugs in without
 * touching the resolver's core — as granted's assumers and the AWS SDK's `resolve*` guards do.
 *
 * The resolver (src/profiles/resolve.ts) only asks {@link CredentialSource.applies} and
 * {@link CredentialSource.validate}: pure questions about a profile's settings. The fast path
 * computes {@link CredentialSource.cacheKey} to find a cached session without loading anything
 * heavy. Only {@link CredentialSource.link}'s `obtain()` does I/O, and a source imports its heavy
 * modules (SDK clients, crypto, native bindings) inside it, so a source file costs nothing to
 * load on paths that do not use it.
 */
import type { Link, LinkContext } from "../credentials/link.js";

/** A profile whose settings a registered source claimed, as the base of a chain. */
export interface RegisteredSourceBase {
  readonly kind: "registered";
  readonly source: CredentialSource;
  /** The profile holding the source's settings. */
  readonly profile: string;
  readonly settings: ReadonlyMap<string, string>;
  /** The profile's mfa_serial, when the source yields long-term keys that MFA applies to. */
  readonly mfaSerial: string | undefined;
}

export interface CredentialSource {
  /** Short name for messages and --verbose: "x509", "keyring", "sso", "process". */
  readonly name: string;
  /**
   * True when the source yields an IAM user's long-term keys (keyring): the chain then treats it
   * as it treats keys in the credentials file (a GetSessionToken in front for a keys-only
   * profile, MFA on the first hop, no chaining cap on it). False: it yields a session.
   */
  readonly longTermKeys: boolean;
  /** Does this profile's settings make it this source? (The SDK's "tryNextLink" question.) */
  applies(settings: ReadonlyMap<string, string>): boolean;
  /**
   * Checks the settings without I/O; throws a RolecredError (exit 3) naming the profile and the
   * key when one is missing or malformed. Called when the chain is resolved, before any call.
   */
  validate(profile: string, settings: ReadonlyMap<string, string>): void;
  /** What the source would produce, from the settings alone: the session cache's key. */
  cacheKey(base: RegisteredSourceBase): string;
  /** The link that obtains the credentials; heavy modules are imported inside `obtain()`. */
  link(base: RegisteredSourceBase, context: LinkContext): Link;
  /** One phrase for --verbose's chain description: "certificate ~/.pki/me.pem". */
  describe(base: RegisteredSourceBase): string;
}
