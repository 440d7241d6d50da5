/**
 * A record cut short (a crash after its rename, before all its bytes reached the disk: records are
 * renamed in where none is, and not synced; or a user's hand) must never be shown or believed:
 * the listing is then what a listing with nothing remembered prints.
 */
import { mkdirSync, readFileSync, renameSync, statSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Env } from "../../src/deps.js";
import { renderProfiles, settingsShownBy, type ProfilesFormat } from "../../src/output/profiles.js";
import { readProfileListing } from "../../src/profiles/aws-files.js";
import { profilesListingText } from "../../src/profiles/remembered-listing.js";
import { identityOfStats } from "../../src/store/file-identity.js";
import { noteCredentialsWrite } from "../../src/store/listing-notes.js";
import { makeTempHome } from "../support/run-cli.js";

const later = () => new Date(Date.now() + 5_000);

async function newHome(): Promise<{ home: string; env: Env; cache: string; credentials: string; config: string }> {
  const home = await makeTempHome();
  mkdirSync(join(home, ".aws"), { recursive: true, mode: 0o700 });
  const cache = join(home, "cache");
  return { home, env: { HOME: home, ROLECRED_CACHE_DIR: cache }, cache, credentials: join(home, ".aws", "credentials"), config: join(home, ".aws", "config") };
}

const fresh = (env: Env, format: ProfilesFormat) => renderProfiles(readProfileListing(env, settingsShownBy(format)), format);

/** The record cut to its first line and `keep` bytes of what follows. */
function cutAfterHeader(path: string, keep: (body: string) => number): void {
  const record = readFileSync(path, "utf8");
  const bodyStart = record.indexOf("\n") + 1;
  truncateSync(path, Buffer.byteLength(record.slice(0, bodyStart)) + Buffer.byteLength(record.slice(bodyStart, bodyStart + keep(record.slice(bodyStart)))));
}

describe("a remembered record cut short", () => {
  it("a listing's text record cut within a line or at one's end is not printed", async () => {
    const home = await newHome();
    writeFileSync(home.config, "[profile dev]\nregion = eu-west-1\nrole_arn = arn:aws:iam::111111111111:role/Dev\n");
    writeFileSync(home.credentials, "[jo]\naws_access_key_id = AKIA1\n[org-1]\naws_access_key_id = AKIA2\nregion = us-east-1\n");
    for (const format of ["names", "table", "json"] as const) {
      for (const keep of [(body: string) => Math.floor(body.length / 2), (body: string) => body.indexOf("\n") + 1]) {
        expect(profilesListingText(home.env, format, later())).toBe(fresh(home.env, format));
        cutAfterHeader(join(home.cache, `profiles-${format}.listing`), keep);
        expect(profilesListingText(home.env, format, later()), format).toBe(fresh(home.env, format));
      }
    }
  });

  it("a config part cut short is not taken for the config file's sections when a row is patched", async () => {
    const home = await newHome();
    writeFileSync(home.config, "[profile dev]\nregion = eu-west-1\n[profile jo]\nregion = from-config\n");
    writeFileSync(home.credentials, "[jo]\naws_access_key_id = AKIA1\n[org-1]\naws_access_key_id = AKIA2\n");
    expect(profilesListingText(home.env, "table", later())).toBe(fresh(home.env, "table"));
    // The config part cut before jo's line (its last), the text left whole.
    cutAfterHeader(join(home.cache, "profiles-config-shown.part"), (body) => body.indexOf('["profile jo"'));
    // Another program changes jo's section: its row is made again, with the config file's region.
    writeFileSync(home.credentials, "[jo]\naws_access_key_id = AKIA1\nmfa_serial = arn:aws:iam::111111111111:mfa/jo\n[org-1]\naws_access_key_id = AKIA2\n");
    const table = profilesListingText(home.env, "table", later());
    expect(table).toMatch(/^jo +.*from-config$/m);
    expect(table).toBe(fresh(home.env, "table"));
  });

  it("a credentials part cut short is not taken to say a noted removal changes nothing", async () => {
    const home = await newHome();
    writeFileSync(home.credentials, "[jo]\naws_access_key_id = AKIA1\n[zz]\naws_access_key_id = AKIA2\n");
    expect(profilesListingText(home.env, "names", later())).toBe("jo\nzz\n");
    const before = identityOfStats(statSync(home.credentials, { bigint: true }));
    // The credentials part cut before zz's line, the text left whole.
    cutAfterHeader(join(home.cache, "profiles-credentials-names.part"), (body) => body.indexOf('["zz"'));
    // A write (renamed in, noted) removes zz.
    const replacement = join(home.home, ".aws", "credentials.new");
    writeFileSync(replacement, "[jo]\naws_access_key_id = AKIA1\n");
    renameSync(replacement, home.credentials);
    noteCredentialsWrite(home.cache, home.credentials, before, identityOfStats(statSync(home.credentials, { bigint: true })), [["zz", undefined]]);
    expect(profilesListingText(home.env, "names", later())).toBe("jo\n");
  });
});
