/**
 * The one logger. Everything human goes to stderr (stdout carries data only), and every line
 * passes through the secret registry first, so a secret that reached a message by mistake is
 * printed as `****` instead. Masking is the second line of defence: code still never formats a
 * secret into a message on purpose.
 */

/** Values that must never be printed: secret keys, session tokens, MFA codes, assertions. */
export class SecretRegistry {
  readonly #values = new Set<string>();

  /** Remember a secret. Values shorter than 4 characters are ignored: masking them would mangle text. */
  add(value: string | undefined): void {
    if (value !== undefined && value.length >= 4) this.#values.add(value);
  }

  /** `text` with every registered secret replaced by `****`. */
  redact(text: string): string {
    let result = text;
    for (const value of this.#values) {
      if (result.includes(value)) result = result.split(value).join("****");
    }
    return result;
  }
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
    stderr.write(`${secrets.redact(line)}\n`);
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
