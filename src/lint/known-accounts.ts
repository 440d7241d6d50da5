/**
 * `--known-accounts FILE`: the AWS accounts a user vouches for. Two shapes, in YAML or JSON:
 *
 *   # your own accounts: id → name
 *   "111111111111": prod
 *   "222222222222": { name: Datadog, vendor: true }   # a third party, written in the same map
 *
 *   # public known-vendor lists (fwdcloudsec/known_aws_accounts accounts.yaml): third parties
 *   - name: Datadog
 *     accounts: ["464622532012"]
 *     source: [...]          # ignored
 *     type: aws              # an account AWS itself runs (CloudTrail, ELB logs): no external ID to ask for
 *
 * YAML is read with the failsafe schema, where every scalar is a string: under YAML's usual
 * schemas `012345678901` would become the number 12345678901 and lose its leading zero.
 */
import { parseJson, JsonSyntaxError } from "../json-parse.js";
import { isAccountId } from "./principals.js";
import { isJsonObject } from "./policy.js";

export interface KnownAccount {
  readonly id: string;
  readonly name: string;
  /** Someone else's account: a vendor, a partner. Its roles should require sts:ExternalId. */
  readonly thirdParty: boolean;
  /** An account AWS runs for one of its services; such callers do not send an external ID. */
  readonly awsService: boolean;
}

export interface KnownAccounts {
  readonly byId: ReadonlyMap<string, KnownAccount>;
}

/** A known-accounts file rolecred cannot use; the message says where and why. */
export class KnownAccountsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "KnownAccountsError";
  }
}

/** An account id from a file: 12 digits; a JSON number gets its leading zeros back. */
function accountIdOf(value: unknown, where: string): string {
  const text = typeof value === "number" && Number.isInteger(value) && value >= 0 && value < 1e12 ? String(value).padStart(12, "0") : value;
  if (typeof text !== "string" || !isAccountId(text.trim())) {
    throw new KnownAccountsError(`${where}: ${JSON.stringify(value)} is not a 12-digit AWS account id`);
  }
  return text.trim();
}

function isTrue(value: unknown): boolean {
  return value === true || (typeof value === "string" && value.trim().toLowerCase() === "true");
}

function fromVendorList(items: readonly unknown[]): KnownAccount[] {
  return items.flatMap((item, index) => {
    const where = `item ${index + 1}`;
    if (!isJsonObject(item) || typeof item.name !== "string" || !Array.isArray(item.accounts)) {
      throw new KnownAccountsError(`${where}: expected {name: ..., accounts: [ids]}`);
    }
    const name = item.name;
    const awsService = typeof item.type === "string" && item.type.trim().toLowerCase() === "aws";
    return item.accounts.map((id) => ({ id: accountIdOf(id, `${where} (${name})`), name, thirdParty: true, awsService }));
  });
}

function fromAccountMap(map: Readonly<Record<string, unknown>>): KnownAccount[] {
  return Object.entries(map).map(([key, value]) => {
    const id = accountIdOf(key, `key ${JSON.stringify(key)}`);
    if (typeof value === "string") return { id, name: value, thirdParty: false, awsService: false };
    if (isJsonObject(value) && typeof value.name === "string") {
      return { id, name: value.name, thirdParty: isTrue(value.vendor) || isTrue(value.thirdParty) || isTrue(value.third_party), awsService: false };
    }
    throw new KnownAccountsError(`account ${id}: expected a name, or {name: ..., vendor: true}`);
  });
}

/** The accounts in one decoded file. */
export function knownAccountsFromDocument(value: unknown): KnownAccount[] {
  if (Array.isArray(value)) return fromVendorList(value);
  if (isJsonObject(value)) return fromAccountMap(value);
  if (value === null || value === undefined || value === "") return [];
  throw new KnownAccountsError("expected a map of account id → name, or a list of {name, accounts}");
}

/** Decode a file's text: JSON for `.json`, YAML (loaded only now) for anything else. */
export async function knownAccountsFromText(text: string, fileName: string): Promise<KnownAccount[]> {
  let value: unknown;
  if (fileName.toLowerCase().endsWith(".json")) {
    try {
      value = parseJson(text).value;
    } catch (error) {
      if (error instanceof JsonSyntaxError) throw new KnownAccountsError(`invalid JSON: ${error.message}`);
      throw error;
    }
  } else {
    const { parse, YAMLError } = await import("yaml");
    try {
      value = parse(text, { schema: "failsafe" }) as unknown;
    } catch (error) {
      if (error instanceof YAMLError) throw new KnownAccountsError(`invalid YAML: ${error.message.split("\n")[0] ?? error.message}`);
      throw error;
    }
  }
  return knownAccountsFromDocument(value);
}

/** Several files into one lookup. A later file's entry for the same id wins. */
export function mergeKnownAccounts(lists: readonly (readonly KnownAccount[])[]): KnownAccounts {
  const byId = new Map<string, KnownAccount>();
  for (const list of lists) for (const account of list) byId.set(account.id, account);
  return { byId };
}
