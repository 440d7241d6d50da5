/**
 * The first steps every reader of rolecred's own JSON files takes (session cache, the AWS CLI's SSO
 * token cache, the key file): a folder that does not exist yet is empty, and text that is not a
 * JSON object is not one of ours. What the object must hold is each reader's own business.
 */
import { readdir } from "node:fs/promises";
import { errnoCode } from "../errors.js";

/** The entries of `directory`; none when it does not exist (nothing was ever written there). */
export async function directoryEntries(directory: string): Promise<string[]> {
  try {
    return await readdir(directory);
  } catch (error) {
    if (errnoCode(error) === "ENOENT") return [];
    throw error;
  }
}

/** `text` as a JSON object, or undefined when it is not valid JSON or not an object. */
export function parseJsonRecord(text: string): Record<string, unknown> | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
}
