/** The INI rule for a profile name, whoever hands it over (a flag, a template, ~/.aws/config). */
import { escapeControl } from "../log.js";
import { usageError } from "../errors.js";

/** Profile names go between [ ] in an INI file: no brackets, control characters (line breaks among them) or surrounding spaces. */
export function requireProfileName(name: string, flag = "--profile"): string {
  const control = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
  if (!/^[^\s[\]](?:[^[\]\r\n]*[^\s[\]])?$/.test(name) || name === "__proto__" || control.test(name)) {
    // Shown escaped: an ESC or OSC sequence in the name must not reach the terminal raw.
    throw usageError(
      `invalid ${flag} "${escapeControl(name, false)}": a profile name cannot contain [ ], line breaks or other control characters, or start or end with a space`,
    );
  }
  return name;
}
