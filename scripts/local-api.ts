// Runs the local GitHub REST API on its own, for trying the CLI or action by hand:
//   npx tsx scripts/local-api.ts [--port N] [--seed-day] [--tls] [--latency MS] [--seed N]
// Prints where it listens and the credentials to use; Ctrl-C stops it.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { seedRealisticDay, startLocalApi } from '../local-api/index.js'

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    'seed-day': { type: 'boolean', default: false },
    tls: { type: 'boolean', default: false },
    latency: { type: 'string' },
    seed: { type: 'string' },
    help: { type: 'boolean', default: false }
  }
})

if (values.help) {
  console.log(`usage: npm run local-api -- [--port N] [--seed-day] [--tls] [--latency MS] [--seed N]
  --port N       listen on this port (default: any free one)
  --seed-day     seed a realistic day of app, org and repository deliveries
  --tls          HTTPS with a self-signed certificate (printed: trust it with NODE_EXTRA_CA_CERTS)
  --latency MS   answer every request this much later
  --seed N       the seed of the fault and traffic generators`)
  process.exit(0)
}

/** The CLI as a clone runs it: its bin is not on the PATH, npx finds it. */
const TRY_CLI = 'npx webhook-redelivery'

const api = await startLocalApi({
  port: values.port ? Number(values.port) : undefined,
  tls: values.tls,
  latencyMs: values.latency ? Number(values.latency) : undefined,
  seed: values.seed ? Number(values.seed) : undefined
})

// Secrets go to files in a private temp dir rather than only to the terminal.
const dir = mkdtempSync(join(tmpdir(), 'local-github-api-'))
console.log(`local GitHub API listening on ${api.url}`)
console.log(`  GHES-style base: ${api.ghesUrl}`)
// Over HTTPS, the CLI must trust the self-signed certificate: the "try" lines say so too.
let trust = ''
if (api.certPem) {
  const caFile = join(dir, 'ca.pem')
  writeFileSync(caFile, api.certPem)
  console.log(`  trust it with: NODE_EXTRA_CA_CERTS=${caFile}`)
  trust = `NODE_EXTRA_CA_CERTS=${caFile} `
}

if (values['seed-day']) {
  const day = seedRealisticDay(api)
  const keyFile = join(dir, 'app.pem')
  writeFileSync(keyFile, day.app.privateKeyPem, { mode: 0o600 })
  const hookId = (h: (typeof day.hooks)['org']) => (h.kind === 'app' ? '-' : String(h.id))
  console.log(`\nseeded a realistic day:`)
  console.log(`  app id ${day.app.id} (client id ${day.app.clientId}), private key: ${keyFile}`)
  console.log(`  installation ${day.installationId} on org ${day.org}`)
  console.log(`  token (PAT, hooks write on ${day.org} and ${day.repo}, variables write on ${day.repo}): ${day.token}`)
  console.log(`  org hook ${hookId(day.hooks.org)}, repo ${day.repo} hook ${hookId(day.hooks.repo)}`)
  console.log(`  deliveries: ${JSON.stringify(day.deliveries)}; failing guids: ${JSON.stringify(day.failing)}`)
  console.log(`\ntry, in another terminal of this clone: ${trust}GITHUB_TOKEN=${day.token} ${TRY_CLI} --hostname ${api.url} --target-type org --org ${day.org} --dry-run`)
} else {
  const app = api.createApp()
  const keyFile = join(dir, 'app.pem')
  writeFileSync(keyFile, app.privateKeyPem, { mode: 0o600 })
  const hook = api.createOrgHook('acme')
  const token = api.createToken({ grants: [{ org: 'acme', hooks: 'write', variables: 'write' }] })
  console.log(`  app id ${app.id}, private key: ${keyFile}`)
  console.log(`  org acme, hook ${(hook as { id: number }).id}; token: ${token}`)
  console.log(`\ntry, in another terminal of this clone: ${trust}GITHUB_TOKEN=${token} ${TRY_CLI} --hostname ${api.url} --target-type org --org acme --dry-run`)
}

let stopping = false
const stop = async () => {
  if (stopping) return
  stopping = true
  await api.close()
  rmSync(dir, { recursive: true, force: true })
  console.log('\nstopped')
  process.exit(0)
}
process.on('SIGINT', () => void stop())
process.on('SIGTERM', () => void stop())
