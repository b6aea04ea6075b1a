// Runs the built action (dist/index.js) the way the Actions runner does, and measures the
// process: wall time from spawn to exit and peak resident memory.

import { spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { root } from '../../__tests__/docs/helpers.js'
import { nodeRuntimes, parseOutputs, runnerEnvironment } from '../../__tests__/support/runner.js'

export const ACTION_ENTRY = join(root, 'dist', 'index.js')

export interface Runtime {
  /** e.g. `node 24.9.0` */
  label: string
  major: number
  path: string
}

/** Node 24 first (the runtime action.yml declares), this machine's Node beside it: the test harness's runtimes. */
export function runtimes(): Runtime[] {
  const found = nodeRuntimes().map(r => {
    const version = spawnSync(r.path, ['--version'], { encoding: 'utf8' }).stdout.trim().replace(/^v/, '')
    return { label: `node ${version}`, major: Number(version.split('.')[0]), path: r.path }
  })
  return found.sort((a, b) => (a.major === 24 ? -1 : b.major === 24 ? 1 : b.major - a.major))
}

export interface BenchRun {
  exitCode: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
  outputs: Record<string, string>
  /** Spawn to exit, machine clock. */
  wallMs: number
  /** Machine-clock time (Date.now()) when the process was spawned and when it exited. */
  startedAt: number
  endedAt: number
  /** Peak resident set size in MB (GNU time, else the last VmHWM polled from /proc). */
  peakRssMb?: number
  peakRssSource?: 'gnu-time' | 'proc-poll'
  /** `::error::` lines the action printed. */
  errors: string[]
}

export interface BenchRunOptions {
  inputs: Record<string, string>
  apiUrl: string
  /** owner/name the workflow runs in (default state repository). */
  repository?: string
  /** The Node binary that runs the bundle (default this process's). */
  node?: string
  /** Wrap the process in GNU time to read its peak RSS (falls back to polling /proc). */
  measureMemory?: boolean
  timeoutMs?: number
}

let gnuTime: boolean | undefined
function hasGnuTime(): boolean {
  if (gnuTime === undefined) {
    const probe = existsSync('/usr/bin/time') ? spawnSync('/usr/bin/time', ['--version'], { encoding: 'utf8' }) : undefined
    gnuTime = !!probe && `${probe.stdout}${probe.stderr}`.includes('GNU')
  }
  return gnuTime
}


/**
 * One run of `node dist/index.js` on this machine's Node (process.execPath), with an
 * environment built from scratch like the runner's: one INPUT_* per declared input
 * (defaults applied), GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files, RUNNER_TEMP.
 * WEBHOOK_REDELIVERY_TIME_SCALE is not set: every wait is real.
 */
export async function runBuiltAction(options: BenchRunOptions): Promise<BenchRun> {
  const temp = mkdtempSync(join(tmpdir(), 'bench-runner-'))
  try {
    const timeFile = join(temp, 'time')
    // WEBHOOK_REDELIVERY_TIME_SCALE stays unset: every wait is real.
    const { env, outputFile, summaryFile } = runnerEnvironment({ inputs: options.inputs, apiUrl: options.apiUrl, repository: options.repository, temp })

    const useTime = options.measureMemory === true && hasGnuTime()
    const node = options.node ?? process.execPath
    const command = useTime ? '/usr/bin/time' : node
    const args = useTime ? ['-f', '%M', '-o', timeFile, node, ACTION_ENTRY] : [ACTION_ENTRY]

    const startedAt = Date.now()
    const t0 = performance.now()
    const child = spawn(command, args, { env, cwd: temp, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', chunk => (stdout += chunk))
    child.stderr.on('data', chunk => (stderr += chunk))

    // Fallback memory probe: VmHWM is the kernel's own high-water mark, so the last value read is the peak so far.
    let polledKb = 0
    const poll =
      options.measureMemory && !useTime
        ? setInterval(() => {
            try {
              const status = readFileSync(`/proc/${child.pid}/status`, 'utf8')
              const match = /VmHWM:\s+(\d+)\s+kB/.exec(status)
              if (match) polledKb = Math.max(polledKb, Number(match[1]))
            } catch {
              // exited between two polls
            }
          }, 20)
        : undefined
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 240_000)
    const { exitCode, signal } = await new Promise<{ exitCode: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
      child.on('error', reject)
      child.on('close', (code, sig) => resolve({ exitCode: code, signal: sig }))
    })
    const wallMs = performance.now() - t0
    const endedAt = Date.now()
    clearTimeout(timer)
    if (poll) clearInterval(poll)

    let peakRssMb: number | undefined
    let peakRssSource: BenchRun['peakRssSource']
    if (useTime && existsSync(timeFile)) {
      const kb = Number(readFileSync(timeFile, 'utf8').trim().split(/\s+/).pop())
      if (Number.isFinite(kb) && kb > 0) {
        peakRssMb = kb / 1024
        peakRssSource = 'gnu-time'
      }
    } else if (polledKb > 0) {
      peakRssMb = polledKb / 1024
      peakRssSource = 'proc-poll'
    }

    const errors: string[] = []
    for (const line of stdout.split(/\r?\n/)) {
      const match = /^::error(?: [^:]*)?::(.*)$/.exec(line)
      if (match) errors.push(match[1].replace(/%0A/g, '\n').replace(/%0D/g, '\r').replace(/%25/g, '%'))
    }
    return {
      exitCode,
      signal,
      stdout,
      stderr,
      outputs: parseOutputs(readFileSync(outputFile, 'utf8')),
      wallMs,
      startedAt,
      endedAt,
      peakRssMb,
      peakRssSource,
      errors
    }
  } finally {
    rmSync(temp, { recursive: true, force: true })
  }
}

/** Spawns a Node (default this one) with arguments and returns the wall time to exit (for baselines). */
export async function timeNode(args: string[], env: Record<string, string> = {}, node = process.execPath): Promise<{ wallMs: number; exitCode: number | null }> {
  const t0 = performance.now()
  const child = spawn(node, args, { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env }, cwd: root, stdio: ['ignore', 'ignore', 'inherit'] })
  const exitCode = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject)
    child.on('close', code => resolve(code))
  })
  return { wallMs: performance.now() - t0, exitCode }
}

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b)
  const mid = Math.floor(s.length / 2)
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2
}
