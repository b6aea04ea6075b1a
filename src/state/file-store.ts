import { closeSync, fsyncSync, linkSync, openSync, readFileSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs'
import { UserError, type BookmarkStore } from '../engine/ports.js'

/** The bookmark in a local JSON file, for the command line under cron. */
export class FileStore implements BookmarkStore {
  readonly description: string

  constructor(private readonly path: string) {
    this.description = `state file ${path}`
  }

  async read(): Promise<string | undefined> {
    try {
      // write() ends the file with a newline; without it the text compares equal to what was written.
      return readFileSync(this.path, 'utf8').replace(/\n$/, '')
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
      throw new UserError(`Cannot read the ${this.description}: ${(error as Error).message}`)
    }
  }

  /** Written to a temporary file and renamed over the old one: a crash leaves the old or the new, never half. */
  async write(text: string): Promise<void> {
    const temporary = `${this.path}.${process.pid}.tmp`
    try {
      const fd = openSync(temporary, 'w', 0o600)
      try {
        writeSync(fd, text + '\n')
        fsyncSync(fd)
      } finally {
        closeSync(fd)
      }
      renameSync(temporary, this.path)
    } catch (error) {
      rmSync(temporary, { force: true })
      throw new UserError(`Cannot write the ${this.description}: ${(error as Error).message}`)
    }
  }
}

/**
 * An exclusive lock beside the state file so two cron runs cannot overlap. A
 * lock left by a process that no longer exists is taken over.
 */
export class FileLock {
  private held = false

  constructor(readonly path: string) {}

  acquire(): void {
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const fd = openSync(this.path, 'wx', 0o600)
        writeFileSync(fd, `${process.pid}\n`)
        closeSync(fd)
        this.held = true
        // However the process ends (a second Ctrl-C exits at once), the lock goes with it.
        // Signals are the command line's to handle: it stops cleanly, then releases.
        process.once('exit', () => this.release())
        return
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
          throw new UserError(`Cannot create the lock file ${this.path}: ${(error as Error).message}`)
        }
        const owner = Number(safeRead(this.path).trim())
        if (Number.isInteger(owner) && owner > 0 && isAlive(owner)) {
          throw new UserError(`Another run (process ${owner}) holds the lock ${this.path}; it is still running. Not starting a second one.`)
        }
        this.takeOverStale()
      }
    }
    throw new UserError(`Cannot take the lock ${this.path}.`)
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
    const owner = Number(safeRead(aside).trim())
    if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && isAlive(owner)) {
      try {
        linkSync(aside, this.path)
      } catch {
        // Someone else holds the lock now; the next attempt will see it.
      }
    }
    rmSync(aside, { force: true })
  }

  release(): void {
    if (!this.held) return
    this.held = false
    rmSync(this.path, { force: true })
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
