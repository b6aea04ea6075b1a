/** The CLI's state file and its lock, on a real file system in a temporary directory. */
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals'
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, realpathSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs'
import { hostname, tmpdir } from 'node:os'
import { join } from 'node:path'
import { UserError } from '../../src/engine/ports.js'
import { FileLock, FileStore, linkTarget, localProcesses, LOCK_SILENCE_MS, parseLockOwner, staleLockReason, type ProcessTable } from '../../src/state/file-store.js'

let dir: string
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'file-store-test-'))
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

describe('a symlinked state file stays a link', () => {
  test('the write goes through the link to its target, atomically, and the link is kept', async () => {
    mkdirSync(join(dir, 'real'))
    const target = join(dir, 'real', 'state.json')
    writeFileSync(target, 'old\n')
    const link = join(dir, 'state.json')
    symlinkSync(target, link)

    await new FileStore(link).write('{"version":1,"hooks":{}}')

    expect(lstatSync(link).isSymbolicLink()).toBe(true)
    expect(readlinkSync(link)).toBe(target)
    expect(readFileSync(target, 'utf8')).toBe('{"version":1,"hooks":{}}\n')
    expect(await new FileStore(link).read()).toBe('{"version":1,"hooks":{}}')
    // No temporary file left beside the link or the target.
    expect(readdirSync(dir).sort()).toEqual(['real', 'state.json'])
    expect(readdirSync(join(dir, 'real'))).toEqual(['state.json'])
  })

  test('a relative link, through a chain of links, to a file not created yet', async () => {
    mkdirSync(join(dir, 'real'))
    symlinkSync('real/state.json', join(dir, 'middle.json'))
    symlinkSync('middle.json', join(dir, 'state.json'))
    expect(linkTarget(join(dir, 'state.json'))).toBe(join(realpathSync(dir), 'real', 'state.json'))

    await new FileStore(join(dir, 'state.json')).write('x')

    expect(lstatSync(join(dir, 'state.json')).isSymbolicLink()).toBe(true)
    expect(lstatSync(join(dir, 'middle.json')).isSymbolicLink()).toBe(true)
    expect(readFileSync(join(dir, 'real', 'state.json'), 'utf8')).toBe('x\n')
  })

  test('every spelling of a state file not created yet (through a linked directory) names one file, so one lock', () => {
    mkdirSync(join(dir, 'real'))
    symlinkSync(join(dir, 'real'), join(dir, 'alias'))
    expect(linkTarget(join(dir, 'alias', 'state.json'))).toBe(linkTarget(join(dir, 'real', '.', 'state.json')))
  })

  test('a link loop is an error that names the state file', async () => {
    symlinkSync('b.json', join(dir, 'a.json'))
    symlinkSync('a.json', join(dir, 'b.json'))
    await expect(new FileStore(join(dir, 'a.json')).write('x')).rejects.toThrow(UserError)
  })

  test("the state file's permissions are kept; a new one is private", async () => {
    const path = join(dir, 'state.json')
    await new FileStore(path).write('a')
    expect(statSync(path).mode & 0o777).toBe(0o600)
    chmodSync(path, 0o640)
    await new FileStore(path).write('c')
    expect(statSync(path).mode & 0o777).toBe(0o640)
  })
})

