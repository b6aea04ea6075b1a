/**
 * Runs the bundled action exactly as the Actions runner does: `node dist/index.js` in an
 * environment built from scratch, one INPUT_* per input declared in action.yml (defaults
 * applied, as the runner applies them), the output and summary files parsed with the
 * runner's rules. The tests, the demo and the bench all run the action through here.
 */
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { performance } from 'node:perf_hooks'
import { loadAction, root, type ActionMeta } from './repo.js'
import { mask, parseCommands, type WorkflowCommands } from './workflow-commands.js'
import { machineNode, shippedNode } from './runtimes.mjs'

/**
 * The environment that makes a spawned `node` (the action, the CLI) wait `scale` times as long
 * as GitHub asks: a preload hands the bundle a shorter sleep through its documented hook
 * (PACING_OVERRIDE, src/github/timing.ts). Empty for a scale of 1 or more.
 */
export function shortenedWaitsEnv(scale: number): Record<string, string> {
  if (!(scale > 0 && scale < 1)) return {}
  const preload = pathToFileURL(join(root, 'tools', 'shorten-waits-preload.mjs')).href
  return { NODE_OPTIONS: `--import=${preload}`, SHORTEN_WAITS: String(scale) }
}

export { parseCommands, type WorkflowCommands } from './workflow-commands.js'

/**
 * The bundle under test: the committed dist/, or the fresh build `npm test` made once for its
 * dist/ check (DIST_UNDER_TEST), so the tests run the sources' bundle even while dist/ is stale.
 */
export const DIST = process.env.DIST_UNDER_TEST || join(root, 'dist')
export const ACTION_ENTRY = join(DIST, 'index.js')
export const CLI_ENTRY = join(DIST, 'cli', 'index.js')

export interface NodeRuntime {
  name: string
  path: string
}

let runtimes: NodeRuntime[] | undefined

/**
 * The machine's Node (20) and the runtime action.yml declares (24), each once. `npm test` runs
 * jest itself on Node 24, so the machine's Node is the one npm runs on, not necessarily this one.
 */
export function nodeRuntimes(): NodeRuntime[] {
  if (runtimes) return runtimes
  const machine = machineNode()
  const machineVersion = machine === process.execPath ? process.versions.node : spawnSync(machine, ['-p', 'process.versions.node'], { encoding: 'utf8' }).stdout.trim()
  const major = machineVersion.split('.')[0]
  runtimes = [{ name: `node${major}`, path: machine }]
  const node24 = shippedNode(root)
  if (node24 && major !== '24') runtimes.push({ name: 'node24', path: node24 })
  return runtimes
}

/** The runtime action.yml declares (Node 24), which the runner runs the action on; the machine's Node where it cannot run. */
export function shippedRuntime(): NodeRuntime {
  return nodeRuntimes().at(-1)!
}

export interface ActionRunOptions {
  inputs: Record<string, string>
  /** GITHUB_API_URL, as the runner sets it. */
  apiUrl: string
  /** The Node that runs the bundle: by default the one the runner would (shippedRuntime()). */
  node?: NodeRuntime
  env?: Record<string, string>
  /** Shrinks waits (one second between writes, backoff) against the local API: 0.01 by default; 1 keeps every wait real. */
  timeScale?: number
  repository?: string
  debug?: boolean
  /** Polled while the action runs; return true to send `killSignal` (default SIGKILL) to the process, once. */
  killWhen?: () => boolean
  killSignal?: NodeJS.Signals
  timeoutMs?: number
  /** Keep the job's temp directory (the report file) after the run; removed by default. */
  keepTemp?: boolean
  /** The job's temp directory (it must exist); a new one under the system's by default. */
  temp?: string
  /** Measure the process's peak resident memory (GNU time, else polling /proc). */
  measureMemory?: boolean
}

