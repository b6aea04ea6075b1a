import { MAX_STATE_BYTES, MAX_STATE_CHARS, stateTooLarge } from '../core/bookmark/format.js'
import type { Repo } from '../core/config.js'
import { RateLimitedError, UserError, VARIABLE_NAMING, variableStoreNaming, type BookmarkStore, type StoreNaming } from '../engine/ports.js'
import { refusal, rights, type Access } from '../github/access.js'
import { defaultServerRetries } from '../github/request-policy.js'
import { describeError, isHttpError, isRateLimit } from '../github/errors.js'

/** The bookmark in an Actions configuration variable of a repository. */
export class VariableStore implements BookmarkStore {
  readonly description: string
  readonly maxChars = MAX_STATE_CHARS
  private exists: boolean | undefined

  constructor(
    private readonly access: Access,
    private readonly repository: Repo,
    private readonly name: string
  ) {
    this.description = `state variable ${name} in ${repository.owner}/${repository.repo}`
  }

  get naming(): StoreNaming {
    return this.access.naming ? variableStoreNaming(this.access.naming) : VARIABLE_NAMING
  }

  async read(): Promise<string | undefined> {
    const text = await this.readAnswer()
    if (text === undefined) return undefined
    // GitHub holds at most 48 KB: a larger answer is not GitHub's, and is not parsed.
    const bytes = Buffer.byteLength(text)
    if (bytes > MAX_STATE_BYTES) throw new UserError(stateTooLarge(this.description, bytes))
    let data: unknown
    try {
      data = JSON.parse(text)
    } catch {
      throw new Error(`GitHub's answer when reading the ${this.description} was not valid JSON (cut off or malformed)`)
    }
    const value = typeof data === 'object' && data !== null ? (data as { value?: unknown }).value : undefined
    if (typeof value !== 'string') throw new Error(`GitHub's answer when reading the ${this.description} has no text value`)
    return value
  }

  /** The answer as text, read before it is parsed: its size is checked first. Undefined when there is no such variable. */
  private async readAnswer(): Promise<string | undefined> {
    try {
      const { data } = await this.access.client.request('GET /repos/{owner}/{repo}/actions/variables/{name}', { ...this.repository, name: this.name, request: { parseSuccessResponseBody: false } })
      this.exists = true
      // Asked for as text: the answer's body as it came.
      return typeof data === 'string' ? data : JSON.stringify(data)
    } catch (error) {
      if (isHttpError(error) && error.status === 404) {
        // 404 is also what a token that cannot see the repository gets; the first write tells them apart.
        this.exists = false
        return undefined
      }
      throw this.explain(error, 'read')
    }
  }

  async write(text: string): Promise<void> {
    // Writing the same value again cannot do harm (a repeated create answers 409, then updates): retried like a read.
    const params = { ...this.repository, name: this.name, value: text, request: { retries: defaultServerRetries('GET') } }
    try {
      if (this.exists === false) {
        try {
          await this.access.client.request('POST /repos/{owner}/{repo}/actions/variables', params)
        } catch (error) {
          if (!isHttpError(error) || error.status !== 409) throw error
          await this.access.client.request('PATCH /repos/{owner}/{repo}/actions/variables/{name}', params)
        }
      } else {
        try {
          await this.access.client.request('PATCH /repos/{owner}/{repo}/actions/variables/{name}', params)
        } catch (error) {
          if (!isHttpError(error) || error.status !== 404) throw error
          await this.access.client.request('POST /repos/{owner}/{repo}/actions/variables', params)
        }
      }
      this.exists = true
    } catch (error) {
      throw this.explain(error, 'write')
    }
  }

  private explain(error: unknown, level: 'read' | 'write'): Error {
    if (isHttpError(error) && isRateLimit(error)) {
      return new RateLimitedError(`GitHub's rate limit refused to ${level} the ${this.description}: ${describeError(error, this.access.naming)}`)
    }
    const where = `${this.repository.owner}/${this.repository.repo}`
    const asked = rights(level)
    const permission =
      this.access.credential === 'installation'
        ? `the "Variables" repository permission (${asked}) in the app's installation on ${where}`
        : `a fine-grained token's "Variables" repository permission (${asked}) on ${where}, or a classic token's repo scope`
    return (
      refusal(this.access, error, { action: `${level} the ${this.description}`, permission }) ??
      new Error(`${level === 'read' ? 'reading' : 'writing'} the ${this.description} failed: ${describeError(error, this.access.naming)}`)
    )
  }
}
