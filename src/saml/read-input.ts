/** stdin → a read assertion: the whole SAML stage, for the commands that take an assertion. */
import type { Deps } from "../deps.js";
import { inputError, usageError } from "../errors.js";
import { readStdinBytes } from "../stdin.js";
import { READ_LIMITS, readRegularTextSync } from "../store/bounded-read.js";
import { decodeSamlInput, type DecodedSamlInput } from "./decode.js";
import { parseSamlXml, type ParsedSamlXml } from "./xml.js";
import { readSamlAssertion, type SamlAssertion } from "./assertion.js";

/** What rolecred reads from stdin at most: real responses are a few to tens of KiB. */
const MAX_SAML_INPUT_BYTES = 1024 * 1024;
/** STS's limit on SAMLAssertion: "SAML authentication response base64 encoded: 100,000 characters". */
export const MAX_SAML_ASSERTION_CHARACTERS = 100_000;

export interface SamlInput {
  readonly assertion: SamlAssertion;
  /** Standard base64 of the Response XML: exactly what AssumeRoleWithSAML receives. */
  readonly samlAssertionBase64: string;
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

/**
 * Every certificate in the --idp-cert files, one PEM block each: a file may be a bundle (an
 * identity provider's current and next signing certificates), and any certificate in it may be
 * the one that signed. Read through the bounded reader: `--idp-cert /dev/zero` is refused at once.
 */
export function readCertificates(files: readonly string[], source = "--idp-cert"): string[] | undefined {
  if (files.length === 0) return undefined;
  return files.flatMap((file) => {
    const text = readRegularTextSync(file, { maxBytes: READ_LIMITS.certificate, what: `the ${source} file` });
    const blocks = text.match(PEM_CERTIFICATE) ?? [];
    if (blocks.length === 0) throw inputError(`${source} ${file} is not a PEM certificate (no BEGIN CERTIFICATE line)`);
    return blocks;
  });
}

/**
 * What AssumeRoleWithSAML is sent: the identity provider's own bytes when the input was the
 * Response itself, else the Response cut out of its envelope, in the encoding it was written in
 * (declared again when the declaration was outside the cut).
 */
function bytesToSend(decoded: DecodedSamlInput, parsed: ParsedSamlXml): Buffer {
  if (parsed.responseXml === decoded.xml) return decoded.bytes;
  if (decoded.encoding === "utf8") return Buffer.from(parsed.responseXml, "utf8");
  const declared = parsed.responseXml.startsWith("<?xml") ? "" : '<?xml version="1.0" encoding="ISO-8859-1"?>\n';
  return Buffer.from(declared + parsed.responseXml, "latin1");
}

/** Certificates the response's signature must verify against: --idp-cert, and any ~/.aws/config pins. */
export interface CertificateFiles {
  readonly flag: readonly string[];
  /** Pinned in ~/.aws/config: --idp-cert adds a check, it never replaces this one. */
  readonly pinned: readonly string[];
}

export async function readSamlFromStdin(deps: Deps, certificateFiles: CertificateFiles): Promise<SamlInput> {
  if (deps.stdin.isTTY === true) {
    throw usageError(
      "nothing is piped in: rolecred saml reads the SAML response from stdin",
      "e.g. okta-login -u jo | rolecred saml --profile dev, or rolecred saml --profile dev < response.b64",
    );
  }
  const pinned = readCertificates(certificateFiles.pinned, "saml_idp_cert");
  const flagged = readCertificates(certificateFiles.flag);
  const input = await readStdinBytes(deps.stdin, MAX_SAML_INPUT_BYTES, "stdin");
  const decoded = decodeSamlInput(input);
  const parsed = parseSamlXml(decoded.xml);
  const samlAssertionBase64 = bytesToSend(decoded, parsed).toString("base64");
  deps.secrets.add(samlAssertionBase64); // the assertion is a bearer credential for 5 minutes
  deps.log.verbose(`read a SAML response from stdin (${decoded.form}, ${input.length} bytes)`);
  const read = (idpCertificates: string[] | undefined, certificateSource: string) =>
    readSamlAssertion(parsed, {
      idpCertificates,
      certificateSource,
      onLibraryOutput: (line) => deps.log.verbose(`saml2-js: ${line}`),
    });
  // Each must verify on its own: a pinned certificate is not satisfied by one given as a flag.
  const assertion = await read(pinned ?? flagged, pinned === undefined ? "--idp-cert" : "the saml_idp_cert of ~/.aws/config");
  if (pinned !== undefined && flagged !== undefined) await read(flagged, "--idp-cert");
  for (const note of assertion.notes) deps.log.verbose(note);
  return { assertion, samlAssertionBase64 };
}
