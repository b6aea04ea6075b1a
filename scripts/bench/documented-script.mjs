// What GitHub's documentation offers instead of this action ("Automatically redelivering
// failed deliveries for an organization webhook"), reduced to its algorithm, for the benchmark
// to run side by side with the action on the same window. Like the docs' `octokit` package,
// it composes Octokit with the pagination, throttling and retry plugins; it authenticates
// with a token (the docs' organization variant). Environment: GITHUB_API_URL, TOKEN, ORG,
// HOOK_ID, STATE_REPO (owner/name), STATE_VARIABLE.

import { Octokit } from '@octokit/core'
import { paginateRest } from '@octokit/plugin-paginate-rest'
import { retry } from '@octokit/plugin-retry'
import { throttling } from '@octokit/plugin-throttling'

const { GITHUB_API_URL, TOKEN, ORG, HOOK_ID, STATE_REPO, STATE_VARIABLE } = process.env
const [owner, repo] = STATE_REPO.split('/')
const ScriptOctokit = Octokit.plugin(paginateRest, throttling, retry)
const octokit = new ScriptOctokit({
  baseUrl: GITHUB_API_URL,
  auth: TOKEN,
  throttle: { onRateLimit: () => true, onSecondaryRateLimit: () => true }
})

async function readBookmark() {
  try {
    const { data } = await octokit.request('GET /repos/{owner}/{repo}/actions/variables/{name}', { owner, repo, name: STATE_VARIABLE })
    return data.value
  } catch (error) {
    if (error.status === 404) return undefined
    throw error
  }
}

const stored = await readBookmark()
const since = Number(stored || Date.now() - 24 * 60 * 60 * 1000)
const startedAt = Date.now()

// Newest first, page by page, until a page reaches back past the bookmark.
const deliveries = []
for await (const { data } of octokit.paginate.iterator('GET /orgs/{org}/hooks/{hook_id}/deliveries', { org: ORG, hook_id: HOOK_ID, per_page: 100 })) {
  const oldest = new Date(data[data.length - 1]?.delivered_at ?? 0).getTime()
  if (oldest < since) {
    deliveries.push(...data.filter(d => new Date(d.delivered_at).getTime() > since))
    break
  }
  deliveries.push(...data)
}

// One redelivery per guid that no attempt delivered, of its newest attempt.
const byGuid = new Map()
for (const d of deliveries) byGuid.set(d.guid, [...(byGuid.get(d.guid) ?? []), d])
const failing = [...byGuid.values()].filter(attempts => !attempts.some(a => a.status === 'OK')).map(attempts => attempts[0].id)
for (const id of failing) {
  await octokit.request('POST /orgs/{org}/hooks/{hook_id}/deliveries/{delivery_id}/attempts', { org: ORG, hook_id: HOOK_ID, delivery_id: id })
}

const value = String(startedAt)
if (stored) await octokit.request('PATCH /repos/{owner}/{repo}/actions/variables/{name}', { owner, repo, name: STATE_VARIABLE, value })
else await octokit.request('POST /repos/{owner}/{repo}/actions/variables', { owner, repo, name: STATE_VARIABLE, value })
console.log(`redelivered ${failing.length} of ${deliveries.length} deliveries`)
