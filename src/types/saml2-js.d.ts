/**
 * The part of saml2-js (4.x, CoffeeScript, untyped) rolecred uses. `ignore_signature` and
 * `ignore_timing` are undocumented options of post_assert (see the saml2-js source); rolecred
 * checks timing itself, against its own clock, for a clearer message.
 */
declare module "saml2-js" {
  export interface ServiceProviderOptions {
    entity_id: string;
    assert_endpoint: string;
    private_key?: string;
    certificate?: string;
    allow_unencrypted_assertion?: boolean;
    audience?: string | RegExp;
    notbefore_skew?: number;
  }
  export interface IdentityProviderOptions {
    sso_login_url: string;
    sso_logout_url: string;
    certificates: string[];
  }
  export interface PostAssertOptions {
    request_body: { SAMLResponse: string };
    allow_unencrypted_assertion?: boolean;
    require_session_index?: boolean;
    ignore_signature?: boolean;
    ignore_timing?: boolean;
    audience?: string | RegExp;
    notbefore_skew?: number;
  }
  export interface SamlUser {
    name_id?: string | null;
    session_index?: string;
    session_not_on_or_after?: string;
    attributes: Record<string, string[]>;
  }
  export interface PostAssertResponse {
    type: string;
    user: SamlUser;
  }
  export class IdentityProvider {
    constructor(options: IdentityProviderOptions);
  }
  export class ServiceProvider {
    constructor(options: ServiceProviderOptions);
    post_assert(idp: IdentityProvider, options: PostAssertOptions, callback: (error: Error | null, response: PostAssertResponse) => void): void;
  }
}
