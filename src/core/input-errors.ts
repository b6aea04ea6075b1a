import type { INPUTS } from './inputs.generated.js'

/**
 * What the action and the command line each print for the same input error, and for any
 * message that names an input. The core and the engine say which input they mean; each front
 * end names it in its own words through a Naming:
 *
 *   the action:        Input "max-attempts" must be a positive integer, got "-1".
 *   the command line:  --max-attempts must be a positive integer, got "-1".
 *
 * The secrets are no flags of the command line: there they are environment variables.
 */

export type InputName = (typeof INPUTS)[number]['name']

/** How a front end names an input in its messages. */
export interface Naming {
  /** The input a message is about, opening it: `Input "hook-id"`, `--hook-id`. */
  subject(input: InputName): string
  /** An input named in a sentence: `"hook-id"`, `--hook-id`. */
  quoted(input: InputName): string
  /** An input in running text, unquoted in the action's words: `max-redeliveries`, `--max-redeliveries`. */
  bare(input: InputName): string
}

/** A piece of a message: text as it is, or an input the front end names. */
export type Part = string | { input: InputName; as: keyof Naming }
/** A message made of parts, so that no front end has to find input names in rendered text. */
export type Text = readonly Part[]

export const subject = (input: InputName): Part => ({ input, as: 'subject' })
export const quoted = (input: InputName): Part => ({ input, as: 'quoted' })
export const bare = (input: InputName): Part => ({ input, as: 'bare' })

/**
 * An input that cannot be used as given: which input, what it must be (or why it cannot be
 * used), and what was given. `got` is absent for a missing input, and `secret` for a value that
 * looks like a credential pasted into the wrong input: never repeated.
 */
export interface InputError {
  input: InputName
  /** Follows the input's name: `must be a positive integer`, `is required when …`. */
  expected: Text
  got?: string | { secret: true }
}

export function inputError(input: InputName, expected: Text | string, got?: InputError['got']): InputError {
  return { input, expected: typeof expected === 'string' ? [expected] : expected, ...(got === undefined ? {} : { got }) }
}

export function render(text: Text | string, naming: Naming): string {
  if (typeof text === 'string') return text
  return text.map(part => (typeof part === 'string' ? part : naming[part.as](part.input))).join('')
}

export function renderInputError(error: InputError, naming: Naming): string {
  const got = error.got === undefined ? '.' : typeof error.got === 'object' ? ', got what looks like a secret (not shown).' : `, got "${error.got}".`
  return `${naming.subject(error.input)} ${render(error.expected, naming)}${got}`
}

/** The action's words: the inputs of action.yml. */
export const ACTION_NAMING: Naming = {
  subject: input => `Input "${input}"`,
  quoted: input => `"${input}"`,
  bare: input => input
}

/**
 * The command line's words: every input is a flag (`subcommandFlags` renames some, such as
 * replay's `--since` for replay-since), and the secrets are environment variables.
 */
export function cliNaming(subcommandFlags: Partial<Record<InputName, string>> = {}): Naming {
  const flag = (input: InputName): string => {
    if (input === 'token') return 'GITHUB_TOKEN'
    if (input === 'private-key') return 'GITHUB_APP_PRIVATE_KEY (or --private-key-file)'
    return subcommandFlags[input] ?? `--${input}`
  }
  return { subject: flag, quoted: flag, bare: flag }
}

export const CLI_NAMING: Naming = cliNaming()
