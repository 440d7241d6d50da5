/** A SARIF 2.1.0 validator: the schema Microsoft's SARIF SDK ships (JSON Schema draft-04), checked with ajv. */
import { createRequire } from "node:module";
import AjvDraft04 from "ajv-draft-04";
import addFormats from "ajv-formats";

const sarifSchema = createRequire(import.meta.url)("@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json") as Record<string, unknown>;
// unicodeRegExp off: one pattern in this schema version ("language") is not valid under the u flag.
const ajv = new AjvDraft04.default({ allErrors: true, strict: false, unicodeRegExp: false });
addFormats.default(ajv);
const validate = ajv.compile(sarifSchema);

/** The schema violations of a SARIF log given as text; empty when it is valid. */
export function sarifErrors(text: string): string[] {
  const log: unknown = JSON.parse(text);
  return validate(log) ? [] : (validate.errors ?? []).map((error) => `${error.instancePath} ${error.message ?? ""}`);
}