export interface ActionRun {
  exitCode: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
  outputs: Record<string, string>
  summary: string
  commands: WorkflowCommands
  /** The parsed report file, when the run wrote one. */
  report?: any
  env: Record<string, string>
  /** Spawn to exit, machine clock. */
  wallMs: number
  /** Machine-clock time (Date.now()) when the process was spawned and when it exited. */
  startedAt: number
  endedAt: number
  /** Peak resident set size in MB, with measureMemory. */
  peakRssMb?: number
  peakRssSource?: 'gnu-time' | 'proc-poll'
}

export interface RunnerEnvironmentOptions {
  inputs: Record<string, string>
  apiUrl: string
  repository?: string
  debug?: boolean
  /** Shortens the process's waits by this factor (see shortenedWaitsEnv); undefined (or 1) keeps every wait real. */
  timeScale?: number
  env?: Record<string, string>
  /** The job's temp directory; a new one by default. */
  temp?: string
}

export interface RunnerEnvironment {
  env: Record<string, string>
  /** The job's temp directory (RUNNER_TEMP, HOME, the working directory). */
  temp: string
  outputFile: string
  summaryFile: string
}

let declaredAction: ActionMeta | undefined

/**
 * The environment the runner gives a JavaScript action, built from scratch: one INPUT_*
 * per input declared in action.yml (defaults applied), empty GITHUB_OUTPUT and
 * GITHUB_STEP_SUMMARY files, RUNNER_TEMP, GITHUB_API_URL and GITHUB_REPOSITORY.
 */
export function runnerEnvironment(options: RunnerEnvironmentOptions): RunnerEnvironment {
  // Read once a process: a suite runs the action dozens of times, and action.yml does not change meanwhile.
  const action = (declaredAction ??= loadAction())
  const declared = new Set(action.inputs.map(i => i.name))
  for (const name of Object.keys(options.inputs)) {
    if (!declared.has(name)) throw new Error(`input ${name} is not declared in action.yml`)
  }
  // Made only once the inputs are known good: a refused environment leaves nothing behind.
  const temp = options.temp ?? mkdtempSync(join(tmpdir(), 'runner-'))
  const outputFile = join(temp, 'output')
  const summaryFile = join(temp, 'summary')
  writeFileSync(outputFile, '')
  writeFileSync(summaryFile, '')
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: temp,
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_API_URL: options.apiUrl,
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_REPOSITORY: options.repository ?? 'acme/workflows',
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    RUNNER_TEMP: temp,
    RUNNER_DEBUG: options.debug ? '1' : ''
  }
  if (options.timeScale !== undefined) Object.assign(env, shortenedWaitsEnv(options.timeScale))
  Object.assign(env, options.env)
  for (const input of action.inputs) {
    // The runner keeps hyphens and upper-cases the rest; an input not given gets its default.
    env[`INPUT_${input.name.replace(/ /g, '_').toUpperCase()}`] = options.inputs[input.name] ?? input.default
  }
  return { env, temp, outputFile, summaryFile }
}

export async function runAction(options: ActionRunOptions): Promise<ActionRun> {
  const { env, temp, outputFile, summaryFile } = runnerEnvironment({ ...options, timeScale: options.timeScale ?? 0.01 })
  try {
    const node = options.node ?? shippedRuntime()
    const ran = await spawnMeasured(node.path, [ACTION_ENTRY], { ...options, env, cwd: temp, timeFile: join(temp, 'time') })
    const outputs = parseOutputs(readFileSync(outputFile, 'utf8'))
    let report: unknown
    if (outputs.report && existsSync(outputs.report)) report = JSON.parse(readFileSync(outputs.report, 'utf8'))
    return { ...ran, outputs, summary: readFileSync(summaryFile, 'utf8'), commands: parseCommands(ran.stdout), report, env }
  } finally {
    if (!options.keepTemp) rmSync(temp, { recursive: true, force: true })
  }
}

