// The benchmark's result table: one row per target, measured against it.

export interface Row {
  scenario: string
  target: string
  measured: string
  /** undefined: informational, no verdict. */
  pass?: boolean
  value?: number
}

export class Results {
  readonly rows: Row[] = []
  readonly notes: string[] = []

  check(scenario: string, target: string, measured: string, pass: boolean, value?: number): void {
    this.rows.push({ scenario, target, measured, pass, value })
  }

  info(scenario: string, target: string, measured: string, value?: number): void {
    this.rows.push({ scenario, target, measured, value })
  }

  note(text: string): void {
    this.notes.push(text)
  }

  get missed(): Row[] {
    return this.rows.filter(r => r.pass === false)
  }

  render(): string {
    const head = ['scenario', 'target', 'measured', 'verdict']
    const cells = this.rows.map(r => [r.scenario, r.target, r.measured, r.pass === undefined ? '·' : r.pass ? '✓' : '✗ MISSED'])
    const widths = head.map((h, i) => Math.max(h.length, ...cells.map(c => c[i].length)))
    const line = (c: string[]) => '| ' + c.map((v, i) => v.padEnd(widths[i])).join(' | ') + ' |'
    const out = [line(head), '|' + widths.map(w => '-'.repeat(w + 2)).join('|') + '|', ...cells.map(line)]
    return out.join('\n')
  }
}

export const fmt = {
  ms: (ms: number | undefined) => (ms === undefined ? 'n/a' : ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`),
  mb: (mb: number | undefined) => (mb === undefined ? 'n/a' : `${mb.toFixed(1)} MB`),
  n: (n: number) => n.toLocaleString('en-US'),
  x: (r: number) => `${r.toFixed(2)}×`
}