describe('lock staleness is decided by more than the pid', () => {
  const here: ProcessTable = { host: 'box', boot: 'boot-1', isAlive: () => true, startOf: () => '500' }

  test('a live process with the same identity holds the lock', () => {
    expect(staleLockReason({ pid: 42, host: 'box', boot: 'boot-1', start: '500' }, 60_000, here)).toBeUndefined()
  })

  test('a restart, a reused pid, an ended process, or no pid at all: left over', () => {
    expect(staleLockReason({ pid: 42, host: 'box', boot: 'boot-0', start: '500' }, 60_000, here)).toBe('the machine has restarted since it was taken')
    expect(staleLockReason({ pid: 42, host: 'box', boot: 'boot-1', start: '499' }, 60_000, here)).toBe('process 42 is now another program')
    expect(staleLockReason({ pid: 42, host: 'box' }, 60_000, { ...here, isAlive: () => false })).toBe('process 42 has ended')
    expect(staleLockReason(undefined, 0, here)).toBe('it names no process')
  })

  test("another machine's or container's lock (a shared disk) is held while its run refreshes it", () => {
    expect(staleLockReason({ pid: 42, host: 'other', boot: 'x', start: '1' }, 60_000, here)).toBeUndefined()
    expect(staleLockReason({ pid: 42, host: 'other' }, LOCK_SILENCE_MS + 1, here)).toBe('its run has not refreshed it for more than 10 minutes')
  })

  test('a lock not refreshed for ten minutes is left over even if its process looks alive', () => {
    expect(staleLockReason({ pid: 42, host: 'box', boot: 'boot-1', start: '500' }, LOCK_SILENCE_MS + 1, here)).toBe('its run has not refreshed it for more than 10 minutes')
  })

  test('a released lock leaves no exit listener behind: a long-lived process taking many locks does not pile them up', () => {
    const before = process.listenerCount('exit')
    for (let i = 0; i < 3; i++) {
      const lock = new FileLock(join(dir, 'state.json.lock'))
      lock.acquire()
      expect(process.listenerCount('exit')).toBe(before + 1)
      lock.release()
    }
    expect(process.listenerCount('exit')).toBe(before)
  })

  test('the lock names its process, host, boot and start, and reads back', () => {
    const lock = new FileLock(join(dir, 'state.json.lock'))
    lock.acquire()
    const owner = parseLockOwner(readFileSync(lock.path, 'utf8'))
    lock.release()
    expect(owner).toEqual({ pid: process.pid, host: hostname(), boot: localProcesses.boot, start: localProcesses.startOf(process.pid) })
    expect(parseLockOwner('')).toBeUndefined()
    expect(parseLockOwner('{"pid":-1}')).toBeUndefined()
  })
})

describe('FileLock on disk', () => {
  const lockPath = (): string => join(dir, 'state.json.lock')
  const write = (owner: object): void => writeFileSync(lockPath(), JSON.stringify(owner) + '\n')

  test('a lock of a live but unrelated process after a restart is taken over', () => {
    // This very process is alive: only the boot id says the lock is from before a restart.
    write({ pid: process.pid, host: hostname(), boot: 'a-boot-before-this-one', start: '1' })
    const lock = new FileLock(lockPath(), { ...localProcesses, boot: 'this-boot' })
    lock.acquire()
    expect(parseLockOwner(readFileSync(lockPath(), 'utf8'))?.boot).toBe('this-boot')
    lock.release()
    expect(existsSync(lockPath())).toBe(false)
  })

  test('a pid now used by another program is taken over', () => {
    write({ pid: process.pid, host: hostname(), boot: 'b', start: 'not-this-process' })
    const lock = new FileLock(lockPath(), { ...localProcesses, boot: 'b', startOf: pid => (pid === process.pid ? 'this-process' : undefined) })
    lock.acquire()
    lock.release()
  })

  test('a run refreshes its lock while it goes on, so a long run is not taken over', async () => {
    const lock = new FileLock(lockPath(), localProcesses, Date.now, 10)
    lock.acquire()
    try {
      const old = (Date.now() - LOCK_SILENCE_MS - 60_000) / 1000
      utimesSync(lockPath(), old, old)
      await new Promise(resolve => setTimeout(resolve, 60))
      expect(Date.now() - statSync(lockPath()).mtimeMs).toBeLessThan(LOCK_SILENCE_MS)
      expect(() => new FileLock(lockPath()).acquire()).toThrow(/Another run/)
    } finally {
      lock.release()
    }
  })

  test("a run whose lock was taken over does not remove the new holder's lock", () => {
    const first = new FileLock(lockPath())
    first.acquire()
    const other = JSON.stringify({ pid: 1, host: 'elsewhere' }) + '\n'
    writeFileSync(lockPath(), other)
    first.release()
    expect(readFileSync(lockPath(), 'utf8')).toBe(other)
  })

  test('a lock a live run holds is refused, saying what to do, and left alone', () => {
    const first = new FileLock(lockPath())
    first.acquire()
    const held = readFileSync(lockPath(), 'utf8')
    try {
      expect(() => new FileLock(lockPath()).acquire()).toThrow(
        `Another run (process ${process.pid} on ${hostname()}) holds the lock ${lockPath()}; it is still running. Not starting a second one. If no webhook-redelivery run is going on, delete ${lockPath()} and run again.`
      )
      expect(readFileSync(lockPath(), 'utf8')).toBe(held)
    } finally {
      first.release()
    }
  })
})
