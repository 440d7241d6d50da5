/** Reading stdin whole, with a cap: a runaway producer gets an error, not a hung or bloated rolecred. */
import { inputError } from "./errors.js";

export async function readStdinBytes(stdin: NodeJS.ReadableStream & { readonly isTTY?: boolean }, limitBytes: number, what: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stdin) {
    const buffer = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
    total += buffer.length;
    if (total > limitBytes) {
      // Stop reading: the rest of the stream is not ours to drain.
      if ("destroy" in stdin && typeof stdin.destroy === "function") stdin.destroy();
      throw inputError(`${what} is larger than ${formatBytes(limitBytes)}; that is not what rolecred expects there`);
    }
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

export async function readStdinText(stdin: NodeJS.ReadableStream & { readonly isTTY?: boolean }, limitBytes: number, what: string): Promise<string> {
  return (await readStdinBytes(stdin, limitBytes, what)).toString("utf8");
}

function formatBytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${bytes / (1024 * 1024)} MiB` : `${bytes / 1024} KiB`;
}
