import {
  closeSync,
  fchmodSync,
  fstatSync,
  fsyncSync,
  linkSync,
  lstatSync,
  openSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
  writeSync
} from 'node:fs'
import { hostname } from 'node:os'
import { basename, dirname, join, resolve } from 'node:path'
import { MAX_STATE_BYTES, stateTooLarge } from '../core/bookmark/format.js'
import { UserError, type BookmarkStore } from '../engine/ports.js'

/** The bookmark in a local JSON file, for the command line under cron. */
export class FileStore implements BookmarkStore {
  readonly description: string
  readonly naming = { name: '--state-file', examples: 'state-1.json, state-2.json, …' }

  constructor(private readonly path: string) {
    this.description = `state file ${path}`
  }

  async read(): Promise<string | undefined> {
    let fd: number
    try {
      fd = openSync(this.path, 'r')
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
      throw new UserError(`Cannot read the ${this.description}: ${(error as Error).message}`)
    }
    try {
      // Its size before its text: a huge file would take gigabytes to read and parse.
      const { size } = fstatSync(fd)
      if (size > MAX_STATE_BYTES) throw new UserError(stateTooLarge(this.description, size))
      // write() ends the file with a newline; without it the text compares equal to what was written.
      return readFileSync(fd, 'utf8').replace(/\n$/, '')
    } catch (error) {
      if (error instanceof UserError) throw error
      throw new UserError(`Cannot read the ${this.description}: ${(error as Error).message}`)
    } finally {
      closeSync(fd)
    }
  }

  /** Written atomically; a symlinked state file stays a link (see writeFileAtomically). */
  async write(text: string): Promise<void> {
    try {
      writeFileAtomically(this.path, text + '\n', 0o600)
    } catch (error) {
      throw new UserError(`Cannot write the ${this.description}: ${(error as Error).message}`)
    }
  }
}

/**
 * Written to a temporary file beside the target and renamed over it: a crash, or a reader at the
 * wrong moment, sees the old file or the new, never half of one. A symlinked path stays a link:
 * the rename lands on the file it points to, which keeps its mode (`mode` is for a new file).
 */
export function writeFileAtomically(path: string, text: string, mode: number): void {
  const target = linkTarget(path)
  const temporary = `${target}.${process.pid}.tmp`
  try {
    const fileMode = existingMode(target) ?? mode
    const fd = openSync(temporary, 'w', fileMode)
    try {
      fchmodSync(fd, fileMode)
      writeSync(fd, text)
      fsyncSync(fd)
    } finally {
      closeSync(fd)
    }
    renameSync(temporary, target)
  } catch (error) {
    rmSync(temporary, { force: true })
    throw error
  }
}

/**
 * Where writes to `path` land: the file its symlinks lead to (followed even when that file does
 * not exist yet), or `path` itself. The lock and the temporary file go beside it, so two links
 * to one state file share one lock.
 */
export function linkTarget(path: string): string {
  let current = resolve(path)
  for (let hops = 0; hops < 40; hops++) {
    try {
      return realpathSync(current)
    } catch {
      // Missing, or a link to a file still to be created: follow the link by hand.
    }
    let link: string
    try {
      link = readlinkSync(current)
    } catch {
      // Not there yet: its directory's real path, so every spelling of it names one file (and one lock).
      return realDirectory(current)
    }
    current = resolve(dirname(current), link)
  }
  throw new UserError(`Cannot follow the state file ${path}: too many symbolic links.`)
}

function realDirectory(path: string): string {
  try {
    return join(realpathSync(dirname(path)), basename(path))
  } catch {
    return path
  }
}

function existingMode(path: string): number | undefined {
  try {
    return statSync(path).mode & 0o777
  } catch {
    return undefined
  }
}

/** A run refreshes its lock's time this often... */
const LOCK_HEARTBEAT_MS = 60_000
/** ...so a lock not refreshed for this long is left over, wherever its process ran (another container, a shared disk). */
export const LOCK_SILENCE_MS = 10 * 60_000

/** Who holds a lock, as written in it. */
export interface LockOwner {
  pid: number
  /** The machine (or container) of the run, which refreshes the lock while it goes on. */
  host: string
  /** The kernel's boot id: a pid from before a restart means nothing. */
  boot?: string
  /** The process's start time (clock ticks since boot): tells a reused pid apart. */
  start?: string
}

/** What this machine can say about its processes. */
export interface ProcessTable {
  host: string
  boot?: string
  isAlive(pid: number): boolean
  startOf(pid: number): string | undefined
}

export function parseLockOwner(text: string): LockOwner | undefined {
  const value = text.trim()
  try {
    const doc = JSON.parse(value) as Record<string, unknown>
    if (!Number.isInteger(doc.pid) || (doc.pid as number) <= 0 || typeof doc.host !== 'string') return undefined
    const text = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined)
    return { pid: doc.pid as number, host: doc.host, boot: text(doc.boot), start: text(doc.start) }
  } catch {
    return undefined
  }
}

/**
 * Why a lock is left over, or undefined while its run may still be going. A pid alone is not
 * enough: after a restart it can belong to any other program.
 */
