/** Light on purpose (the command line and the config source use it before anything is read). */

/** A PKCS#12 bundle by its name (.p12/.pfx): it holds the key, so no key file is needed. */
export function isPkcs12Path(path: string): boolean {
  return /\.(p12|pfx)$/i.test(path);
}
