/**
 * The one logger. Everything human goes to stderr (stdout carries data only), and every line
 * passes through the secret registry first, so a secret that reached a message by mistake is
 * printed as `****` instead. Masking is the second line of defence: code still never formats a
 * secret into a message on purpose. Then every control character is shown escaped
 * ({@link escapeControl}): messages quote profile names, SAML values and input from outside.
 */

/** Values that must never be printed: secret keys, session tokens, MFA codes, assertions. */
export class SecretRegistry {
  readonly #values = new Set<string>();
  /** All-digit secrets (MFA codes), masked only as a whole number, see {@link redact}. */
  readonly #codes = new Set<string>();

  /** Remember a secret. Values shorter than 4 characters are ignored: masking them would mangle text. */
  add(value: string | undefined): void {
    if (value === undefined || value.length < 4) return;
    if (/^\d+$/.test(value)) this.#codes.add(value);
    else this.#values.add(value);
  }

  /**
   * `text` with every registered secret replaced by `****`. A code of six digits also occurs
   * inside account ids and ARNs (code 123456 in account 123456789012), which are not secret and
   * which the user needs to read: a digit-only secret is masked only where no digit touches it.
   */
  redact(text: string): string {
    let result = text;
    for (const value of this.#values) {
      if (result.includes(value)) result = result.split(value).join("****");
    }
    for (const code of this.#codes) {
      if (result.includes(code)) result = result.replace(new RegExp(`(?<!\\d)${code}(?!\\d)`, "g"), "****");
    }
    return result;
  }
}

/**
 * Characters a terminal acts on instead of showing: C0 controls (ESC starts CSI and OSC
 * sequences: colours, cursor moves, window titles, OSC 52 clipboard writes; BEL rings), DEL, C1
 * controls (U+009B is a one-character CSI) and the bidirectional overrides that reorder what is
 * shown. Newlines are handled by the callers: a message may span lines, an error may not.
 */
const TERMINAL_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
/** The same class without the global flag (no lastIndex state to carry between calls), and with `\n` added. */
const HAS_TERMINAL_CONTROL = new RegExp(TERMINAL_CONTROL.source);
const HAS_TERMINAL_CONTROL_OR_NEWLINE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

/**
 * `text` safe to show on a terminal: every control character is written visibly as an escape
 * (`\x1b`, `\u202e`), so a profile name, a SAML value or an echoed input cannot colour, move,
 * retitle or write to the clipboard of the user's terminal. `\n` is kept unless `keepNewlines` is
 * false, then shown as `\n` too.
 */
export function escapeControl(text: string, keepNewlines = true): string {
  // Nearly every text has nothing to escape: a test without a match is far cheaper than a replace
  // with a callback (it was a tenth of `status`'s time at 10,000 sessions).
  if (!(keepNewlines ? HAS_TERMINAL_CONTROL : HAS_TERMINAL_CONTROL_OR_NEWLINE).test(text)) return text;
  const escaped = text.replace(TERMINAL_CONTROL, (character) => {
    const code = character.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16).padStart(4, "0")}`;
  });
  return keepNewlines ? escaped : escaped.replaceAll("\n", "\\n");
}

/** An access key id shown as `****ABCD`: enough to tell keys apart, too little to use. */
export function maskKeyId(accessKeyId: string): string {
  return `****${accessKeyId.slice(-4)}`;
}

export interface TextSink {
  write(text: string): unknown;
}

export interface Logger {
  /** Shown only with --verbose: the decisions rolecred made and why. */
  verbose(message: string): void;
  /** Always shown: something the user should know but that does not stop the run. */
  warn(message: string): void;
  /** Always shown: progress and results meant for a person (never data). */
  info(message: string): void;
  readonly isVerbose: boolean;
}

/** `isQuiet` (-q): progress and results for a person are dropped; warnings and errors still show. */
export function createLogger(stderr: TextSink, secrets: SecretRegistry, isVerbose: boolean, isQuiet = false): Logger {
  const emit = (line: string): void => {
    stderr.write(`${escapeControl(secrets.redact(line))}\n`);
  };
  return {
    isVerbose,
    verbose: (message) => {
      if (isVerbose) emit(`rolecred: ${message}`);
    },
    warn: (message) => emit(`warning: ${message}`),
    info: (message) => {
      if (!isQuiet) emit(message);
    },
  };
}
