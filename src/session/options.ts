/**
 * What a session request says, once argv has been read: the options the session-making commands
 * share (user, saml and the profile commands). Types only: src/cli fills them from flags, the
 * commands and src/session read them.
 */
import type { MfaCodeInput } from "../mfa/code.js";
import type { PolicySource } from "../policy/session-policy.js";
import type { Scope } from "../policy/scopes.js";
import type { MfaMode } from "../profiles/resolve.js";
import type { SessionTag } from "../sts/api.js";

export interface SessionRequestOptions {
  /** --duration in seconds; undefined lets the source decide (STS default, SAML SessionDuration). */
  readonly durationSeconds: number | undefined;
  readonly region: string | undefined;
  readonly policy: PolicySource | undefined;
  readonly policyArns: readonly string[];
  /** --scope: built-in narrowing templates, intersected with the policy (see policy/compose.ts). */
  readonly scopes: readonly Scope[];
}

/** Session tags, transitive keys, source identity and the guards: AssumeRole only (SAML takes them from the assertion). */
export interface SessionIdentityOptions {
  readonly tags: readonly SessionTag[];
  readonly transitiveTagKeys: readonly string[];
  /** A name, or "auto" for the caller's own user name. */
  readonly sourceIdentity: string | undefined;
  /** Turn the abuse-pattern warnings into errors. */
  readonly strict: boolean;
}

/**
 * Where credentials go: a profile in the credentials file, a child process, or (saml --all-roles)
 * one profile per role named by a template. One kind at a time: the type cannot hold a profile
 * and a command side by side, or neither.
 */
export type DeliveryOptions =
  | (DeliveryFlags & { readonly to: "profile"; readonly profile: string; readonly childCommand?: undefined })
  | (DeliveryFlags & { readonly to: "childCommand"; readonly childCommand: readonly string[]; readonly profile?: undefined })
  | (DeliveryFlags & { readonly to: "allRoles"; readonly profile?: undefined; readonly childCommand?: undefined });

interface DeliveryFlags {
  /** Also print the session summary (no secrets) as JSON on stdout. */
  readonly json: boolean;
  /** Overwrite a profile that holds long-term keys. */
  readonly force: boolean;
}

export interface ProfileRequestOptions {
  readonly profile: string;
  readonly mfaCode: MfaCodeInput;
  readonly mfaMode: MfaMode | undefined;
  readonly refresh: boolean;
  readonly session: SessionRequestOptions;
  readonly identity: SessionIdentityOptions;
}
