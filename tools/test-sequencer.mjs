// The order jest runs the suites in (jest.config.js). Jest starts the suites that took longest
// last time first, so that no core is left alone with a long one at the end; a suite it has no
// timing for goes by file size. A fresh clone (CI, a new machine) has no timings at all, and file
// size puts the long suites late: those that wait on processes and real time, and those that
// make thousands of requests. Among the suites without a timing, those start first here.
import Sequencer from '@jest/test-sequencer'

const LONGEST = [/\.bundle\.test\.ts$/, /\/__tests__\/(fleet|outage)\//, /\/__tests__\/integration\/(local-action|window-over-budget)\.test\.ts$/, /\/__tests__\/cli\/replay\.test\.ts$/]

const knownLong = test => LONGEST.some(pattern => pattern.test(test.path.replaceAll('\\', '/')))

export default class LongestFirst extends Sequencer {
  sort(tests) {
    const sorted = super.sort(tests)
    // Jest's order stands for the suites it has a timing for (and those that failed last time);
    // the untimed ones keep their places in it, reordered among themselves: known-long first,
    // then by file size (Array.prototype.sort is stable).
    const untimed = sorted.flatMap((test, at) => (test.duration == null ? [at] : []))
    const reordered = untimed.map(at => sorted[at]).sort((a, b) => Number(knownLong(b)) - Number(knownLong(a)))
    untimed.forEach((at, i) => (sorted[at] = reordered[i]))
    return sorted
  }
}
