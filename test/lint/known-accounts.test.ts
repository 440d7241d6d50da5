import { describe, expect, it } from "vitest";
import { KnownAccountsError, knownAccountsFromDocument, knownAccountsFromText, mergeKnownAccounts } from "../../src/lint/known-accounts.js";

// The shape of fwdcloudsec/known_aws_accounts accounts.yaml, abridged.
const VENDOR_LIST_YAML = `# Format
#   name: Vendor name.
#   accounts: Array of 12-digit AWS account IDs
- name: 'Datadog'
  source: ['https://docs.datadoghq.com/integrations/guide/aws-manual-setup/']
  accounts: ['464622532012', '865078226113']
- name: 'New Relic'
  source: ['https://docs.newrelic.com/']
  accounts: ['754728514883', '017663287629']
- name: 'ELB logs'
  type: 'aws'
  source: ['https://docs.aws.amazon.com/elasticloadbalancing/latest/classic/enable-access-logs.html']
  accounts: ['127311923021', '033677994240']
`;

describe(knownAccountsFromText.name, () => {
  it("reads a known-vendor list as third parties, AWS's own accounts marked", async () => {
    const accounts = await knownAccountsFromText(VENDOR_LIST_YAML, "accounts.yaml");
    expect(accounts).toContainEqual({ id: "464622532012", name: "Datadog", thirdParty: true, awsService: false });
    expect(accounts).toContainEqual({ id: "017663287629", name: "New Relic", thirdParty: true, awsService: false });
    expect(accounts).toContainEqual({ id: "033677994240", name: "ELB logs", thirdParty: true, awsService: true });
    expect(accounts).toHaveLength(6);
  });

  it("keeps leading zeros of unquoted YAML ids", async () => {
    const accounts = await knownAccountsFromText("012345678901: sandbox\n111111111111: prod\n", "mine.yml");
    expect(accounts).toEqual([
      { id: "012345678901", name: "sandbox", thirdParty: false, awsService: false },
      { id: "111111111111", name: "prod", thirdParty: false, awsService: false },
    ]);
  });

  it("reads a JSON map with a vendor written in it", async () => {
    const accounts = await knownAccountsFromText('{"111111111111": "prod", "464622532012": {"name": "Datadog", "vendor": true}}', "accounts.json");
    expect(accounts).toEqual([
      { id: "111111111111", name: "prod", thirdParty: false, awsService: false },
      { id: "464622532012", name: "Datadog", thirdParty: true, awsService: false },
    ]);
  });

  it("reads YAML written as a map with vendor flags", async () => {
    expect(await knownAccountsFromText("'464622532012': {name: Datadog, vendor: true}\n", "a.yaml")).toEqual([
      { id: "464622532012", name: "Datadog", thirdParty: true, awsService: false },
    ]);
  });

  it("treats an empty file as no accounts", async () => {
    expect(await knownAccountsFromText("", "empty.yaml")).toEqual([]);
  });

  it.each([
    ["[1, 2", "x.json", /^invalid JSON: unexpected end of input, expected "," or "\]" at line 1 column 6$/],
    ["a: [b", "x.yaml", /^invalid YAML: /],
    ["12345: short\n", "x.yaml", /^key "12345": "12345" is not a 12-digit AWS account id$/],
    ["- name: X\n  accounts: ['1234567890123']\n", "x.yaml", /^item 1 \(X\): "1234567890123" is not a 12-digit AWS account id$/],
    ["- accounts: ['111111111111']\n", "x.yaml", /^item 1: expected \{name: \.\.\., accounts: \[ids\]\}$/],
    ["'111111111111': [prod]\n", "x.yaml", /^account 111111111111: expected a name/],
    ["just text", "x.yaml", /^expected a map of account id → name/],
  ])("refuses %j (%s)", async (text, file, message) => {
    await expect(knownAccountsFromText(text, file)).rejects.toThrow(KnownAccountsError);
    await expect(knownAccountsFromText(text, file)).rejects.toThrow(message);
  });
});

describe(knownAccountsFromDocument.name, () => {
  it("pads JSON numbers back to 12 digits", () => {
    expect(knownAccountsFromDocument([{ name: "V", accounts: [12345678901] }])).toEqual([
      { id: "012345678901", name: "V", thirdParty: true, awsService: false },
    ]);
  });
});

describe(mergeKnownAccounts.name, () => {
  it("lets a later file's entry win", () => {
    const merged = mergeKnownAccounts([
      [{ id: "111111111111", name: "a", thirdParty: true, awsService: false }],
      [{ id: "111111111111", name: "ours", thirdParty: false, awsService: false }],
    ]);
    expect(merged.byId.get("111111111111")).toEqual({ id: "111111111111", name: "ours", thirdParty: false, awsService: false });
  });
});
