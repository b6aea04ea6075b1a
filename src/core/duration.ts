const UNIT_MS: Record<string, number> = {
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000
}

/**
 * Parses durations such as `90m`, `6h`, `3d` or `1d12h`. A unit is required:
 * a bare number is ambiguous (seconds? minutes?) and is rejected.
 */
export function parseDuration(text: string): number | undefined {
  const value = text.trim().toLowerCase()
  if (!/^(\d+\s*[smhdw]\s*)+$/.test(value)) return undefined
  let total = 0
  for (const [, amount, unit] of value.matchAll(/(\d+)\s*([smhdw])/g)) {
    total += Number(amount) * UNIT_MS[unit]
  }
  return Number.isSafeInteger(total) && total > 0 ? total : undefined
}

/** `3d`, `6h`, `90m`: the shortest exact rendering, for messages. */
export function formatDuration(ms: number): string {
  // Days, not weeks: people write `7d`, and GitHub's windows are 3 and 7 days.
  for (const unit of ['d', 'h', 'm', 's']) {
    if (ms >= UNIT_MS[unit] && ms % UNIT_MS[unit] === 0) return `${ms / UNIT_MS[unit]}${unit}`
  }
  return `${Math.round(ms / 1000)}s`
}
