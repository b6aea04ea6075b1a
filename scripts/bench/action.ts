// The bench's runs of the built action (dist/index.js), through the shared runner in tools/:
// every wait real (no time scale), wall time from spawn to exit, peak resident memory.

import { spawn, spawnSync } from 'node:child_process'
import { performance } from 'node:perf_hooks'
import { root } from '../../tools/repo.js'
import { nodeRuntimes, runAction, type ActionRun } from '../../tools/runner.js'

export { ACTION_ENTRY } from '../../tools/runner.js'

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

export interface BenchRun extends ActionRun {
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
  /** Read the process's peak RSS (GNU time, else polling /proc). */
  measureMemory?: boolean
  timeoutMs?: number
}

/** One run of `node dist/index.js` on this machine's Node, as the runner runs it, every wait real. */
export async function runBuiltAction(options: BenchRunOptions): Promise<BenchRun> {
  const node = options.node ? { name: options.node, path: options.node } : undefined
  const run = await runAction({ ...options, node, timeScale: 1, timeoutMs: options.timeoutMs ?? 240_000 })
  return { ...run, errors: run.commands.errors }
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
