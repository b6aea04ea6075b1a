// `npm test`'s typecheck and typed lint on one TypeScript program. `tsc -p tsconfig.all.json` and
// `eslint .` each build and check the same program (the sources' types are most of the work of
// both); here it is built once, its diagnostics printed as tsc prints them, then handed to
// typescript-eslint (parserOptions.programs) for the files eslint.config.js lints with types.
// Exit code: 1 when the types fail, 2 when lint fails, 3 when both do.
//   node scripts/typecheck-and-lint.mjs
import { ESLint } from 'eslint'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'

const root = fileURLToPath(new URL('..', import.meta.url))
const TYPES_FAILED = 1
const LINT_FAILED = 2

const configFailure = diagnostic => {
  throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'))
}
const config = ts.getParsedCommandLineOfConfigFile(`${root}tsconfig.all.json`, {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: configFailure })
// JSDoc is parsed only where it can hold types (JavaScript files, @see and @link), as tsc does:
// a TypeScript file's comments carry no types, and Octokit's API types are mostly comments.
const compilerHost = ts.createCompilerHost(config.options)
compilerHost.jsDocParsingMode = ts.JSDocParsingMode.ParseForTypeErrors
const program = ts.createProgram({ rootNames: config.fileNames, options: config.options, projectReferences: config.projectReferences, host: compilerHost })
const diagnostics = [...config.errors, ...ts.getPreEmitDiagnostics(program)]
const formatHost = { getCanonicalFileName: name => name, getCurrentDirectory: () => root, getNewLine: () => '\n' }

console.log('> typecheck (tsc --noEmit -p tsconfig.all.json)')
if (diagnostics.length > 0) {
  const color = process.env.FORCE_COLOR === '1' || process.stdout.isTTY
  process.stdout.write(color ? ts.formatDiagnosticsWithColorAndContext(diagnostics, formatHost) : ts.formatDiagnostics(diagnostics, formatHost))
  console.log(`\nFound ${diagnostics.length} error${diagnostics.length === 1 ? '' : 's'}.`)
} else {
  console.log(`no errors in ${config.fileNames.length} files`)
}

// eslint.config.js says which rules each file gets (the tests' rules need no types); every
// TypeScript file is in this program, parsed once, with the compiler options tsconfig.lint.json
// extends, so the typed rules see the types tsc just checked.
const eslint = new ESLint({
  cwd: root,
  overrideConfig: [{ files: ['**/*.ts'], languageOptions: { parserOptions: { programs: [program], project: null, loggerFn: false } } }]
})
const results = await eslint.lintFiles(['.'])
const formatter = await eslint.loadFormatter('stylish')
console.log('\n> lint (eslint .)')
const report = await formatter.format(results)
console.log(report.trim() === '' ? `no problems in ${results.length} files` : report)
const lintFailed = results.some(result => result.errorCount > 0)

process.exitCode = (diagnostics.length > 0 ? TYPES_FAILED : 0) | (lintFailed ? LINT_FAILED : 0)
