/** The ~/.aws/config writer sso populate uses: a link stays a link, the mode stays, a bad file stays as it was. */
import { chmod, lstat, mkdtemp, readFile, readdir, stat, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { editConfigFile } from "../../src/store/config-file.js";

const CONFIG = "# mine\r\n[profile mine]\r\nregion = eu-west-1 ; keep\r\n";

describe("editConfigFile", () => {
  it("changes one section, keeping every other byte, the file's mode and a symlink to it", async () => {
    const dir = await mkdtemp(join(tmpdir(), "rolecred-config-"));
    const real = join(dir, "dotfiles-config");
    await writeFile(real, CONFIG);
    await chmod(real, 0o644);
    const link = join(dir, "config");
    await symlink(real, link);
    await editConfigFile(link, (document) => {
      document.upsertSection("profile new", [["sso_session", "corp"]]);
      return { result: undefined, changed: true };
    });
    expect((await lstat(link)).isSymbolicLink()).toBe(true);
    expect(await readFile(real, "utf8")).toBe(`${CONFIG}\r\n[profile new]\r\nsso_session = corp\r\n`);
    expect((await stat(real)).mode & 0o777).toBe(0o644);
    expect((await readdir(dir)).sort()).toEqual(["config", "dotfiles-config"]); // no lock or temp file left
  });

  it("creates a missing file 0600, and leaves a file it cannot parse untouched (exit 3)", async () => {
    const dir = await mkdtemp(join(tmpdir(), "rolecred-config-"));
    const fresh = join(dir, "aws", "config");
    await editConfigFile(fresh, (document) => {
      document.upsertSection("profile a", [["region", "us-east-1"]]);
      return { result: undefined, changed: true };
    });
    expect((await stat(fresh)).mode & 0o777).toBe(0o600);
    const broken = join(dir, "broken");
    await writeFile(broken, "[profile a]\nnot a line\n");
    await expect(editConfigFile(broken, () => ({ result: undefined, changed: true }))).rejects.toMatchObject({
      exitCode: 3,
      message: `cannot parse ${broken}, line 2: not a [section], a key = value line or a comment`,
    });
    expect(await readFile(broken, "utf8")).toBe("[profile a]\nnot a line\n");
  });
});
