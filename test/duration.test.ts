import { describe, expect, it } from "vitest";
import { formatDuration, parseDuration } from "../src/duration.js";

describe(parseDuration.name, () => {
  it.each([
    ["900", 900],
    ["15m", 900],
    ["1h", 3600],
    ["1h30m", 5400],
    ["12h", 43200],
    [" 8H ", 28800],
    ["90s", 90],
    ["1d", 86400],
  ])("%j is %i seconds", (text, seconds) => {
    expect(parseDuration(text)).toBe(seconds);
  });

  it.each(["", "soon", "1.5h", "-1h", "h", "1h 30m", "10x"])("%j is not a duration", (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });
});

describe(formatDuration.name, () => {
  it.each([
    [3599.4, "1h 0m"],
    [3600, "1h 0m"],
    [5400, "1h 30m"],
    [2700, "45m"],
    [59, "59s"],
    [0, "0s"],
    [-5, "0s"],
    [28_800, "8h 0m"],
    [2 * 86400 + 3 * 3600, "2d 3h"],
  ])("%d seconds reads %s", (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text);
  });
});
