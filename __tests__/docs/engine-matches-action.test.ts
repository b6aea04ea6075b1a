/**
 * The engine's own list of inputs and defaults (used by the command line, where no runner
 * applies action.yml) must be action.yml's: they cannot drift apart.
 */
import { expect, test } from '@jest/globals'
import { DEFAULTS, INPUT_NAMES } from '../../src/core/config.js'
import { loadAction } from './helpers.js'

test('every input of action.yml is an input of the engine, and no other', () => {
  expect([...INPUT_NAMES].sort()).toEqual(
    loadAction()
      .inputs.map(i => i.name)
      .sort()
  )
})

test("the engine's defaults are action.yml's", () => {
  const fromAction = Object.fromEntries(
    loadAction()
      .inputs.filter(i => i.default !== '')
      .map(i => [i.name, i.default])
  )
  expect(DEFAULTS).toEqual(fromAction)
})
