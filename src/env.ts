/**
 * The process environment as rolecred reads it: passed in (deps.env), never process.env below
 * src/cli. Its own module so that the modules Deps is built from (sts/) can name it without
 * importing deps.ts, which imports them.
 */
export type Env = Readonly<Record<string, string | undefined>>;
