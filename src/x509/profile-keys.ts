/**
 * The ~/.aws/config keys of a certificate profile (docs/x509.md) and the settings read from them,
 * shared by the source (src/sources/x509.ts, which reads and checks them) and its session
 * (./profile-session.ts, which uses them), so the session needs nothing from the source.
 */
export const X509_KEYS = {
  certificate: "rolecred_x509_certificate",
  privateKey: "rolecred_x509_private_key",
  intermediates: "rolecred_x509_intermediates",
  trustAnchorArn: "rolecred_x509_trust_anchor_arn",
  profileArn: "rolecred_x509_profile_arn",
  endpoint: "rolecred_x509_endpoint",
} as const;

/** The settings a certificate profile needs, read and checked without I/O. */
export interface X509ProfileSettings {
  readonly certificate: string;
  /** Undefined for a PKCS#12 bundle (.p12/.pfx) as the certificate. */
  readonly privateKey: string | undefined;
  readonly intermediates: string | undefined;
  readonly trustAnchorArn: string;
  readonly profileArn: string;
  readonly roleArn: string;
  readonly endpoint: string | undefined;
  readonly durationSeconds: number | undefined;
  readonly roleSessionName: string | undefined;
}
