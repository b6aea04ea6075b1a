#!/usr/bin/env node
/** The command line: the same engine as the action, for cron on one's own server. */
import { main } from './cli/main.js'

process.exitCode = await main(process.argv.slice(2), process.env)
