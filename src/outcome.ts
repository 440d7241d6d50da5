/** How a run ended: an exit code, or a signal to re-raise (an exec'd child that was killed). */
export type Outcome = { readonly exitCode: number } | { readonly signal: NodeJS.Signals };

export const SUCCESS: Outcome = { exitCode: 0 };
