/**
 * Shells and terminals under attack (issue 9, items 12–18, and issue 10's compinit): hostile
 * profile names on TAB in real bash, zsh and fish, `assume`'s exit status and its pipeline trap,
 * no secrets on a real terminal, control characters shown escaped, MFA codes masked without
 * mangling account ids. Everything runs the built CLI against the local STS endpoint.
 */
import { readdir } from "node:fs/promises";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { REPO_ROOT, ROLECRED_BIN, runCli, runProcess, type CliResult } from "../support/run-cli.js";
import { ACCOUNT, MFA_SERIAL, ROLES, makeJoHome, startWorld, writeJoProfile, type World } from "../support/world.js";
import { runInPty } from "../support/pty.js";
import { createTestIdp, issueSamlResponse } from "../support/saml-idp.js";

/** Profile names that run code, glob or break out if a completion expands them. */
const HOSTILE_NAMES = ["p$(touch${IFS}pwned-dollar)", "p`touch${IFS}pwned-backtick`", "p*", "p'quote", 'p"dq', "p;touch${IFS}pwned-semicolon"];

const CONFIG = `
[profile dev]
role_arn = ${ROLES.developer}
source_profile = jo

[profile dev-session]
role_arn = ${ROLES.developer}
source_profile = jo
${HOSTILE_NAMES.map((name) => `\n[profile ${name}]\nregion = us-east-1\n`).join("")}
`;

let world: World;
let home: string;
let env: Record<string, string>;

beforeAll(async () => {
  world = await startWorld();
});
afterAll(async () => {
  await world.close();
});
beforeEach(async () => {
  // `assume` and the completions call `rolecred` by name, as it would be installed.
  ({ home, env } = await makeJoHome(world, { config: CONFIG, rolecredOnPath: true }));
});

async function rolecred(args: readonly string[], extraEnv: Record<string, string> = {}, stdin?: string): Promise<CliResult> {
  return runCli(args, { env: { ...env, ...extraEnv }, stdin });
}

/** Warm the cache for dev (one MFA code) and return its credentials. */
async function warmDev(): Promise<{ AccessKeyId: string; SecretAccessKey: string; SessionToken: string }> {
  const result = await rolecred(["process", "dev"], { ROLECRED_MFA_TOKEN: world.nextMfaCode() });
  expect(result.exitCode).toBe(0);
  return JSON.parse(result.stdout) as { AccessKeyId: string; SecretAccessKey: string; SessionToken: string };
}

/** Run a shell script with HOME as the working folder, where a hostile name would `touch` its files. */
async function shell(path: string, args: readonly string[], extraEnv: Record<string, string> = {}): Promise<{ stdout: string; stderr: string; code: number }> {
  const result = await runProcess(path, args, { env: { ...env, ...extraEnv }, cwd: home });
  return { stdout: result.stdout, stderr: result.stderr, code: result.exitCode ?? -1 };
}

const pwnedFiles = async () => (await readdir(home)).filter((name) => name.startsWith("pwned"));

