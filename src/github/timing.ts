/**
 * Waits GitHub asks for (one second between writes, retry backoff, retry-after).
 * WEBHOOK_REDELIVERY_TIME_SCALE shrinks them for the project's own tests against
 * its local GitHub API; it can only make waits shorter, and users never set it.
 */
export function timeScale(env: NodeJS.ProcessEnv = process.env): number {
  const value = Number(env.WEBHOOK_REDELIVERY_TIME_SCALE)
  return Number.isFinite(value) && value > 0 && value < 1 ? value : 1
}
