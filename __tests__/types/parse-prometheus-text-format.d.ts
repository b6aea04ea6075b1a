// The package ships no types: what it returns, as its README describes.
declare module 'parse-prometheus-text-format' {
  export interface ParsedFamily {
    name: string
    help: string
    type: 'COUNTER' | 'GAUGE' | 'SUMMARY' | 'HISTOGRAM' | 'UNTYPED'
    metrics: { value: string; labels?: Record<string, string> }[]
  }
  export default function parsePrometheusTextFormat(text: string): ParsedFamily[]
}
