/** A metrics file's text read back by a real Prometheus text-format parser (never a regular expression). */
import parsePrometheusTextFormat, { type ParsedFamily } from 'parse-prometheus-text-format'

export type MetricFamilies = Map<string, ParsedFamily>

/** The families of a Prometheus text-format file, by name. */
export function parseMetrics(text: string): MetricFamilies {
  return new Map(parsePrometheusTextFormat(text).map(family => [family.name, family]))
}

/** The value of one series of `webhook_redelivery_<name>`, found by its labels. */
export function metricValue(families: MetricFamilies, name: string, labels: Record<string, string>): number | undefined {
  const sample = families.get(`webhook_redelivery_${name}`)?.metrics.find(m => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v))
  return sample === undefined ? undefined : Number(sample.value)
}
