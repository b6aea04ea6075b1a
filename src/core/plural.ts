/**
 * `1 error`, `2 errors`, `1 delivery`, `3 deliveries`: the one place messages count things.
 * `count` may be pre-formatted (`1,234`); the form follows the number it shows.
 */
export function plural(count: number | string, singular: string, pluralForm?: string): string {
  return `${count} ${noun(count, singular, pluralForm)}`
}

/** The form alone: `webhook` or `webhooks`. */
export function noun(count: number | string, singular: string, pluralForm = defaultPlural(singular)): string {
  const n = typeof count === 'number' ? count : Number(count.replace(/,/g, ''))
  return n === 1 ? singular : pluralForm
}

function defaultPlural(singular: string): string {
  return /[^aeiou]y$/.test(singular) ? `${singular.slice(0, -1)}ies` : `${singular}s`
}

/**
 * 1,234,567: thousands separated by commas, as GitHub's pages show counts. Written out because
 * the first `toLocaleString` of a process loads ICU data (tens of milliseconds, ~10 MB).
 */
export function thousands(n: number): string {
  const [whole, fraction] = String(n).split('.')
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',')
  return fraction === undefined ? grouped : `${grouped}.${fraction}`
}
