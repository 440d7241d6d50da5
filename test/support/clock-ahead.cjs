/*
 * A `node --require` preload for tests: the process's clock (Date.now) runs
 * ROLECRED_TEST_CLOCK_AHEAD_MS ahead of the file system's, as a client's does when the server of
 * its home (NFS) keeps a clock behind: every file then looks changed long ago, "settled"
 * (src/store/file-identity.ts), even one another program is changing now. CommonJS on purpose:
 * --require loads it before any module of the program.
 */
"use strict";
const ahead = Number(process.env.ROLECRED_TEST_CLOCK_AHEAD_MS ?? "0");
const realNow = Date.now;
Date.now = () => realNow() + ahead;
