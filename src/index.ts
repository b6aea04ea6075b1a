/** The action's entry point: @github/local-action and the runner both go through run(). */
import { run } from './main.js'

await run()
