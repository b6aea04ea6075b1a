import { lstatSync, mkdirSync } from 'node:fs'
import { tmpdir, userInfo } from 'node:os'
import { join } from 'node:path'

/**
 * Where a run writes its report when it is told no place (the CLI without --state-file or
 * --report-file, the action outside a runner): report.json in one directory of this user's
 * under the temporary directory, overwritten by each run, so runs never pile up folders. A
 * directory there that is not this user's alone (another user's, a symlink, writable by
 * others) is never written into.
 */
export function defaultReportPath(temp = tmpdir()): string {
  const uid = typeof process.getuid === 'function' ? process.getuid() : undefined
  const dir = join(temp, `webhook-redelivery-${uid ?? userInfo().username}`)
  try {
    mkdirSync(dir, { mode: 0o700 })
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
  }
  const stat = lstatSync(dir)
  if (!stat.isDirectory() || (uid !== undefined && stat.uid !== uid) || (stat.mode & 0o022) !== 0) {
    throw new Error(`${dir} is not a directory of this user's alone; give --report-file`)
  }
  return join(dir, 'report.json')
}
