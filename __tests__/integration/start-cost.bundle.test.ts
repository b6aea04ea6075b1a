/**
 * A run loads what it uses: the app's auth (@octokit/auth-app, its OAuth packages, the JWT
 * signer) is a chunk of its own that only app credentials load, so a run with a token does not
 * evaluate it. The app runs in smoke.bundle.test.ts prove the chunk works.
 */
import { expect, test } from '@jest/globals'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { ACTION_ENTRY, CLI_ENTRY } from '../support/runner.js'

test.each([
  ['action', ACTION_ENTRY],
  ['CLI', CLI_ENTRY]
])('the %s bundle leaves the app’s auth to a chunk of its own', (_, entry) => {
  // A message of @octokit/auth-app's own, in whichever file holds its code.
  const marker = '[@octokit/auth-app] appId option is required'
  const dir = join(entry, '..')
  expect(readFileSync(entry, 'utf8')).not.toContain(marker)
  const chunks = readdirSync(dir).filter(name => /^\d+\.index\.js$/.test(name))
  expect(chunks.filter(name => readFileSync(join(dir, name), 'utf8').includes(marker))).toHaveLength(1)
})
