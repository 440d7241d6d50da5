/**
 * What a trust-policy principal is: anyone, a whole account, one IAM identity, an AWS service, a
 * SAML or OIDC identity provider. Written for principals as they appear in files, including
 * CloudFormation placeholders such as `arn:aws:iam::${AWS::AccountId}:root`.
 */
import type { Principal, TrustStatement } from "./policy.js";

/** How a CloudFormation template names the account the stack is deployed in. */
export const CFN_OWN_ACCOUNT = "${AWS::AccountId}";

/** One ARN field: a `${...}` placeholder (which may hold colons) or plain text. */
const FIELD = String.raw`(\$\{[^}]*\}|[^:]*)`;
const IAM_OR_STS_ARN = new RegExp(`^arn:${FIELD}:(iam|sts)::${FIELD}:(.+)$`, "i");
const ACCOUNT_ID = /^\d{12}$/;

export function isAccountId(text: string): boolean {
  return ACCOUNT_ID.test(text);
}

function isAwsPrincipal(principal: Principal): boolean {
  return principal.kind.toLowerCase() === "aws";
}

/** `"Principal": "*"` or `{"AWS": "*"}`: every AWS identity there is. */
export function isAnyonePrincipal(principal: Principal): boolean {
  return isAwsPrincipal(principal) && principal.value === "*";
}

export interface AccountOfPrincipal {
  /** 12 digits, or a placeholder such as `${AWS::AccountId}` in a template. */
  readonly account: string;
  /** `arn:aws:iam::ACCOUNT:root` or the bare id: every identity the account allows to call sts:AssumeRole. */
  readonly wholeAccount: boolean;
}

/** The account an AWS principal belongs to, or undefined for `*` and unique ids (AROA..., AIDA...). */
export function accountOfAwsPrincipal(principal: Principal): AccountOfPrincipal | undefined {
  if (!isAwsPrincipal(principal)) return undefined;
  const value = principal.value.trim();
  if (isAccountId(value)) return { account: value, wholeAccount: true };
  const match = IAM_OR_STS_ARN.exec(value);
  if (match === null) return undefined;
  const account = match[3] ?? "";
  const resource = match[4] ?? "";
  return { account, wholeAccount: (match[2] ?? "").toLowerCase() === "iam" && resource === "root" };
}

export function isServicePrincipal(principal: Principal, service: RegExp): boolean {
  return principal.kind.toLowerCase() === "service" && service.test(principal.value.trim());
}

export const ROLES_ANYWHERE_SERVICE = /^rolesanywhere\.amazonaws\.com(?:\.cn)?$/i;

function isFederated(principal: Principal): boolean {
  return principal.kind.toLowerCase() === "federated";
}

export function isSamlProviderPrincipal(principal: Principal): boolean {
  return isFederated(principal) && /^arn:[^:]*:iam::[^:]*:saml-provider\//i.test(principal.value.trim());
}

/** Web identity providers IAM knows by name, without an oidc-provider ARN. */
const BUILT_IN_WEB_IDENTITY_PROVIDERS: readonly string[] = ["cognito-identity.amazonaws.com", "accounts.google.com", "www.amazon.com", "graph.facebook.com"];

/**
 * The prefix of an OIDC principal's condition keys: `token.actions.githubusercontent.com` for
 * `arn:aws:iam::1:oidc-provider/token.actions.githubusercontent.com` (keys
 * `token.actions.githubusercontent.com:sub`), the name itself for built-in providers. Undefined
 * when the principal is not a web identity provider.
 */
export function oidcProviderOf(principal: Principal): string | undefined {
  if (!isFederated(principal)) return undefined;
  const value = principal.value.trim();
  const arn = /^arn:[^:]*:iam::(?:\$\{[^}]*\}|[^:]*):oidc-provider\/(.+)$/i.exec(value);
  if (arn !== null) return arn[1];
  const builtIn = BUILT_IN_WEB_IDENTITY_PROVIDERS.find((name) => name === value.toLowerCase());
  return builtIn;
}

/** The statement's principals, in the text a person reads: `AWS arn:aws:iam::1:root`. */
export function describePrincipal(principal: Principal): string {
  return principal.value === "*" && isAwsPrincipal(principal) ? '"*"' : principal.value;
}

export function awsPrincipalsOf(statement: TrustStatement): readonly Principal[] {
  return statement.principals.filter(isAwsPrincipal);
}

/** Is this ARN-like value one that names roles (`...:role/...`, `...:assumed-role/...`)? */
export function namesRole(arn: string): boolean {
  return /^arn:[^:]*:(?:iam|sts)::[^:]*:(?:role|assumed-role)\//i.test(arn);
}
