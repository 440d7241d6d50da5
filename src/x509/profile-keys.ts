/** The ~/.aws/config keys of a certificate profile (docs/x509.md), shared by the source and its session. */
export const X509_KEYS = {
  certificate: "rolecred_x509_certificate",
  privateKey: "rolecred_x509_private_key",
  intermediates: "rolecred_x509_intermediates",
  trustAnchorArn: "rolecred_x509_trust_anchor_arn",
  profileArn: "rolecred_x509_profile_arn",
  endpoint: "rolecred_x509_endpoint",
} as const;