describe("completion never expands profile names (item 12)", () => {
  it("bash: TAB on `rolecred env p` and `assume p` offers each name quoted, and runs nothing", async () => {
    const complete = (words: readonly string[], functionName: string) =>
      `COMP_WORDS=(${words.map((word) => `'${word}'`).join(" ")}); COMP_CWORD=${words.length - 1}; ${functionName}; printf '%s\\n' "\${COMPREPLY[@]}"; echo ---;`;
    const script = `eval "$(rolecred shell-init bash)"; ${complete(["rolecred", "env", "p"], "_rolecred_complete")} ${complete(["assume", "p"], "_rolecred_assume_complete")}`;
    const { stdout, code } = await shell("/bin/bash", ["-c", script]);
    expect(code).toBe(0);
    const [forRolecred, forAssume] = stdout.split("---\n");
    // What readline inserts is the %q-quoted word: bash reads it back as the literal name.
    const quoted = (await shell("/bin/bash", ["-c", `printf '%q\\n' ${HOSTILE_NAMES.map((name) => `'${name.replaceAll("'", "'\\''")}'`).join(" ")}`])).stdout;
    const expected = quoted.trim().split("\n").sort();
    expect(forRolecred?.trim().split("\n").sort()).toEqual(expected);
    expect(forAssume?.trim().split("\n").sort()).toEqual(expected);
    const roundTrip = (await shell("/bin/bash", ["-c", `for word in ${expected.join(" ")}; do printf '%s\\n' "$word"; done`])).stdout;
    expect(roundTrip.trim().split("\n").sort()).toEqual([...HOSTILE_NAMES].sort());
    expect(await pwnedFiles()).toEqual([]);
  });

  it("bash: commands and flags still complete", async () => {
    const complete = async (words: string[]) => {
      const script = `eval "$(rolecred shell-init bash)"; COMP_WORDS=(${words.map((word) => `'${word}'`).join(" ")}); COMP_CWORD=${words.length - 1}; _rolecred_complete; echo "\${COMPREPLY[@]}"`;
      return (await shell("/bin/bash", ["-c", script])).stdout.trim().split(" ");
    };
    expect(await complete(["rolecred", "pro"])).toEqual(["process", "profiles"]);
    expect(await complete(["rolecred", "env", "dev"])).toEqual(["dev", "dev-session"]);
    expect(await complete(["rolecred", "exec", "dev", "--mfa-"])).toEqual(["--mfa-token", "--mfa-mode"]);
  });

  it("zsh: the completion, run as bashcompinit runs it, offers the names and runs nothing", async () => {
    // bashcompinit's _bash_complete sets COMP_WORDS/COMP_CWORD, calls `compgen -F`, and hands
    // compadd the matches with one level of quoting removed, ${(Q)...}: what is inserted.
    const script = `eval "$(rolecred shell-init zsh)"; COMP_WORDS=(rolecred env p); COMP_CWORD=2; matches=(\${(f)"$(compgen -F _rolecred_complete -- p)"}); print -rl -- \${(Q)matches}`;
    const { stdout, code } = await shell("/usr/bin/zsh", ["-f", "-c", script]);
    expect(code).toBe(0);
    expect(stdout.trim().split("\n").sort()).toEqual([...HOSTILE_NAMES].sort());
    expect(await pwnedFiles()).toEqual([]);
  });

  it("fish: `complete -C` offers the names literally and runs nothing", async () => {
    const script = "rolecred shell-init fish | source; complete -C 'assume p'; echo ---; complete -C 'rolecred env p'";
    const { stdout, code } = await shell("/usr/bin/fish", ["--no-config", "-c", script]);
    expect(code).toBe(0);
    const [forAssume, forRolecred] = stdout.split("---\n");
    expect(forAssume?.trim().split("\n").sort()).toEqual([...HOSTILE_NAMES].sort());
    expect(forRolecred?.trim().split("\n").sort()).toEqual([...HOSTILE_NAMES].sort());
    expect(await pwnedFiles()).toEqual([]);
  });
});

describe("assume returns 0 on success in every shell (item 14)", () => {
  it.each([
    ["bash", "/bin/bash", ["-c"]],
    ["zsh", "/usr/bin/zsh", ["-f", "-c"]],
  ])("%s: `assume dev && ...` runs", async (name, path, flags) => {
    const credentials = await warmDev();
    const { stdout } = await shell(path, [...flags, `eval "$(rolecred shell-init ${name})"; assume dev && echo "ok $AWS_ACCESS_KEY_ID"; echo "status $?"`]);
    expect(stdout.trim().split("\n")).toEqual([`ok ${credentials.AccessKeyId}`, "status 0"]);
  });

  it("fish: `assume dev; and ...` runs, and so does `rolecred env dev | source; and ...`", async () => {
    const credentials = await warmDev();
    const script =
      "rolecred shell-init fish | source; assume dev; and echo ok $AWS_ACCESS_KEY_ID; echo status $status; rolecred env dev --shell fish | source; and echo sourced";
    const { stdout } = await shell("/usr/bin/fish", ["--no-config", "-c", script]);
    expect(stdout.trim().split("\n")).toEqual([`ok ${credentials.AccessKeyId}`, "status 0", "sourced"]);
  });

  it("fish: a failed assume still fails", async () => {
    const { stdout } = await shell("/usr/bin/fish", ["--no-config", "-c", "rolecred shell-init fish | source; assume nope 2>/dev/null; echo status $status"]);
    expect(stdout.trim()).toBe("status 3");
  });
});

