/**
 * Every rule id `rolecred lint` knows, in one tiny module: the command line checks `--ignore`
 * against it without loading the rules themselves.
 */
export const RULE_IDS = [
  "RC-TRUST-001",
  "RC-TRUST-002",
  "RC-TRUST-003",
  "RC-TRUST-004",
  "RC-TRUST-005",
  "RC-TRUST-006",
  "RC-TRUST-007",
  "RC-TRUST-008",
  "RC-TRUST-009",
  "RC-TRUST-010",
  "RC-TRUST-011",
  "RC-TRUST-012",
  "RC-TRUST-013",
  "RC-TRUST-014",
  "RC-TRUST-015",
] as const;

export type RuleId = (typeof RULE_IDS)[number];

export function isRuleId(text: string): text is RuleId {
  return (RULE_IDS as readonly string[]).includes(text);
}
