/** The picker's sizing and its help line (the pty tests in test/integration drive the real thing). */
import { describe, expect, it } from "vitest";
import { helpLine, pageSizeFor } from "../../src/prompt/role-picker.js";

describe(pageSizeFor.name, () => {
  it.each<[number | undefined, number, number]>([
    [40, 48, 34],
    [40, 5, 5],
    [24, 48, 18],
    [undefined, 48, 18],
    [0, 48, 18],
    [6, 48, 3],
  ])("%s rows, %s roles → %s per page", (rows, roles, expected) => {
    expect(pageSizeFor(rows, roles)).toBe(expected);
  });
});

describe(helpLine.name, () => {
  it("says how many roles are not shown, and only when some are not", () => {
    expect(helpLine(34, 48)).toBe("14 more (↑↓ scrolls, typing filters) • ↑↓ navigate • ⏎ select • esc cancel");
    expect(helpLine(5, 5)).toBe("↑↓ navigate • ⏎ select • esc cancel");
  });
});