describe("a code piped into assume (item 15)", () => {
  it("bash refuses before rolecred runs (the exports would die with the pipeline's subshell), naming the ways that work", async () => {
    const mark = world.sts.calls.length;
    const { stdout, stderr } = await shell("/bin/bash", [
      "-c",
      `eval "$(rolecred shell-init bash)"; echo ${world.nextMfaCode()} | assume dev --mfa-token -; echo "status $? \${AWS_ACCESS_KEY_ID-unset}"; echo ${world.nextMfaCode()} | assume dev --mfa-token=-; echo "status $?"`,
    ]);
    expect(stdout.trim().split("\n")).toEqual(["status 2 unset", "status 2"]);
    expect(stderr).toContain("ROLECRED_MFA_TOKEN=CODE");
    expect(stderr).toContain("--mfa-token CODE");
    expect(world.sts.calls.slice(mark)).toEqual([]); // no code spent
  });

  it("bash: the ways named work, and assume in a plain subshell is not refused", async () => {
    const { stdout } = await shell("/bin/bash", [
      "-c",
      `eval "$(rolecred shell-init bash)"; ROLECRED_MFA_TOKEN=${world.nextMfaCode()} assume dev; echo "$ROLECRED_PROFILE"; (assume dev --refresh --mfa-token ${world.nextMfaCode()} && echo "sub $ROLECRED_PROFILE")`,
    ]);
    expect(stdout.trim().split("\n")).toEqual(["dev", "sub dev"]);
  });

  it("zsh runs a pipeline's last command in the current shell: `echo CODE | assume dev --mfa-token -` works", async () => {
    const { stdout, code } = await shell("/usr/bin/zsh", [
      "-f",
      "-c",
      `eval "$(rolecred shell-init zsh)"; echo ${world.nextMfaCode()} | assume dev --mfa-token -; echo "status $? $ROLECRED_PROFILE"`,
    ]);
    expect(code).toBe(0);
    expect(stdout.trim()).toBe("status 0 dev");
  });
});

describe("zsh shell-init and compinit (issue 10, bug 4)", () => {
  // compinit reloads its dump, which resets _comps: a marker set in _comps survives only if
  // compinit did not run again.
  it("does not run compinit again when completion is initialised, and still registers the completions", async () => {
    const script = [
      "autoload -U compinit && compinit -u",
      "_comps[rolecred-test-marker]=kept",
      'eval "$(rolecred shell-init zsh)"',
      'eval "$(rolecred shell-init zsh)"',
      'print -r -- "marker=${_comps[rolecred-test-marker]-gone} rolecred=${_comps[rolecred]} assume=${_comps[assume]}"',
    ].join("; ");
    const { stdout, code } = await shell("/usr/bin/zsh", ["-f", "-c", script]);
    expect(code).toBe(0);
    expect(stdout.trim()).toBe("marker=kept rolecred=_bash_complete -F _rolecred_complete assume=_bash_complete -F _rolecred_assume_complete");
  });

  it("runs compinit itself in a shell that has not", async () => {
    const { stdout } = await shell("/usr/bin/zsh", [
      "-f",
      "-c",
      `eval "$(rolecred shell-init zsh)"; print -r -- "\${+functions[compdef]} \${_comps[rolecred]}"`,
    ]);
    expect(stdout.trim()).toBe("1 _bash_complete -F _rolecred_complete");
  });
});

describe("no secrets on a terminal (item 16)", () => {
  it.each([["assume"], ["env"]])("`rolecred %s dev` typed on a terminal prints directions, not the cached session, and exits 2", async (command) => {
    const credentials = await warmDev(); // a cached session: the fast path would have printed it
    const terminal = runInPty(process.execPath, [ROLECRED_BIN, command, "dev", "--shell", "bash"], { env, cwd: REPO_ROOT });
    const { exitCode } = await terminal.exited;
    const screen = terminal.screen();
    expect(exitCode).toBe(2);
    expect(screen).toContain("not printing dev's credentials to a terminal");
    expect(screen).toContain('eval "$(rolecred shell-init bash)"');
    expect(screen).toContain('eval "$(rolecred env dev)"');
    expect(screen).not.toContain(credentials.SecretAccessKey);
    expect(screen).not.toContain(credentials.SessionToken);
    expect(screen).not.toContain("AWS_SECRET_ACCESS_KEY");
  });

  it("refuses on a terminal before asking for a code or calling STS", async () => {
    const mark = world.sts.calls.length;
    const terminal = runInPty(process.execPath, [ROLECRED_BIN, "env", "dev", "--shell", "fish"], { env, cwd: REPO_ROOT });
    expect((await terminal.exited).exitCode).toBe(2);
    expect(terminal.screen()).not.toContain("MFA code");
    expect(terminal.screen()).toContain("rolecred shell-init fish | source");
    expect(world.sts.calls.slice(mark)).toEqual([]);
  });

  it("--show-secrets prints the exports on a terminal", async () => {
    const credentials = await warmDev();
    const terminal = runInPty(process.execPath, [ROLECRED_BIN, "env", "dev", "--shell", "bash", "--show-secrets"], { env, cwd: REPO_ROOT });
    expect((await terminal.exited).exitCode).toBe(0);
    expect(terminal.screen()).toContain(`export AWS_SECRET_ACCESS_KEY='${credentials.SecretAccessKey}'`);
  });

  it('stdout a pipe (eval "$(rolecred env dev)") still gets the exports, with a terminal attached', async () => {
    const credentials = await warmDev();
    const terminal = runInPty("/bin/bash", ["-c", `eval "$(rolecred env dev --shell bash)"; echo "got $AWS_ACCESS_KEY_ID"`], { env, cwd: REPO_ROOT });
    expect((await terminal.exited).exitCode).toBe(0);
    expect(terminal.screen()).toContain(`got ${credentials.AccessKeyId}`);
  });
});

