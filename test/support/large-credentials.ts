/**
 * A credentials file large enough (2,000 temporary-key sections, ≈ 1.5 MB) that a write scans it
 * in 1 MiB chunks and copies its bytes instead of holding them, and that its scan is remembered
 * (src/store/remembered-scan.ts: files of 1 MiB or more); and {@link manySessions}, files of
 * several blocks for the block records' tests. The values are fake.
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

/** A credentials file of `count` managed sessions (~380 bytes each, from `org-FROM`): several blocks (src/store/section-blocks.ts). */
export function manySessions(count: number, from = 0): string {
  let text = "";
  for (let index = from; index < from + count; index++) {
    text += `[org-${index}]\naws_access_key_id = ASIA${index}\naws_secret_access_key = s${index}\naws_session_token = ${"t".repeat(300)}\n`;
    text += `x_rolecred_managed = true\nregion = r${index}\n\n`;
  }
  return text;
}
