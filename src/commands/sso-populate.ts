/**
 * `rolecred sso populate --session NAME [--prefix P] [--region R] [--dry-run]`: one ~/.aws/config
 * profile per account and role the portal lists (src/sso/populate.ts decides, the config-file
 * writer writes). stdout lists each change, one line each; stderr the summary.
 */
import type { Deps } from "../deps.js";
import { SUCCESS, type Outcome } from "../outcome.js";
import { configFilePath } from "../paths.js";
import { readAwsFiles } from "../profiles/aws-files.js";
import { ssoSessionByName } from "../sso/config.js";
import { resolveSsoEndpoints } from "../sso/endpoints.js";
import { loginCommandFor, validAccessToken } from "../sso/access-token.js";
import { planPopulate, profileSection, type AccountRoles, type PopulateChange } from "../sso/populate.js";
import { editConfigFile, readConfigDocument } from "../store/config-file.js";
import type { IniDocument } from "../store/ini-document.js";

export interface SsoPopulateOptions {
  readonly session: string;
  readonly prefix: string;
  /** region = of the written profiles; default the session's sso_region. */
  readonly region: string | undefined;
  readonly dryRun: boolean;
}

function sectionsOf(document: IniDocument): Map<string, Map<string, string>> {
  const sections = new Map<string, Map<string, string>>();
  for (const name of document.sectionNames()) sections.set(name, document.section(name) ?? new Map<string, string>());
  return sections;
}

function describeChange(change: PopulateChange): string {
  if (change.kind === "remove") return `remove ${change.profile}`;
  const { planned } = change;
  const what = `${planned.profile} (${planned.roleName} in ${planned.accountId} ${planned.accountName})`;
  return change.kind === "skip" ? `skip ${what}: ${change.reason}` : `${change.kind} ${what}`;
}

function applyChanges(document: IniDocument, changes: readonly PopulateChange[]): boolean {
  let changed = false;
  for (const change of changes) {
    if (change.kind === "add" || change.kind === "update") {
      document.upsertSection(profileSection(change.planned.profile), change.planned.entries);
      changed = true;
    } else if (change.kind === "remove") {
      changed = document.removeSection(profileSection(change.profile)) || changed;
    }
  }
  return changed;
}

export async function runSsoPopulate(options: SsoPopulateOptions, deps: Deps): Promise<Outcome> {
  const session = ssoSessionByName(await readAwsFiles(deps.env), options.session);
  const path = configFilePath(deps.env);
  // The file must be writable as it stands before the portal is asked anything.
  await readConfigDocument(path);
  const token = await validAccessToken(session, deps);
  const endpoints = resolveSsoEndpoints(session.region, deps.env);
  const hint = `run \`${loginCommandFor(session)}\``;
  const { listAccounts, listAccountRoles } = await import("../sso/calls.js");
  const accounts: AccountRoles[] = [];
  for (const account of await listAccounts(endpoints, token.accessToken, hint)) {
    accounts.push({ ...account, roles: await listAccountRoles(endpoints, token.accessToken, account.accountId, hint) });
  }
  const request = { session: options.session, prefix: options.prefix, region: options.region ?? session.region, accounts };
  deps.log.verbose(`${session.label}: ${accounts.length} accounts, ${accounts.reduce((sum, account) => sum + account.roles.length, 0)} roles`);
  const changes = options.dryRun
    ? planPopulate(request, sectionsOf(await readConfigDocument(path)))
    : await editConfigFile(path, (document) => {
        // Planned again under the lock, on the file as it is now.
        const planned = planPopulate(request, sectionsOf(document));
        return { result: planned, changed: applyChanges(document, planned) };
      });
  for (const change of changes) if (change.kind !== "unchanged") deps.stdout.write(`${describeChange(change)}\n`);
  const count = (kind: PopulateChange["kind"]) => changes.filter((change) => change.kind === kind).length;
  deps.log.info(
    `${options.dryRun ? "would write" : "wrote"} ${path}: ${count("add")} added, ${count("update")} updated, ${count("remove")} removed, ${count("unchanged")} unchanged, ${count("skip")} skipped`,
  );
  return SUCCESS;
}
