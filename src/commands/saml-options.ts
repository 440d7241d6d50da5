/** What `rolecred saml` is asked to do: shared by the command line, the --list path and the assume path. */
import type { RoleSelector } from "../saml/choose-role.js";
import type { DeliveryOptions, SessionRequestOptions } from "../session/options.js";

export type SamlMode =
  | { readonly kind: "list"; readonly json: boolean }
  | { readonly kind: "assume"; readonly delivery: DeliveryOptions }
  | { readonly kind: "all-roles"; readonly profileTemplate: string; readonly delivery: DeliveryOptions };

export interface SamlOptions {
  readonly mode: SamlMode;
  readonly selector: RoleSelector;
  /** --idp-cert files: verify the signature before anything is sent. */
  readonly idpCertFiles: readonly string[];
  readonly session: SessionRequestOptions;
}
