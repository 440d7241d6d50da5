/** Durations as users type them (900, 15m, 1h, 1h30m, 12h) and as people read them (1h 0m). */

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

/** Seconds in `text`, or undefined when it is not a duration. A bare number is seconds. */
export function parseDuration(text: string): number | undefined {
  const trimmed = text.trim().toLowerCase();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  if (!/^(?:\d+[smhd])+$/.test(trimmed)) return undefined;
  let total = 0;
  for (const [, amount = "0", unit = "s"] of trimmed.matchAll(/(\d+)([smhd])/g)) {
    total += Number(amount) * (UNIT_SECONDS[unit] ?? 0);
  }
  return total;
}

/** `1h 0m`, `45m`, `2d 3h`: time left, as the summary line shows it. Negative means past. */
export function formatDuration(totalSeconds: number): string {
  const seconds = Math.max(0, Math.floor(totalSeconds));
  if (seconds < 60) return `${seconds}s`;
  // To the nearest minute: a session STS just issued for an hour reads "1h 0m", not "59m".
  const minutesTotal = Math.round(seconds / 60);
  const days = Math.floor(minutesTotal / 1440);
  const hours = Math.floor((minutesTotal % 1440) / 60);
  const minutes = minutesTotal % 60;
  if (days > 0) return `${days}d ${hours}h`;
  if (hours > 0) return `${hours}h ${minutes}m`;
  return `${minutes}m`;
}
