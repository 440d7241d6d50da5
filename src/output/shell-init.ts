/**
 * What `eval "$(rolecred shell-init bash)"` defines: an `assume` function that evals
 * `rolecred assume` in the current shell (a child process cannot change its parent's environment),
 * completion of commands, flags and profile names (`rolecred profiles --names`), and with
 * `--auto-renew` a prompt hook that renews the exported session from the cache before it expires.
 */
export const INIT_SHELLS = ["bash", "zsh", "fish", "powershell"] as const;
export type InitShell = (typeof INIT_SHELLS)[number];

export interface CompletionCommand {
  readonly name: string;
  readonly aliases: readonly string[];
  readonly flags: readonly string[];
  /** Its first argument is a profile name. */
  readonly takesProfile: boolean;
}

/**
 * bash completion (zsh runs it through bashcompinit). Candidates are never given to
 * `compgen -W`: it expands its word list, so a profile named `p$(touch /tmp/x)` would run code on
 * TAB. `_rolecred_candidates` reads candidates one a line, keeps those starting with the word
 * typed (compared literally) and offers each quoted with `%q`, so accepting it inserts the name
 * as a literal word too.
 */
function bashCompletion(commands: readonly CompletionCommand[]): string {
  const names = commands.flatMap((command) => [command.name, ...command.aliases]);
  const flagCases = commands
    .map((command) => `    ${[command.name, ...command.aliases].join("|")}) flags=${JSON.stringify(command.flags.join(" "))} ;;`)
    .join("\n");
  const profileCommands = commands.filter((command) => command.takesProfile).flatMap((command) => [command.name, ...command.aliases]);
  return `_rolecred_candidates() {
  local candidate quoted
  COMPREPLY=()
  while IFS= read -r candidate; do
    printf -v quoted '%q' "$candidate"
    [[ "$quoted" == "$1"* ]] && COMPREPLY+=("$quoted")
  done
  return 0
}
_rolecred_complete() {
  local current="\${COMP_WORDS[COMP_CWORD]}" command="\${COMP_WORDS[1]}" flags=""
  if [ "$COMP_CWORD" -eq 1 ]; then
    _rolecred_candidates "$current" < <(printf '%s\\n' ${[...names, "help", "--help", "--version"].join(" ")})
    return
  fi
  case "$command" in
${flagCases}
  esac
  if [[ "$current" == -* ]]; then
    _rolecred_candidates "$current" < <(printf '%s\\n' $flags)
  else
    case "$command" in
      ${profileCommands.join("|")}) _rolecred_candidates "$current" < <(command rolecred profiles --names 2>/dev/null) ;;
      *) COMPREPLY=($(compgen -f -- "$current")) ;;
    esac
  fi
}
_rolecred_assume_complete() {
  local current="\${COMP_WORDS[COMP_CWORD]}"
  _rolecred_candidates "$current" < <(command rolecred profiles --names 2>/dev/null; printf '%s\\n' --unset --console --shell --refresh --mfa-token --duration --region)
}
complete -F _rolecred_complete rolecred
complete -F _rolecred_assume_complete assume
`;
}

/**
 * In bash, a function on the receiving end of a pipe (\`echo CODE | assume dev --mfa-token -\`)
 * runs in a subshell, so its exports would vanish with it and the code would be spent for
 * nothing. That is seen as BASH_SUBSHELL > 0, stdin a pipe and an argument \`-\` (read stdin):
 * \`assume\` then refuses before running rolecred. Only then: a script whose stdin is a pipe may
 * well run \`(assume dev; aws ...)\` in a subshell on purpose. zsh runs a pipeline's last command
 * in the current shell, and bash does too with \`shopt -s lastpipe\` (BASH_SUBSHELL stays 0).
 */
const BASH_PIPELINE_GUARD = `  if [ "\${BASH_SUBSHELL:-0}" -gt 0 ] && [ -p /dev/stdin ]; then
    local argument
    for argument in "$@"; do
      case "$argument" in
        -|--mfa-token=-|--policy=-)
          echo "assume: bash runs a piped-into function in a subshell, so its exports would be lost; give the code as ROLECRED_MFA_TOKEN=CODE assume ... or assume ... --mfa-token CODE" >&2
          return 2 ;;
      esac
    done
  fi
`;

/**
 * zsh: bashcompinit needs compinit, but compinit costs about 350 ms; a .zshrc (or a framework such
 * as oh-my-zsh) has usually run it already, which defines compdef.
 */
