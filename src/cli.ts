#!/usr/bin/env node
/** The command line: the same engine as the action, for cron on one's own server. */
import { INTERRUPTED_EXIT_CODES, main } from './cli/main.js'
import { keepYoungGenerationSmall } from './runtime.js'

keepYoungGenerationSmall()

// Ctrl-C or a cancelled job: stop before the next redelivery, then save the bookmark and the
// report and say what was sent. A second signal stops at once (the lock is released on exit).
const interrupt = new AbortController()
const onSignal = (signal: NodeJS.Signals): void => {
  if (interrupt.signal.aborted) process.exit(INTERRUPTED_EXIT_CODES[signal])
  process.stderr.write(`${signal}: stopping after the request in progress, then saving the bookmark and the report. Send it again to stop at once.\n`)
  interrupt.abort(signal)
}
process.on('SIGINT', onSignal)
process.on('SIGTERM', onSignal)

process.exitCode = await main(process.argv.slice(2), process.env, undefined, interrupt.signal)
process.off('SIGINT', onSignal)
process.off('SIGTERM', onSignal)
