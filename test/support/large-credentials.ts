/**
 * A credentials file large enough (2,000 temporary-key sections, ≈ 1.5 MB) that a write scans it
 * in 1 MiB chunks and copies its bytes instead of holding them, and that its scan is remembered
 * (src/store/remembered-scan.ts: files of 1 MiB or more). The values are fake.
 */

/** Section `org-INDEX`: temporary keys with a 700-character token; `managed` adds rolecred's marker. */
export function sessionSection(index: number, managed: boolean): string {
  const marker = managed ? "x_rolecred_managed = true\n" : "";
  return `[org-${index}]\naws_access_key_id = ASIA${String(index).padStart(16, "0")}\naws_secret_access_key = s\naws_session_token = ${"t".repeat(700)}\n${marker}`;
}

/** 2,000 of {@link sessionSection}, one blank line apart. */
export function largeCredentialsFiller(managed: boolean): string {
  return Array.from({ length: 2000 }, (_, index) => sessionSection(index, managed)).join("\n");
}
