/** stdin → a read assertion: the whole SAML stage, for the commands that take an assertion. */
import { readFile } from "node:fs/promises";
import type { Deps } from "../deps.js";
import { errnoCode, inputError, usageError } from "../errors.js";
import { readStdinBytes } from "../stdin.js";
import { decodeSamlInput } from "./decode.js";
import { parseSamlXml } from "./xml.js";
import { readSamlAssertion, type SamlAssertion } from "./assertion.js";

/** What rolecred reads from stdin at most: real responses are a few to tens of KiB. */
export const MAX_SAML_INPUT_BYTES = 1024 * 1024;
/** STS's limit on SAMLAssertion: "SAML authentication response base64 encoded: 100,000 characters". */
export const MAX_SAML_ASSERTION_CHARACTERS = 100_000;

export interface SamlInput {
  readonly assertion: SamlAssertion;
  /** Standard base64 of the Response XML: exactly what AssumeRoleWithSAML receives. */
  readonly samlAssertionBase64: string;
}

async function readCertificates(files: readonly string[]): Promise<string[] | undefined> {
  if (files.length === 0) return undefined;
  return Promise.all(
    files.map(async (file) => {
      let text: string;
      try {
        text = await readFile(file, "utf8");
      } catch (error) {
        throw inputError(`cannot read --idp-cert ${file}: ${errnoCode(error) === "ENOENT" ? "no such file" : (errnoCode(error) ?? String(error))}`);
      }
      if (!/-----BEGIN CERTIFICATE-----/.test(text)) throw inputError(`--idp-cert ${file} is not a PEM certificate (no BEGIN CERTIFICATE line)`);
      return text;
    }),
  );
}

export async function readSamlFromStdin(deps: Deps, idpCertFiles: readonly string[]): Promise<SamlInput> {
  if (deps.stdin.isTTY === true) {
    throw usageError("nothing is piped in: rolecred saml reads the SAML response from stdin", "e.g. okta-login -u jo | rolecred saml --profile dev, or rolecred saml --profile dev < response.b64");
  }
  const certificates = await readCertificates(idpCertFiles);
  const input = await readStdinBytes(deps.stdin, MAX_SAML_INPUT_BYTES, "stdin");
  const decoded = decodeSamlInput(input);
  const parsed = parseSamlXml(decoded.xml);
  const samlAssertionBase64 = Buffer.from(parsed.responseXml, "utf8").toString("base64");
  deps.secrets.add(samlAssertionBase64); // the assertion is a bearer credential for 5 minutes
  deps.log.verbose(`read a SAML response from stdin (${decoded.form}, ${input.length} bytes)`);
  const assertion = await readSamlAssertion(parsed, {
    idpCertificates: certificates,
    onLibraryOutput: (line) => deps.log.verbose(`saml2-js: ${line}`),
  });
  for (const note of assertion.notes) deps.log.verbose(note);
  return { assertion, samlAssertionBase64 };
}
