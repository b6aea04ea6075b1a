// typescript-eslint's recommended rules (no type information needed, so it stays fast).
import js from '@eslint/js'
import globals from 'globals'
import tseslint from 'typescript-eslint'

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
    files: ['__tests__/**', 'tools/**'],
    rules: {
      // Tests read JSON (API responses, report files) whose shape their assertions check.
      '@typescript-eslint/no-explicit-any': 'off'
    }
  }
)
