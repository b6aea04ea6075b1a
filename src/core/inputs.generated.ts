// Generated from action.yml and package.json by scripts/generate-inputs.mjs: do not edit.
// Change action.yml (or the version in package.json) and run `npm run generate`.

/** package.json's version: the user agent's and `--version`'s. */
export const VERSION = '1.0.0'

/** Every input of action.yml, in its order. The CLI takes each as `flag`, except the secrets. */
export const INPUTS = [
  {
    name: 'target-type',
    description: "Which webhook to scan: `app` (the GitHub App's webhook), `org` (organization webhooks) or `repo` (repository webhooks).",
    required: true,
    default: '',
    flag: '--target-type'
  },
  {
    name: 'app-id',
    description: "GitHub App ID, or the app's client ID. Required for `app`. With `private-key` it can also authenticate `org` and `repo` through an installation token instead of `token`.",
    required: false,
    default: '',
    flag: '--app-id'
  },
  {
    name: 'private-key',
    description: "The GitHub App's PEM private key (PKCS#1 or PKCS#8). Newlines escaped as `\\n` are accepted.",
    required: false,
    default: '',
    flag: '--private-key'
  },
  {
    name: 'token',
    description:
      'A token for `org`/`repo` hook endpoints (unless app credentials are given) and for reading and writing the state variable. `GITHUB_TOKEN` can do neither: use a fine-grained or classic personal access token, or app credentials.',
    required: false,
    default: '',
    flag: '--token'
  },
  {
    name: 'org',
    description: 'Organization login. Required for `org`.',
    required: false,
    default: '',
    flag: '--org'
  },
  {
    name: 'repository',
    description:
      "For `repo`: one or more `owner/name`, comma- or newline-separated; `owner/*` is every repository of that owner the credentials can see (archived ones skipped), `owner/prefix-*` a name prefix. Default: the workflow's repository.",
    required: false,
    default: '',
    flag: '--repository'
  },
  {
    name: 'hook-id',
    description:
      "One or more hook IDs, comma- or newline-separated. A hook's payload URL is also accepted; a payload URL ending in `*` matches every hook whose URL starts with it. Empty: every active hook of the organization or repositories. Ignored for `app`.",
    required: false,
    default: '',
    flag: '--hook-id'
  },
  {
    name: 'hostname',
    description:
      "Where GitHub is. Empty: the runner's `GITHUB_API_URL` (so GHES runners work untouched), else `https://api.github.com`. Accepts `github.com`, `SUBDOMAIN.ghe.com`, a GHES host name (`ghe.example.com`, `host:port`), a web address (`https://ghe.example.com`, mapped to its API), or a full API URL (`https://ghe.example.com/api/v3`).",
    required: false,
    default: '',
    flag: '--hostname'
  },
  {
    name: 'state-variable',
    description: 'Name of the Actions configuration variable that bookmarks how far the last run got, so the next run scans only what is new. Empty: keep no bookmark and scan `lookback` every run.',
    required: false,
    default: '',
    flag: '--state-variable'
  },
  {
    name: 'state-repository',
    description: "`owner/name` of the repository holding the state variable. Default: the workflow's repository.",
    required: false,
    default: '',
    flag: '--state-repository'
  },
  {
    name: 'lookback',
    description:
      'How far back to scan when there is no bookmark (first run, or no `state-variable`), such as `90m`, `6h` or `3d`. Clamped to what GitHub can still redeliver (3 days on github.com, 7 on GHES).',
    required: false,
    default: '24h',
    flag: '--lookback'
  },
  {
    name: 'max-attempts',
    description: 'Most redeliveries of one delivery (one guid) that a receiver which was up refused, across all runs, before giving up on it. Probes sent while a receiver is down do not count.',
    required: false,
    default: '3',
    flag: '--max-attempts'
  },
  {
    name: 'max-redeliveries',
    description: 'Most redelivery requests in one run. What is left over is redelivered by the next run, not dropped.',
    required: false,
    default: '500',
    flag: '--max-redeliveries'
  },
  {
    name: 'events',
    description: 'Only redeliver these events, comma-separated: `push`, `pull_request`, or `pull_request.opened`. Empty: all events.',
    required: false,
    default: '',
    flag: '--events'
  },
  {
    name: 'max-age',
    description: 'Do not redeliver a delivery whose first attempt is older than this (such as `6h`), as its content may be stale. Empty: no limit.',
    required: false,
    default: '',
    flag: '--max-age'
  },
  {
    name: 'dry-run',
    description: '`true`: find and report, but redeliver nothing and write no state.',
    required: false,
    default: 'false',
    flag: '--dry-run'
  },
  {
    name: 'shard',
    description:
      '`i/n` (such as `2/8`): look after only the i-th of n deterministic, stable parts of the hooks found, so a matrix of n jobs covers a fleet: a fleet of repositories is split by repository, an organization or one repository by hook ID. Give each shard its own `state-variable`. Empty: every hook.',
    required: false,
    default: '',
    flag: '--shard'
  },
  {
    name: 'expiring-within',
    description:
      "Warn (output `expiring`, a caution in the job summary, `fail-on: expiring`) about failing deliveries that will leave GitHub's redelivery window (3 days on github.com and GHE.com, 7 on GHES) within this margin, such as `12h` or `1d`.",
    required: false,
    default: '12h',
    flag: '--expiring-within'
  },
  {
    name: 'replay-since',
    description:
      'Replay instead of redelivering failures: one redelivery per event whose first delivery is at or after this time, succeeded or failed, oldest first, one a second. An ISO 8601 time with its zone (`2026-12-07T06:00:00Z`) or a duration ago (`6h`). Previews unless `replay-send` is `true`. Needs `state-variable` to send. Empty: no replay (the scheduled redelivery of failures).',
    required: false,
    default: '',
    flag: '--replay-since'
  },
  {
    name: 'replay-until',
    description: 'With `replay-since`: the end of the range (excluded), in the same forms. Empty: now.',
    required: false,
    default: '',
    flag: '--replay-until'
  },
  {
    name: 'replay-outcome',
    description: 'With `replay-since`: `failed` or `succeeded` to replay only events whose deliveries all failed, or that succeeded at least once. Empty: both.',
    required: false,
    default: '',
    flag: '--replay-outcome'
  },
  {
    name: 'replay-send',
    description:
      'With `replay-since`: `true` sends the replay; `false` previews it (counts by hook and event, the range covered, the time it takes). Running the same replay again continues it and sends nothing twice.',
    required: false,
    default: 'false',
    flag: '--replay-send'
  },
  {
    name: 'fail-on',
    description:
      "When the step fails, comma-separated: `errors` (redelivery requests that failed after retries, or a run that could not finish), `given-up` (a delivery was given up this run), `receiver-down` (a hook's receiver was found down), `expiring` (a failing delivery will leave GitHub's redelivery window within `expiring-within`). `never`: always succeed once the outputs are written.",
    required: false,
    default: 'errors',
    flag: '--fail-on'
  }
] as const

