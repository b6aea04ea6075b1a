// typescript-eslint with type information: an engine this asynchronous must not drop a promise
// (no-floating-promises) nor hand one where a callback's result is ignored (no-misused-promises).
// The sources (src, local-api, scripts, tools) get the whole type-checked set; the tests Jest's
// rules, without type information (typing the tests too doubled the time of `npm test`'s lint).
import js from '@eslint/js'
import jest from 'eslint-plugin-jest'
import globals from 'globals'
import tseslint from 'typescript-eslint'

const PROMISE_RULES = {
  '@typescript-eslint/no-floating-promises': 'error',
  '@typescript-eslint/no-misused-promises': 'error'
}

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/'] },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    languageOptions: { globals: globals.node },
    rules: {
      // A leading underscore marks a name kept on purpose (a callback's unused parameter, a
      // property left out of a rest object).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', ignoreRestSiblings: true }]
    }
  },
  {
    files: ['src/**/*.ts', 'scripts/**/*.ts', 'tools/**/*.ts', 'local-api/**/*.ts'],
    languageOptions: { parserOptions: { project: './tsconfig.lint.json', tsconfigRootDir: import.meta.dirname } },
    extends: [tseslint.configs.recommendedTypeCheckedOnly],
    rules: {
      ...PROMISE_RULES,
      // Loggers and ports are plain objects of arrow functions: passing `log.info` along is how they are meant to be used.
      '@typescript-eslint/unbound-method': 'off',
      // A port's methods are async by contract, also where an implementation has nothing to await (a file read synchronously).
      '@typescript-eslint/require-await': 'off'
    }
  },
  {
    files: ['__tests__/**/*.ts'],
    ...jest.configs['flat/recommended'],
    rules: {
      ...jest.configs['flat/recommended'].rules,
      // Many tests assert inside shared helpers (agrees(), expectEachOnce()…), which the rule cannot see.
      'jest/expect-expect': 'off',
      // Table-driven tests assert what each case calls for (a row with a reason, an error only when one is expected).
      'jest/no-conditional-expect': 'off',
      // Tests read JSON (API responses, report files) whose shape their assertions check.
      '@typescript-eslint/no-explicit-any': 'off'
    }
  },
  {
    files: ['tools/**'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off'
    }
  }
)
