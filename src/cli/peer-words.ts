/**
 * Words users bring from peer tools (aws-vault, granted, awsume, saml2aws, aws_role_credentials)
 * that are not rolecred commands, answered by meaning. Spelling-based suggestions mislead here:
 * `login` is one letter from `logout`, which does the opposite, and `list` is near `lint`.
 */
const HINTS: Readonly<Record<string, string>> = {
  list: "rolecred profiles lists the profiles, rolecred status the sessions held",
  ls: "rolecred profiles lists the profiles, rolecred status the sessions held",
  sessions: "rolecred status lists the sessions held and their time left",
  login: "rolecred console PROFILE opens the AWS console; rolecred sso login signs in to IAM Identity Center",
  open: "rolecred console PROFILE opens the AWS console with a profile's session",
  whoami: "rolecred status shows the sessions held; aws sts get-caller-identity shows who one is",
  export: "rolecred env PROFILE prints the exports (rolecred write PROFILE puts them in the credentials file)",
  run: "rolecred exec PROFILE -- COMMAND runs a command with a profile's session",
  use: 'rolecred assume PROFILE switches the shell\'s session (after eval "$(rolecred shell-init bash)")',
  switch: 'rolecred assume PROFILE switches the shell\'s session (after eval "$(rolecred shell-init bash)")',
  clear: "rolecred logout PROFILE (or --all) deletes sessions; rolecred env --unset clears the shell's",
  remove: "rolecred logout PROFILE (or --all) deletes sessions; rolecred keys remove NAME deletes keys kept in the OS keyring",
  rm: "rolecred logout PROFILE (or --all) deletes sessions; rolecred keys remove NAME deletes keys kept in the OS keyring",
  configure: "profiles live in ~/.aws/config (role_arn, source_profile, mfa_serial…); rolecred profiles lists them",
  add: "rolecred keys add NAME keeps an IAM user's keys in the OS keyring; role profiles live in ~/.aws/config (role_arn, source_profile…)",
  version: "rolecred --version (or -V) prints the version",
};

/** [word, sentence] pairs; none is a rolecred command or alias. */
export const PEER_WORDS: ReadonlyArray<readonly [string, string]> = Object.entries(HINTS);