const ZSH_COMPLETION_PRELUDE = `(( $+functions[compdef] )) || { autoload -U +X compinit && compinit -u; }
(( $+functions[complete] )) || { autoload -U +X bashcompinit && bashcompinit; }
`;

/**
 * The opt-in renewal (`shell-init SHELL --auto-renew`): before each prompt, if the exported
 * session ends within 5 minutes, re-run `assume` for the same profile with prompts off
 * (ROLECRED_NO_PROMPT=1): a cached or MFA-session-backed session renews silently; one that would
 * need a code is left alone and the user is told once per session. It runs between commands only,
 * so nothing ever asks for input in the middle of one. ROLECRED_EXPIRES_AT (epoch seconds) is
 * exported by `assume` for this and for prompts.
 */
function posixRenewHook(shell: "bash" | "zsh"): string {
  const now = shell === "zsh" ? "zmodload -F zsh/datetime p:EPOCHSECONDS 2>/dev/null\n  now=${EPOCHSECONDS:-$(date +%s)}" : "now=${EPOCHSECONDS:-$(date +%s)}";
  const register =
    shell === "zsh"
      ? "autoload -Uz add-zsh-hook && add-zsh-hook precmd _rolecred_auto_renew"
      : 'case ";${PROMPT_COMMAND:-};" in *";_rolecred_auto_renew;"*) ;; *) PROMPT_COMMAND="_rolecred_auto_renew${PROMPT_COMMAND:+;$PROMPT_COMMAND}" ;; esac';
  return `_rolecred_auto_renew() {
  [ -n "\${ROLECRED_PROFILE:-}" ] && [ -n "\${ROLECRED_EXPIRES_AT:-}" ] || return 0
  # Digits only before arithmetic: bash evaluates a value such as a[$(cmd)] inside $(( )) as code.
  case "$ROLECRED_EXPIRES_AT" in *[!0-9]*) return 0 ;; esac
  # A name that reads as a flag (--help, -c) would make assume print something other than exports.
  case "$ROLECRED_PROFILE" in -*) return 0 ;; esac
  local now exports
  ${now}
  [ "$now" -ge $(( ROLECRED_EXPIRES_AT - 300 )) ] || return 0
  if exports="$(ROLECRED_NO_PROMPT=1 command rolecred assume --shell ${shell} "$ROLECRED_PROFILE" 2>/dev/null)"; then
    eval "$exports"
  elif [ "\${_rolecred_renew_warned:-}" != "$ROLECRED_EXPIRES_AT" ]; then
    _rolecred_renew_warned=$ROLECRED_EXPIRES_AT
    echo "rolecred: $ROLECRED_PROFILE's session ends within 5 minutes and cannot renew without you: run assume $ROLECRED_PROFILE" >&2
  fi
  return 0
}
${register}
`;
}

const FISH_RENEW_HOOK = [
  "function _rolecred_auto_renew --on-event fish_prompt",
  "    set -q ROLECRED_PROFILE; and set -q ROLECRED_EXPIRES_AT; or return 0",
  // Not epoch seconds (set by something else): nothing to compare, and math would complain on every prompt.
  "    string match -qr -- '^[0-9]+$' $ROLECRED_EXPIRES_AT; or return 0",
  // A name that reads as a flag (--help, -c) would make assume print something other than exports.
  "    string match -q -- '-*' $ROLECRED_PROFILE; and return 0",
  "    test (date +%s) -ge (math $ROLECRED_EXPIRES_AT - 300); or return 0",
  "    set -l exports (env ROLECRED_NO_PROMPT=1 rolecred assume --shell fish $ROLECRED_PROFILE 2>/dev/null)",
  "    if test $status -eq 0",
  "        string join \\n -- $exports | source",
  '    else if test "$_rolecred_renew_warned" != "$ROLECRED_EXPIRES_AT"',
  "        set -g _rolecred_renew_warned $ROLECRED_EXPIRES_AT",
  '        echo "rolecred: $ROLECRED_PROFILE\'s session ends within 5 minutes and cannot renew without you: run assume $ROLECRED_PROFILE" >&2',
  "    end",
  "    return 0",
  "end",
];

