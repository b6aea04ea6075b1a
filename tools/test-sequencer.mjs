// The order jest runs the suites in (jest.config.js). Jest starts the suites that took longest
// last time first, so that no core is left alone with a long one at the end. A fresh clone (CI,
// a new machine) has no timings yet, and jest then goes by file size, which puts the long suites
// late: those that wait on processes and real time, and those that make thousands of requests.
// Without timings, those start first here; with them, jest's own order stands.
import Sequencer from '@jest/test-sequencer'

const LONGEST = [/\.bundle\.test\.ts$/, /\/__tests__\/(fleet|outage)\//, /\/__tests__\/integration\/(local-action|window-over-budget)\.test\.ts$/, /\/__tests__\/cli\/replay\.test\.ts$/]

export default class LongestFirst extends Sequencer {
  sort(tests) {
    const sorted = super.sort(tests)
    if (sorted.some(test => test.duration != null)) return sorted
    const known = test => (LONGEST.some(pattern => pattern.test(test.path.replaceAll('\\', '/'))) ? 0 : 1)
    // Array.prototype.sort is stable: within each group, jest's order (by file size) stays.
    return [...sorted].sort((a, b) => known(a) - known(b))
  }
}
