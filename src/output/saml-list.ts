/** `rolecred saml --list`: what the assertion offers, as a table for people or JSON for scripts. */
import { formatDuration } from "../duration.js";
import { escapeControl } from "../log.js";
import type { SamlAssertion } from "../saml/assertion.js";
import { sessionDurationSeconds } from "../saml/readiness.js";
import { displayRoleName } from "../saml/choose-role.js";

function isoSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

export function samlListJson(assertion: SamlAssertion, aliases: ReadonlyMap<string, string>, now: Date): Record<string, unknown> {
  return {
    roles: assertion.roles.map((role) => ({
      account: role.account,
      ...(aliases.has(role.account) ? { alias: aliases.get(role.account) } : {}),
      roleName: role.roleName,
      roleArn: role.roleArn,
      principalArn: role.principalArn,
    })),
    sessionName: assertion.sessionName ?? null,
    sessionDuration: sessionDurationSeconds(assertion) ?? null,
    sourceIdentity: assertion.sourceIdentity ?? null,
    principalTags: assertion.principalTags,
    transitiveTagKeys: assertion.transitiveTagKeys,
    subject: assertion.nameId ?? null,
    issuer: assertion.issuer ?? null,
    audiences: assertion.audiences,
    recipient: assertion.recipient ?? null,
    issueInstant: assertion.issueInstant === undefined ? null : isoSeconds(assertion.issueInstant),
    notOnOrAfter: assertion.notOnOrAfter === undefined ? null : isoSeconds(assertion.notOnOrAfter),
    expired: assertion.notOnOrAfter !== undefined && assertion.notOnOrAfter.getTime() <= now.getTime(),
    signature: assertion.signature,
  };
}

export function samlListText(assertion: SamlAssertion, aliases: ReadonlyMap<string, string>, now: Date): string {
  // Every value below comes from the assertion or the config: shown with control characters escaped.
  // Plain loops, the widths taken as the rows are made: a 1,000-role assertion has 4,000 cells,
  // and this runs once, in the interpreter, where each callback and spread is paid per cell.
  const header = ["ACCOUNT", "ALIAS", "ROLE", "PROVIDER"];
  const widths = header.map((title) => title.length);
  const rows: string[][] = [header];
  for (const role of assertion.roles) {
    const row = [role.account, aliases.get(role.account) ?? "", displayRoleName(role), role.principalArn];
    for (let column = 0; column < row.length; column++) {
      const cell = escapeControl(row[column] ?? "", false);
      row[column] = cell;
      if (cell.length > (widths[column] ?? 0)) widths[column] = cell.length;
    }
    rows.push(row);
  }
  const table: string[] = [];
  for (const row of rows) {
    let line = "";
    for (let column = 0; column < row.length; column++) line += `${column === 0 ? "" : "  "}${(row[column] ?? "").padEnd(widths[column] ?? 0)}`;
    table.push(line.trimEnd());
  }
  const duration = sessionDurationSeconds(assertion);
  const validity =
    assertion.notOnOrAfter === undefined
      ? "no expiry in the assertion"
      : assertion.notOnOrAfter.getTime() <= now.getTime()
        ? `EXPIRED at ${isoSeconds(assertion.notOnOrAfter)}`
        : `${isoSeconds(assertion.notOnOrAfter)} (in ${formatDuration((assertion.notOnOrAfter.getTime() - now.getTime()) / 1000)})`;
  const tags = Object.entries(assertion.principalTags).map(([key, value]) => `${key}=${value}`);
  const details: Array<[string, string | undefined]> = [
    ["session name", assertion.sessionName],
    ["session duration", duration === undefined ? assertion.sessionDuration : `${duration}s (${formatDuration(duration)})`],
    ["source identity", assertion.sourceIdentity],
    ["principal tags", tags.length === 0 ? undefined : tags.join(", ")],
    ["transitive tag keys", assertion.transitiveTagKeys.length === 0 ? undefined : assertion.transitiveTagKeys.join(", ")],
    ["subject", assertion.nameId],
    ["issuer", assertion.issuer],
    ["audience", assertion.audiences.length === 0 ? undefined : assertion.audiences.join(", ")],
    ["valid until", validity],
    ["signature", assertion.signature === "verified" ? "verified against --idp-cert" : "not checked (STS checks it; --idp-cert checks it here first)"],
  ];
  const lines = details
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .map(([label, value]) => `${`${label}:`.padEnd(21)}${escapeControl(value, false)}`);
  return `${[...(assertion.roles.length === 0 ? ["(no AWS roles)"] : table), "", ...lines].join("\n")}\n`;
}