type Measured = Pick<ActionRun, 'exitCode' | 'signal' | 'stdout' | 'stderr' | 'wallMs' | 'startedAt' | 'endedAt' | 'peakRssMb' | 'peakRssSource'>

interface SpawnOptions {
  env: Record<string, string>
  cwd: string
  timeFile: string
  killWhen?: () => boolean
  killSignal?: NodeJS.Signals
  timeoutMs?: number
  measureMemory?: boolean
}

/** One process to its exit: output, wall time and (on request) peak resident memory. */
async function spawnMeasured(node: string, args: string[], options: SpawnOptions): Promise<Measured> {
  const useTime = options.measureMemory === true && hasGnuTime()
  const command = useTime ? '/usr/bin/time' : node
  const commandArgs = useTime ? ['-f', '%M', '-o', options.timeFile, node, ...args] : args
  const startedAt = Date.now()
  const t0 = performance.now()
  const child = spawn(command, commandArgs, { env: options.env, cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', chunk => (stdout += chunk))
  child.stderr.on('data', chunk => (stderr += chunk))
  let killed = false
  const killWhenAsked = () => {
    if (killed || !options.killWhen!()) return
    killed = true
    child.kill(options.killSignal ?? 'SIGKILL')
  }
  // Without GNU time: VmHWM is the kernel's own high-water mark, so the last value read is the peak so far.
  let polledKb = 0
  const pollMemory = () => {
    try {
      const match = /VmHWM:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))
      if (match) polledKb = Math.max(polledKb, Number(match[1]))
    } catch {
      // exited between two polls
    }
  }
  const timers = [
    setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000),
    options.killWhen && setInterval(killWhenAsked, 5),
    options.measureMemory && !useTime && setInterval(pollMemory, 20)
  ]
  const { exitCode, signal } = await new Promise<{ exitCode: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
    child.on('error', reject)
    child.on('close', (code, sig) => resolve({ exitCode: code, signal: sig }))
  })
  const wallMs = performance.now() - t0
  const endedAt = Date.now()
  for (const timer of timers) if (timer) clearTimeout(timer)

  let peakRssMb: number | undefined
  let peakRssSource: Measured['peakRssSource']
  if (useTime && existsSync(options.timeFile)) {
    const kb = Number(readFileSync(options.timeFile, 'utf8').trim().split(/\s+/).pop())
    if (Number.isFinite(kb) && kb > 0) [peakRssMb, peakRssSource] = [kb / 1024, 'gnu-time']
  } else if (polledKb > 0) {
    ;[peakRssMb, peakRssSource] = [polledKb / 1024, 'proc-poll']
  }
  return { exitCode, signal, stdout, stderr, wallMs, startedAt, endedAt, peakRssMb, peakRssSource }
}

let gnuTime: boolean | undefined
function hasGnuTime(): boolean {
  if (gnuTime === undefined) {
    const probe = existsSync('/usr/bin/time') ? spawnSync('/usr/bin/time', ['--version'], { encoding: 'utf8' }) : undefined
    gnuTime = !!probe && `${probe.stdout}${probe.stderr}`.includes('GNU')
  }
  return gnuTime
}

/** GITHUB_OUTPUT: `name=value` lines or `name<<DELIMITER` heredocs. */
export function parseOutputs(text: string): Record<string, string> {
  const outputs: Record<string, string> = {}
  const lines = text.split(/\r?\n/)
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line)
    if (heredoc) {
      const [, name, delimiter] = heredoc
      const value: string[] = []
      for (i++; i < lines.length && lines[i] !== delimiter; i++) value.push(lines[i])
      outputs[name] = value.join('\n')
    } else if (line.includes('=')) {
      outputs[line.slice(0, line.indexOf('='))] = line.slice(line.indexOf('=') + 1)
    }
  }
  return outputs
}

/** What the runner would print after masking: every value registered with add-mask replaced by ***. */
export function maskedLog(run: ActionRun): string {
  return mask(run.stdout + run.stderr, run.commands.masks)
}