/** Every output of action.yml, in its order: what the action sets and the CLI's `--json` prints. */
export const OUTPUTS = [
  {
    name: 'scanned',
    description: 'Delivery attempts examined.'
  },
  {
    name: 'failed',
    description: 'Distinct deliveries (guids) found failing and due: no successful attempt, no redelivery still in flight, and not already given up by an earlier run.'
  },
  {
    name: 'redelivered',
    description: 'Redelivery requests GitHub accepted.'
  },
  {
    name: 'skipped',
    description:
      "Failing deliveries not redelivered, each with a reason in the report: filtered out by events, max-attempts or the run budget used up, waiting for a receiver that is down or for the backoff after a refusal, older than max-age or than GitHub can redeliver, stopped by GitHub's rate limits, refused by GitHub, or dry run."
  },
  {
    name: 'errors',
    description: 'Redelivery requests that failed after retries; they are tried again by the next run.'
  },
  {
    name: 'given-up',
    description: 'Deliveries given up this run (max-attempts used up, or older than GitHub can redeliver); part of skipped. The report says why for each.'
  },
  {
    name: 'receivers-down',
    description: 'Hooks whose receiver was found down this run; their failing deliveries wait (skipped with reason receiver-down) and cost no attempt.'
  },
  {
    name: 'expiring',
    description: "Failing deliveries that will leave GitHub's redelivery window within `expiring-within` (default 12h): fix their receiver before then, or they can no longer be recovered."
  },
  {
    name: 'replayed',
    description: 'With `replay-since`: redeliveries this replay sent in this run (0 for a preview and for the scheduled redelivery of failures).'
  },
  {
    name: 'replay-left',
    description: 'With `replay-since`: events of the replay not sent yet (all of them in a preview); run the same replay again to continue.'
  },
  {
    name: 'report',
    description: 'Path of a JSON file (under RUNNER_TEMP) listing each failing delivery and what was done with it.'
  }
] as const