export function staleLockReason(owner: LockOwner | undefined, ageMs: number, here: ProcessTable): string | undefined {
  if (!owner) return 'it names no process'
  if (ageMs > LOCK_SILENCE_MS) return `its run has not refreshed it for more than ${LOCK_SILENCE_MS / 60_000} minutes`
  // Another machine's (or container's) processes cannot be seen from here: only the refresh tells.
  if (owner.host !== here.host) return undefined
  if (owner.boot !== undefined && here.boot !== undefined && owner.boot !== here.boot) return 'the machine has restarted since it was taken'
  if (!here.isAlive(owner.pid)) return `process ${owner.pid} has ended`
  const start = owner.start !== undefined ? here.startOf(owner.pid) : undefined
  if (start !== undefined && start !== owner.start) return `process ${owner.pid} is now another program`
  return undefined
}

/** This machine's processes, from /proc where there is one (Linux); elsewhere the pid and the lock's age decide. */
export const localProcesses: ProcessTable = {
  host: hostname(),
  boot: safeRead('/proc/sys/kernel/random/boot_id').trim() || undefined,
  isAlive,
  startOf(pid: number): string | undefined {
    // Field 22 of /proc/PID/stat; the command name before it may hold spaces and parentheses.
    const stat = safeRead(`/proc/${pid}/stat`)
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] || undefined
  }
}

/**
 * An exclusive lock beside the state file so two cron runs cannot overlap. A lock
 * left over (its process ended, the machine restarted, or its run stopped refreshing it)
 * is taken over.
 */
export class FileLock {
  private held = false
  /** What this run wrote in the lock: it refreshes and removes only a lock that still says so. */
  private content = ''
  private heartbeat: NodeJS.Timeout | undefined
  /** However the process ends (a second Ctrl-C exits at once), the lock goes with it. */
  private readonly releaseOnExit = (): void => this.release()

  constructor(
    readonly path: string,
    private readonly processes: ProcessTable = localProcesses,
    private readonly now: () => number = Date.now,
    private readonly heartbeatMs = LOCK_HEARTBEAT_MS
  ) {}

  acquire(): void {
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const fd = openSync(this.path, 'wx', 0o600)
        const { host, boot } = this.processes
        this.content = JSON.stringify({ pid: process.pid, host, boot, start: this.processes.startOf(process.pid), at: new Date(this.now()).toISOString() }) + '\n'
        writeFileSync(fd, this.content)
        closeSync(fd)
        this.held = true
        this.heartbeat = setInterval(() => this.refresh(), this.heartbeatMs)
        this.heartbeat.unref()
        // Signals are the command line's to handle: it stops cleanly, then releases.
        process.once('exit', this.releaseOnExit)
        return
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
          throw new UserError(`Cannot create the lock file ${this.path}: ${(error as Error).message}`)
        }
        // Reading a FIFO there would block the run for good.
        if (!isRegularFile(this.path)) throw new UserError(`The lock file ${this.path} is not a regular file: move it away, then run again.`)
        const owner = parseLockOwner(safeRead(this.path))
        if (this.staleReason(this.path, owner) === undefined) {
          const who = `process ${owner!.pid}${owner!.host ? ` on ${owner!.host}` : ''}`
          throw new UserError(
            `Another run (${who}) holds the lock ${this.path}; it is still running. Not starting a second one. If no webhook-redelivery run is going on, delete ${this.path} and run again.`
          )
        }
        this.takeOverStale()
      }
    }
    throw new UserError(`Cannot take the lock ${this.path}.`)
  }

  private staleReason(path: string, owner: LockOwner | undefined): string | undefined {
    let ageMs = 0
    try {
      ageMs = this.now() - statSync(path).mtimeMs
    } catch {
      // Gone meanwhile: the next attempt to create it decides.
    }
    return staleLockReason(owner, ageMs, this.processes)
  }

  /**
   * Moves a stale lock aside by renaming it: of two runs racing for it only one
   * rename succeeds. If what was moved turns out to be a live run's fresh lock,
   * it is put back.
   */
  private takeOverStale(): void {
    const aside = `${this.path}.${process.pid}.stale`
    try {
      renameSync(this.path, aside)
    } catch {
      return
    }
    const owner = parseLockOwner(safeRead(aside))
    if (owner && owner.pid !== process.pid && this.staleReason(aside, owner) === undefined) {
      try {
        linkSync(aside, this.path)
      } catch {
        // Someone else holds the lock now; the next attempt will see it.
      }
    }
    rmSync(aside, { force: true })
  }

  /** Shows the lock is in use, so no later run takes it over while this one goes on. */
  private refresh(): void {
    if (!this.isOurs()) return
    const at = new Date(this.now())
    try {
      utimesSync(this.path, at, at)
    } catch {
      // Checked again at the next beat.
    }
  }

  private isOurs(): boolean {
    return this.held && safeRead(this.path) === this.content
  }

  /** Removes the lock, unless another run took it over meanwhile: that run's lock stays. */
  release(): void {
    if (!this.held) return
    clearInterval(this.heartbeat)
    process.off('exit', this.releaseOnExit)
    if (this.isOurs()) rmSync(this.path, { force: true })
    this.held = false
  }
}

function isRegularFile(path: string): boolean {
  try {
    return lstatSync(path).isFile()
  } catch {
    // Gone meanwhile: the next attempt to create it decides.
    return true
  }
}

function safeRead(path: string): string {
  try {
    return readFileSync(path, 'utf8')
  } catch {
    return ''
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}
