// @jest/test-sequencer's types describe its CommonJS build, seen from an ES module as an object
// whose `default` is the class; its ES module build (which test-sequencer.mjs imports) exports
// that class as the default itself.
import jestSequencer from '@jest/test-sequencer'

/** Jest's sequencer, with the known-long suites first among those it has no timing for. */
export default class LongestFirst extends jestSequencer.default {}
