export * from '../../tools/runner.js'
