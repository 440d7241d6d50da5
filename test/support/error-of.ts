/** The message `parse` throws, or "no error": two readings of one input compared by what each refuses. */
export function errorOf(parse: () => unknown): string {
  try {
    parse();
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
  return "no error";
}