describe("control characters are shown escaped (item 17)", () => {
  const hostile = "evil\u001b]52;c;cHduZWQ=\u0007\u009b31m\u202e";

  it("a profile name typed on the command line", async () => {
    const result = await rolecred(["env", hostile, "--shell", "bash"]);
    expect(result.exitCode).not.toBe(0);
    expect(result.stderr).toContain("evil\\x1b]52;c;cHduZWQ=\\x07\\x9b31m\\u202e");
    expect(result.stderr).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202e]/);
  });

  it("a profile name from ~/.aws/config, in an error and in the profiles table", async () => {
    const name = "evil\u001bPtitle\u0007x";
    await writeJoProfile(home, `\n[profile ${name}]\nrole_arn = ${ROLES.developer}\nsource_profile = nobody\n`);
    // Such a name cannot be a profile anyone uses: refused as a usage error, shown escaped.
    const failed = await rolecred(["env", name, "--shell", "bash"]);
    expect(failed.exitCode).toBe(2);
    expect(failed.stderr).toContain("evil\\x1bPtitle\\x07x");
    expect(failed.stderr).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
    const table = await rolecred(["profiles"]);
    expect(table.stdout).toContain("evil\\x1bPtitle\\x07x");
    expect(table.stdout).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
  });

  it("an unknown flag echoed by the parser", async () => {
    const result = await rolecred(["status", "--\u001b[2Jwipe"]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain("--\\x1b[2Jwipe");
    expect(result.stderr).not.toContain("\u001b");
  });

  it("SAML values in `saml --list` and in errors", async () => {
    const idp = createTestIdp("https://idp.rolecred.test/saml");
    // XML 1.0 allows C1 controls and bidi overrides as characters: a hostile IdP can send them.
    const response = issueSamlResponse(idp, {
      roles: [{ roleArn: ROLES.developer, providerArn: `arn:aws:iam::${ACCOUNT}:saml-provider/TestIdP` }],
      nameId: "jo\u009b2J\u202e@example.com",
      sessionName: "jo\u009b31m",
    });
    const listed = await rolecred(["saml", "--list"], {}, response);
    expect(listed.exitCode).toBe(0);
    expect(listed.stdout).toContain("jo\\x9b2J\\u202e@example.com");
    expect(listed.stdout).toContain("jo\\x9b31m");
    expect(listed.stdout).not.toMatch(/[\u007f-\u009f\u202e]/);
    const used = await rolecred(["saml", "--role-arn", ROLES.developer, "--profile", "x"], {}, response);
    expect(used.exitCode).not.toBe(0);
    expect(used.stderr).toContain("jo\\x9b31m");
    expect(used.stderr).not.toMatch(/[\u007f-\u009f]/);
  });
});

describe("MFA codes are masked as codes, not inside account ids (item 18)", () => {
  it("a rejected code 111111 leaves the MFA device's ARN (account 111111111111) readable", async () => {
    expect(ACCOUNT).toBe("111111111111");
    const result = await rolecred(["env", "dev", "--shell", "bash", "--mfa-token", "111111"]);
    expect(result.exitCode).toBe(4);
    expect(result.stderr).toBe(
      `rolecred: STS rejected the MFA code for ${MFA_SERIAL}: it is wrong or was already used — each code works only once: wait for the next code and try again\n`,
    );
  });
});