function posixInit(shell: "bash" | "zsh", commands: readonly CompletionCommand[], autoRenew = false): string {
  return `# rolecred shell integration for ${shell}: eval "$(rolecred shell-init ${shell})"
# assume PROFILE   switch this shell to PROFILE's session (prompts on the terminal if needed)
# assume --unset   clear it
assume() {
${shell === "bash" ? BASH_PIPELINE_GUARD : ""}  local exports
  exports="$(command rolecred assume --shell ${shell} "$@")" || return $?
  eval "$exports"
}
${shell === "zsh" ? ZSH_COMPLETION_PRELUDE : ""}${bashCompletion(commands)}${autoRenew ? posixRenewHook(shell) : ""}`;
}

function fishInit(commands: readonly CompletionCommand[], autoRenew = false): string {
  const lines = [
    "# rolecred shell integration for fish: rolecred shell-init fish | source",
    "function assume --description 'switch this shell to a rolecred profile'",
    "    set -l exports (command rolecred assume --shell fish $argv)",
    "    or return $status",
    "    string join \\n -- $exports | source",
    "end",
    "complete -c assume -f -a '(command rolecred profiles --names 2>/dev/null)'",
    "complete -c assume -l unset -d 'clear the session'",
    "complete -c assume -s c -l console -d 'open the AWS console instead'",
    "complete -c assume -s r -l region -r -d 'region'",
    "complete -c assume -s d -l duration -r -d 'session length'",
    `complete -c rolecred -f -n '__fish_use_subcommand' -a '${commands.flatMap((command) => [command.name, ...command.aliases]).join(" ")}'`,
  ];
  for (const command of commands) {
    const condition = `__fish_seen_subcommand_from ${[command.name, ...command.aliases].join(" ")}`;
    for (const flag of command.flags) lines.push(`complete -c rolecred -n '${condition}' -l ${flag.replace(/^--/, "")}`);
    if (command.takesProfile) lines.push(`complete -c rolecred -f -n '${condition}' -a '(command rolecred profiles --names 2>/dev/null)'`);
  }
  if (autoRenew) lines.push(...FISH_RENEW_HOOK);
  return `${lines.join("\n")}\n`;
}

function powershellInit(commands: readonly CompletionCommand[]): string {
  const table = commands.map((command) => `    '${command.name}' = @(${command.flags.map((flag) => `'${flag}'`).join(", ")})`).join("\n");
  return `# rolecred shell integration for PowerShell: rolecred shell-init powershell | Out-String | Invoke-Expression
function assume {
    $exports = & rolecred assume --shell powershell @args
    if ($LASTEXITCODE -ne 0) { return }
    Invoke-Expression ($exports -join "\`n")
}
# A profile name is inserted as a verbatim string when it holds anything PowerShell would read as
# code ($(...), backticks, quotes, spaces): the typographic quotes PowerShell also ends strings on
# are doubled like '.
function _RolecredCompletion([string]$name) {
    $text = if ($name -match '^[\\w.:/-]+$') { $name } else { "'" + ($name -replace "['\u2018\u2019\u201A\u201B]", '$0$0') + "'" }
    [System.Management.Automation.CompletionResult]::new($text, $name, 'ParameterValue', $name)
}
$rolecredFlags = @{
${table}
}
Register-ArgumentCompleter -Native -CommandName rolecred -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)
    $words = @($commandAst.CommandElements | ForEach-Object { $_.ToString() })
    if ($words.Count -le 1 -or ($words.Count -eq 2 -and $wordToComplete)) {
        $candidates = $rolecredFlags.Keys
    } elseif ($wordToComplete -like '-*') {
        $candidates = $rolecredFlags[$words[1]]
    } else {
        $candidates = & rolecred profiles --names 2>$null
    }
    $candidates | Where-Object { $_ -like "$wordToComplete*" } | ForEach-Object { _RolecredCompletion $_ }
}
Register-ArgumentCompleter -Native -CommandName assume -ScriptBlock {
    param($wordToComplete)
    & rolecred profiles --names 2>$null | Where-Object { $_ -like "$wordToComplete*" } | ForEach-Object { _RolecredCompletion $_ }
}
`;
}

export function renderShellInit(shell: InitShell, commands: readonly CompletionCommand[], autoRenew = false): string {
  switch (shell) {
    case "bash":
    case "zsh":
      return posixInit(shell, commands, autoRenew);
    case "fish":
      return fishInit(commands, autoRenew);
    case "powershell":
      return powershellInit(commands);
  }
}
