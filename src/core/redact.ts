/**
 * Replaces every secret in `text` by `***`, longest first (so a secret that contains
 * another is not left half shown). For what the runner does not mask: the report file,
 * the job summary, the command line's output.
 */
export function redactSecrets(text: string, secrets: Iterable<string>): string {
  const ordered = [...secrets].filter(secret => secret.length > 0).sort((a, b) => b.length - a.length)
  return ordered.reduce((out, secret) => out.split(secret).join('***'), text)
}
