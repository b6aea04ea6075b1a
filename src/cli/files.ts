import { statSync, type Stats } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { linkTarget } from '../state/file-store.js'

/** The paths the command line is given: the files it keeps or reads, and those it writes. */
export interface FilePaths {
  stateFile?: string
  privateKeyFile?: string
  reportFile?: string
  metricsFile?: string
}

/**
 * The one check of the files a run writes (the bookmark, the report, the metrics), before anything
 * is read or sent: none may be a file the run keeps or reads (the state file, its lock, the private
 * key) or another file it writes. A metrics file written over the state file would replace the
 * bookmark every run. Paths are compared as the files they lead to (symlinks followed, `./x` is `x`).
 */
export function clashingFiles(paths: FilePaths): string | undefined {
  const file = (path: string): string => {
    try {
      return linkTarget(path)
    } catch {
      return resolve(path)
    }
  }
  interface Named {
    flag: string
    path: string
    what: string
  }
  const kept: Named[] = []
  const written: Named[] = []
  if (paths.stateFile) {
    const state = file(paths.stateFile)
    kept.push({ flag: '--state-file', path: state, what: 'the bookmark' }, { flag: '--state-file', path: `${state}.lock`, what: 'the lock beside the state file' })
    written.push({ flag: '--state-file', path: state, what: 'the bookmark' })
  }
  if (paths.privateKeyFile) kept.push({ flag: '--private-key-file', path: file(paths.privateKeyFile), what: 'the private key' })
  if (paths.reportFile) written.push({ flag: '--report-file', path: file(paths.reportFile), what: 'the report' })
  if (paths.metricsFile) {
    const metrics = file(paths.metricsFile)
    written.push({ flag: '--metrics-file', path: metrics, what: 'the metrics' }, { flag: '--metrics-file', path: `${metrics}.state.json`, what: 'the last-success times beside the metrics' })
  }
  for (const [i, out] of written.entries()) {
    // Kept files first (the bookmark is both), then the files written before this one.
    const other = [...kept, ...written.slice(0, i)].find(k => k.path === out.path && k.what !== out.what)
    if (other) {
      return `${out.flag} and ${other.flag} lead to the same file (${out.path}): ${out.what} would overwrite ${other.what}. Give ${out.flag} another path.`
    }
  }
  return undefined
}

/**
 * Why a file cannot be written at `given` (a --flag's path), or undefined: anything there but a
 * regular file (or a link to one), or a regular file where a directory of its path must be. Asked
 * before the path is opened: a FIFO would block the run, and a device (`/dev/null`) would be
 * replaced by the rename that writes the file atomically.
 */
export function unusableFilePath(flag: string, given: string): string | undefined {
  const path = resolve(given)
  const stat = statOrUndefined(path)
  if (stat?.isDirectory()) return `${flag} ${given} is a directory: give the path of a file (in it, or elsewhere).`
  if (stat && !stat.isFile()) return `${flag} ${given} is ${specialKind(stat)}, not a regular file: give the path of a file.`
  for (let dir = dirname(path); dir !== dirname(dir); dir = dirname(dir)) {
    const stat = statOrUndefined(dir)
    if (!stat) continue
    if (!stat.isDirectory()) return `${flag} ${given} cannot be created: ${dir} is a file, not a directory.`
    return undefined
  }
  return undefined
}

function specialKind(stat: Stats): string {
  if (stat.isCharacterDevice()) return 'a character device'
  if (stat.isBlockDevice()) return 'a block device'
  if (stat.isFIFO()) return 'a FIFO (named pipe)'
  if (stat.isSocket()) return 'a socket'
  return 'a special file'
}

function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path)
  } catch {
    return undefined
  }
}
