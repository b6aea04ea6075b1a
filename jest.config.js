// ESM jest: current Octokit packages are ESM-only. TypeScript is only transpiled here (by swc,
// several times faster than ts-jest on a cold cache); `npm test`'s typecheck step checks the types.
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'es6' } }]
  },
  testMatch: ['**/__tests__/**/*.test.ts'],
  // The long suites first on a fresh clone too, where jest has no timings yet.
  testSequencer: '<rootDir>/tools/test-sequencer.mjs',
  testTimeout: 120000
}
