#!/usr/bin/env node
import { createRequire as __WEBPACK_EXTERNAL_createRequire } from "module";
/******/ var __webpack_modules__ = ({

/***/ 5581:
/***/ ((module, __unused_webpack___webpack_exports__, __nccwpck_require__) => {

__nccwpck_require__.a(module, async (__webpack_handle_async_dependencies__, __webpack_async_result__) => { try {
/* harmony import */ var _cli_main_js__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(3641);
/** The command line: the same engine as the action, for cron on one's own server. */

// Ctrl-C or a cancelled job: stop before the next redelivery, then save the bookmark and the
// report and say what was sent. A second signal stops at once (the lock is released on exit).
const interrupt = new AbortController();
const onSignal = (signal) => {
    if (interrupt.signal.aborted)
        process.exit(_cli_main_js__WEBPACK_IMPORTED_MODULE_0__/* .INTERRUPTED_EXIT_CODES */ .T[signal]);
    process.stderr.write(`${signal}: stopping after the request in progress, then saving the bookmark and the report. Send it again to stop at once.\n`);
    interrupt.abort(signal);
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);
process.exitCode = await (0,_cli_main_js__WEBPACK_IMPORTED_MODULE_0__/* .main */ .i)(process.argv.slice(2), process.env, undefined, interrupt.signal);
process.off('SIGINT', onSignal);
process.off('SIGTERM', onSignal);

__webpack_async_result__();
} catch(e) { __webpack_async_result__(e); } }, 1);

/***/ }),

/***/ 3641:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {


// EXPORTS
__nccwpck_require__.d(__webpack_exports__, {
  T: () => (/* binding */ INTERRUPTED_EXIT_CODES),
  i: () => (/* binding */ main)
});

;// CONCATENATED MODULE: external "node:fs"
const external_node_fs_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:fs");
;// CONCATENATED MODULE: external "node:os"
const external_node_os_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:os");
;// CONCATENATED MODULE: external "node:path"
const external_node_path_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:path");
// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __nccwpck_require__(7598);
;// CONCATENATED MODULE: ./src/core/duration.ts
const UNIT_MS = {
    s: 1_000,
    m: 60_000,
    h: 3_600_000,
    d: 86_400_000,
    w: 604_800_000
};
/**
 * Parses durations such as `90m`, `6h`, `3d` or `1d12h`. A unit is required:
 * a bare number is ambiguous (seconds? minutes?) and is rejected.
 */
function parseDuration(text) {
    const value = text.trim().toLowerCase();
    if (!/^(\d+\s*[smhdw]\s*)+$/.test(value))
        return undefined;
    let total = 0;
    for (const [, amount, unit] of value.matchAll(/(\d+)\s*([smhdw])/g)) {
        total += Number(amount) * UNIT_MS[unit];
    }
    return Number.isSafeInteger(total) && total > 0 ? total : undefined;
}
/** `3d`, `6h`, `90m`: the shortest exact rendering, for messages. */
function formatDuration(ms) {
    // Days, not weeks: people write `7d`, and GitHub's windows are 3 and 7 days.
    for (const unit of ['d', 'h', 'm', 's']) {
        if (ms >= UNIT_MS[unit] && ms % UNIT_MS[unit] === 0)
            return `${ms / UNIT_MS[unit]}${unit}`;
    }
    return `${Math.round(ms / 1000)}s`;
}

;// CONCATENATED MODULE: ./src/core/ids.ts
function isDeliveryId(value) {
    return /^[1-9]\d{0,19}$/.test(value);
}
function compareIds(a, b) {
    if (a.length !== b.length)
        return a.length < b.length ? -1 : 1;
    return a < b ? -1 : a > b ? 1 : 0;
}
/** Octokit parses large integers as bigint and small ones as number. */
function idToString(value) {
    const text = typeof value === 'bigint' ? value.toString() : typeof value === 'number' && Number.isSafeInteger(value) ? String(value) : value;
    if (typeof text === 'string' && isDeliveryId(text))
        return text;
    throw new TypeError(`unexpected delivery id ${String(value)}`);
}
/** A hook's id as GitHub gives it: a positive integer of up to 20 digits (written as text, as ids above 2^53 must be). */
const HOOK_ID = /^[1-9]\d{0,19}$/;

;// CONCATENATED MODULE: ./src/core/fleet.ts
// Building blocks for fleets of repository hooks: which repositories the `repository`
// input names, which hooks the `hook-id` input names, and which part of them a `shard`
// looks after. Pure: no I/O, nothing here decides when to call GitHub.


// ---------- repositories ----------
/** GitHub logins: letters, digits and hyphens, not starting with a hyphen, at most 39. */
const OWNER = /^[a-z0-9][a-z0-9-]{0,38}$/i;
/** Repository names: letters, digits, `.`, `_` and `-`, at most 100 (never `.` or `..`). */
const NAME = /^[a-z0-9._-]{1,100}$/i;
/** A name prefix before `*`: the same characters, possibly none (`owner/*`). */
const PREFIX = /^[a-z0-9._-]{0,99}$/i;
/**
 * Parses `owner/name`, `owner/*` and `owner/prefix-*` entries, comma- or newline-separated.
 * Only characters GitHub allows in logins and names get through, so nothing an entry holds
 * can change the shape of an API path. Repeated entries (any case) are kept once.
 */
function parseRepositoryPatterns(text) {
    const patterns = [];
    const errors = [];
    const seen = new Set();
    for (const entry of splitEntries(text)) {
        const pattern = parseRepositoryPattern(entry);
        if (!pattern) {
            errors.push(`Input "repository" must be owner/name, owner/* or owner/prefix-* entries, comma- or newline-separated, got "${echo(entry)}".`);
            continue;
        }
        const key = repositoryPatternText(pattern).toLowerCase();
        if (seen.has(key))
            continue;
        seen.add(key);
        patterns.push(pattern);
    }
    return errors.length > 0 ? { ok: false, errors } : { ok: true, value: patterns };
}
function parseRepositoryPattern(entry) {
    const slash = entry.indexOf('/');
    if (slash < 0)
        return undefined;
    const owner = entry.slice(0, slash);
    const rest = entry.slice(slash + 1);
    if (!OWNER.test(owner))
        return undefined;
    if (rest.endsWith('*')) {
        const prefix = rest.slice(0, -1);
        return PREFIX.test(prefix) ? { kind: 'prefix', owner, prefix } : undefined;
    }
    if (!NAME.test(rest) || rest === '.' || rest === '..')
        return undefined;
    return { kind: 'repository', owner, name: rest };
}
/** How an entry is written: `owner/name`, `owner/*`, `owner/prefix*`. */
function repositoryPatternText(pattern) {
    return pattern.kind === 'repository' ? `${pattern.owner}/${pattern.name}` : `${pattern.owner}/${pattern.prefix}*`;
}
/** Whether an entry names a repository. Logins and names compare without case, as on GitHub. */
function repositoryMatches(pattern, repo) {
    if (!sameText(pattern.owner, repo.owner))
        return false;
    if (pattern.kind === 'repository')
        return sameText(pattern.name, repo.name);
    return repo.name.toLowerCase().startsWith(pattern.prefix.toLowerCase());
}
/** Owners whose repositories must be listed: those named with a `*` pattern. */
function ownersToList(patterns) {
    const owners = new Map();
    for (const p of patterns)
        if (p.kind === 'prefix' && !owners.has(p.owner.toLowerCase()))
            owners.set(p.owner.toLowerCase(), p.owner);
    return [...owners.values()];
}
/**
 * The repositories of a listing that the entries select, each once, in listing order. A
 * pattern skips archived repositories (nothing happens in them); a repository named
 * exactly is kept even when archived, since someone asked for it.
 */
function selectRepositories(patterns, listed) {
    const selected = [];
    const seen = new Set();
    for (const repo of listed) {
        const key = `${repo.owner}/${repo.name}`.toLowerCase();
        if (seen.has(key))
            continue;
        const wanted = patterns.some(p => repositoryMatches(p, repo) && (p.kind === 'repository' || !repo.archived));
        if (!wanted)
            continue;
        seen.add(key);
        selected.push(repo);
    }
    return selected;
}
/** Parses hook ids, payload URLs and `https://host/path*` prefixes, comma- or newline-separated. */
function parseHookPatterns(text) {
    const patterns = [];
    const errors = [];
    const seen = new Set();
    const expected = 'must be hook IDs (numbers) or payload URLs, a URL ending in * matching by prefix (such as https://ci.example.com/*), comma- or newline-separated';
    for (const entry of splitEntries(text)) {
        const pattern = parseHookPattern(entry);
        if (typeof pattern === 'string') {
            errors.push(`Input "hook-id" ${pattern}, got "${echo(entry)}".`);
            continue;
        }
        if (!pattern) {
            errors.push(`Input "hook-id" ${expected}, got "${echo(entry)}".`);
            continue;
        }
        const key = pattern.kind === 'id' ? `id:${pattern.id}` : pattern.kind === 'url' ? `url:${pattern.url}` : `prefix:${pattern.prefix}`;
        if (seen.has(key))
            continue;
        seen.add(key);
        patterns.push(pattern);
    }
    return errors.length > 0 ? { ok: false, errors } : { ok: true, value: patterns };
}
/** A pattern, nothing when the entry is no hook id or URL, or the problem with a URL prefix. */
function parseHookPattern(entry) {
    if (HOOK_ID.test(entry))
        return { kind: 'id', id: entry };
    if (!/^https?:\/\//i.test(entry))
        return undefined;
    const star = entry.indexOf('*');
    if (star < 0) {
        const url = normalizePayloadUrl(entry);
        return url === undefined ? undefined : { kind: 'url', url };
    }
    if (star !== entry.length - 1)
        return 'may hold * only at the end of a payload URL';
    const head = entry.slice(0, -1);
    // The whole host and a `/` must come before the *: `https://ci.example.com*` would also
    // match https://ci.example.com.evil.example/.
    if (!/^https?:\/\/[^/?#]+\//i.test(head))
        return 'must give the whole host and a / before the * of a payload URL (such as https://ci.example.com/*)';
    const prefix = normalizePrefix(head);
    return prefix === undefined ? undefined : { kind: 'url-prefix', prefix };
}
/**
 * The form payload URLs are compared in: lower-case scheme and host, no default port, no
 * user info, no fragment, no trailing slashes. Undefined for anything but http(s) URLs.
 */
function normalizePayloadUrl(text) {
    const url = parseHttpUrl(text);
    return url && `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, '')}${url.search}`;
}
function normalizePrefix(text) {
    const url = parseHttpUrl(text);
    if (!url)
        return undefined;
    // URL drops an empty query: keep a trailing `?` the user wrote, so it still narrows the match.
    const query = url.search || (text.endsWith('?') ? '?' : '');
    return `${url.protocol}//${url.host}${url.pathname}${query}`;
}
function parseHttpUrl(text) {
    try {
        const url = new URL(text.trim());
        return url.protocol === 'https:' || url.protocol === 'http:' ? url : undefined;
    }
    catch {
        return undefined;
    }
}
/** Whether an entry names a hook. Ids compare as text: they are opaque. */
function hookMatches(pattern, hook) {
    if (pattern.kind === 'id')
        return String(hook.id) === pattern.id;
    const url = hook.url === undefined ? undefined : normalizePayloadUrl(hook.url);
    if (url === undefined)
        return false;
    if (pattern.kind === 'url')
        return url === (normalizePayloadUrl(pattern.url) ?? pattern.url);
    // Trailing slashes never tell URLs apart: https://ci.example.com matches https://ci.example.com/*.
    return url.startsWith(pattern.prefix) || `${url}/`.startsWith(pattern.prefix);
}
/** The hooks any entry names (every hook when there are no entries), in their order. */
function selectHooks(patterns, hooks) {
    return patterns.length === 0 ? hooks.slice() : hooks.filter(h => patterns.some(p => hookMatches(p, h)));
}
/**
 * How a payload URL may be shown: scheme and host only. The rest often carries a secret
 * (user info, a token in the path or query, as chat webhooks do).
 */
function displayPayloadUrl(text) {
    return payloadUrlOrigin(text) ?? '(invalid URL)';
}
/** Where a payload URL points, scheme and host; undefined for anything but an http(s) URL. */
function payloadUrlOrigin(text) {
    const url = parseHttpUrl(text);
    return url && `${url.protocol}//${url.host}`;
}
// ---------- shards ----------
const MAX_SHARDS = 1000;
/** Parses `i/n` (such as `2/8`); empty means no sharding (undefined). */
function parseShard(text) {
    const trimmed = text.trim();
    if (trimmed === '')
        return { ok: true, value: undefined };
    const match = /^(\d{1,4})\s*\/\s*(\d{1,4})$/.exec(trimmed);
    const index = match ? Number(match[1]) : NaN;
    const count = match ? Number(match[2]) : NaN;
    if (!match || index < 1 || count < index || count > MAX_SHARDS) {
        return { ok: false, errors: [`Input "shard" must be i/n such as 2/8: part i of n, with 1 <= i <= n <= ${MAX_SHARDS}, got "${echo(trimmed)}".`] };
    }
    return { ok: true, value: { index, count } };
}
/**
 * A hook's identity for sharding: `owner/repo#id`, `org#id` or `app`, lower-case because
 * GitHub names are case-insensitive. It depends on nothing else, so adding or removing
 * other hooks never moves a hook to another shard.
 */
function shardKey(hook) {
    if (hook.kind === 'app')
        return 'app';
    return hook.kind === 'repo' ? `${hook.repo.toLowerCase()}#${hook.id}` : `${hook.org.toLowerCase()}#${hook.id}`;
}
/**
 * A fleet is split by repository, `owner/name` in lower case: a shard then lists the hooks of
 * its own repositories only, so n shards together read each hook list once, not n times.
 * Adding repositories or hooks moves no other repository to another shard.
 */
function repositoryShardKey(repo) {
    return `${repo.owner}/${repo.name}`.toLowerCase();
}
/**
 * The shard (1..count) a key belongs to: the first 48 bits of the key's SHA-256, modulo
 * count. Any tool can recompute it, and it is the same on every machine and Node version.
 */
function shardOf(key, count) {
    if (!Number.isInteger(count) || count < 1 || count > MAX_SHARDS)
        throw new RangeError(`shard count must be 1..${MAX_SHARDS}`);
    const digest = (0,external_node_crypto_.createHash)('sha256').update(key, 'utf8').digest();
    return (digest.readUIntBE(0, 6) % count) + 1;
}
/** Whether a shard looks after a key; no shard means everything. */
function inShard(shard, key) {
    return shard === undefined || shardOf(key, shard.count) === shard.index;
}
// ---------- scope ----------
/**
 * The name a fleet's hooks carry in the bookmark: its `repository` entries, a digest of its
 * `hook-id` entries (payload URLs may hold secrets, and the state variable is readable), and
 * its shard. Another shard of the same fleet has the same name up to ` shard `.
 */
function fleetScope(repositories, hooks, shard) {
    const names = repositories
        .map(p => repositoryPatternText(p).toLowerCase())
        .sort()
        .join(',');
    const selected = hooks
        .map(h => (h.kind === 'id' ? h.id : h.kind === 'url' ? h.url : `${h.prefix}*`))
        .sort()
        .join('\n');
    const digest = selected ? ` #${(0,external_node_crypto_.createHash)('sha256').update(selected, 'utf8').digest('hex').slice(0, 8)}` : '';
    return `repo ${names}${digest}${shard ? ` shard ${shard.index}/${shard.count}` : ''}`;
}
/**
 * Another part (`i/n`) of the same fleet split the same way, when `other` is one: its
 * bookmark belongs in its own state variable. A different `n` is a fleet being re-split.
 */
function otherShardOf(scope, other) {
    const split = (s) => {
        const m = / shard (\d+)\/(\d+)$/.exec(s);
        return m ? { fleet: s.slice(0, m.index), index: m[1], count: m[2] } : { fleet: s };
    };
    const a = split(scope);
    const b = split(other);
    if (a.fleet !== b.fleet || a.count === undefined || a.count !== b.count || a.index === b.index)
        return undefined;
    return `${b.index}/${b.count}`;
}
// ---------- shared ----------
/** Entries of a list input: comma- or newline-separated, trimmed, empty ones dropped. */
function splitEntries(text) {
    return text
        .split(/[\n,]/)
        .map(s => s.trim())
        .filter(Boolean);
}
function sameText(a, b) {
    return a.toLowerCase() === b.toLowerCase();
}
/**
 * An input value as it may appear in an error: URLs as scheme and host only (the rest may
 * be a secret), anything else cut to 80 characters.
 */
function echo(value) {
    const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(value);
    if (scheme) {
        const authority = value.slice(scheme[0].length).split(/[/?#]/)[0];
        const host = authority.slice(authority.lastIndexOf('@') + 1).split('*')[0];
        return `${scheme[0]}${host}…`;
    }
    if (value.includes('@'))
        return '(not shown: it may hold credentials)';
    return value.length > 80 ? `${value.slice(0, 77)}...` : value;
}

;// CONCATENATED MODULE: ./src/core/hostname.ts
const DOTCOM = {
    apiBaseUrl: 'https://api.github.com',
    webBaseUrl: 'https://github.com',
    kind: 'dotcom'
};
const HOST = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*(?::(\d{1,5}))?$/;
/**
 * Resolves the `hostname` input. Empty means the runner's GITHUB_API_URL (so GHES
 * runners work untouched), else github.com. Returns undefined when unusable.
 */
function resolveGitHubLocation(hostname, runnerApiUrl) {
    const input = hostname.trim();
    if (input === '') {
        return runnerApiUrl?.trim() ? fromUrl(runnerApiUrl.trim()) : DOTCOM;
    }
    if (/^https?:\/\//i.test(input))
        return fromWebOrApiUrl(input);
    // :443 is https's own port: github.com:443 is still github.com.
    const host = input.toLowerCase().replace(/\/+$/, '').replace(/:443$/, '');
    const match = HOST.exec(host);
    if (!match || (match[1] !== undefined && !validPort(match[1])))
        return undefined;
    if (host === 'github.com' || host === 'api.github.com')
        return DOTCOM;
    const gheCom = /^(?:api\.)?([a-z0-9-]+)\.ghe\.com$/.exec(host);
    if (gheCom) {
        return { apiBaseUrl: `https://api.${gheCom[1]}.ghe.com`, webBaseUrl: `https://${gheCom[1]}.ghe.com`, kind: 'ghe.com' };
    }
    return { apiBaseUrl: `https://${host}/api/v3`, webBaseUrl: `https://${host}`, kind: 'ghes' };
}
/**
 * A URL in `hostname`. People paste the address they see in the browser: a URL with no
 * path is GitHub's web address, mapped to its API as the bare host would be
 * (`https://github.com` -> `https://api.github.com`, `https://SUB.ghe.com` ->
 * `https://api.SUB.ghe.com`, `https://HOST` -> `https://HOST/api/v3`). An API host
 * (`api.…`), a loopback address (a local test server) or a URL with a path is the API
 * base as given. A github.com or GHE.com page (a path) is refused: it is no API.
 */
function fromWebOrApiUrl(text) {
    let url;
    try {
        url = new URL(text);
    }
    catch {
        return undefined;
    }
    const host = url.hostname.toLowerCase();
    const path = url.pathname.replace(/\/+$/, '');
    const webHost = host === 'github.com' || host === 'www.github.com' || /^(?!api\.)[a-z0-9-]+\.ghe\.com$/.test(host);
    if (webHost && (url.port === '' || url.port === '443')) {
        if (path !== '' || url.username || url.password || url.search || url.hash)
            return undefined;
        return resolveGitHubLocation(host.replace(/^www\./, ''), undefined);
    }
    const apiAsGiven = path !== '' || host.startsWith('api.') || isLoopbackHost(host);
    if (apiAsGiven)
        return fromUrl(text);
    const location = fromUrl(`${url.protocol}//${url.host}/api/v3`);
    return location && !url.username && !url.password && !url.search && !url.hash ? location : undefined;
}
/** For a page of github.com or GHE.com given as `hostname`: the value that was meant. */
function hostnameForPage(text) {
    const value = text.trim();
    try {
        const host = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `https://${value}`).hostname.toLowerCase();
        if (host === 'github.com' || host === 'www.github.com')
            return 'github.com';
        return /^(?!api\.)[a-z0-9-]+\.ghe\.com$/.test(host) ? host : undefined;
    }
    catch {
        return undefined;
    }
}
function isLoopbackHost(host) {
    return host === 'localhost' || host.startsWith('127.') || host === '[::1]';
}
function validPort(port) {
    const n = Number(port);
    return n >= 1 && n <= 65535;
}
function fromUrl(text) {
    let url;
    try {
        url = new URL(text);
    }
    catch {
        return undefined;
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:')
        return undefined;
    if (url.username || url.password || url.search || url.hash)
        return undefined;
    const path = url.pathname.replace(/\/+$/, '');
    const apiBaseUrl = `${url.protocol}//${url.host}${path}`;
    const host = url.hostname.toLowerCase();
    if (host === 'api.github.com')
        return DOTCOM;
    const gheCom = /^api\.([a-z0-9-]+)\.ghe\.com$/.exec(host);
    if (gheCom)
        return { apiBaseUrl, webBaseUrl: `https://${gheCom[1]}.ghe.com`, kind: 'ghe.com' };
    if (/\/api\/v3$/i.test(path)) {
        return { apiBaseUrl, webBaseUrl: `${url.protocol}//${url.host}`, kind: 'ghes' };
    }
    // Any other root URL (a proxy, a test server) is treated like github.com.
    return { apiBaseUrl, webBaseUrl: `${url.protocol}//${url.host}${path}`, kind: 'dotcom' };
}
function redeliveryWindowMs(location) {
    return (location.kind === 'ghes' ? 7 : 3) * 86_400_000;
}

;// CONCATENATED MODULE: ./src/core/inputs.generated.ts
// Generated from action.yml and package.json by scripts/generate-inputs.mjs: do not edit.
// Change action.yml (or the version in package.json) and run `npm run generate`.
/** package.json's version: the user agent's and `--version`'s. */
const VERSION = '1.0.0';
/** Every input of action.yml, in its order. The CLI takes each as `flag`, except the secrets. */
const INPUTS = [
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
        description: 'A token for `org`/`repo` hook endpoints (unless app credentials are given) and for reading and writing the state variable. `GITHUB_TOKEN` can do neither: use a fine-grained or classic personal access token, or app credentials.',
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
        description: "For `repo`: one or more `owner/name`, comma- or newline-separated; `owner/*` is every repository of that owner the credentials can see (archived ones skipped), `owner/prefix-*` a name prefix. Default: the workflow's repository.",
        required: false,
        default: '',
        flag: '--repository'
    },
    {
        name: 'hook-id',
        description: "One or more hook IDs, comma- or newline-separated. A hook's payload URL is also accepted; a payload URL ending in `*` matches every hook whose URL starts with it. Empty: every active hook of the organization or repositories. Ignored for `app`.",
        required: false,
        default: '',
        flag: '--hook-id'
    },
    {
        name: 'hostname',
        description: "Where GitHub is. Empty: the runner's `GITHUB_API_URL` (so GHES runners work untouched), else `https://api.github.com`. Accepts `github.com`, `SUBDOMAIN.ghe.com`, a GHES host name (`ghe.example.com`, `host:port`), a web address (`https://ghe.example.com`, mapped to its API), or a full API URL (`https://ghe.example.com/api/v3`).",
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
        description: 'How far back to scan when there is no bookmark (first run, or no `state-variable`), such as `90m`, `6h` or `3d`. Clamped to what GitHub can still redeliver (3 days on github.com, 7 on GHES).',
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
        description: '`i/n` (such as `2/8`): look after only the i-th of n deterministic, stable parts of the hooks found, so a matrix of n jobs covers a fleet: a fleet of repositories is split by repository, an organization or one repository by hook ID. Give each shard its own `state-variable`. Empty: every hook.',
        required: false,
        default: '',
        flag: '--shard'
    },
    {
        name: 'fail-on',
        description: "When the step fails, comma-separated: `errors` (redelivery requests that failed after retries, or a run that could not finish), `given-up` (a delivery was given up this run), `receiver-down` (a hook's receiver was found down). `never`: always succeed once the outputs are written.",
        required: false,
        default: 'errors',
        flag: '--fail-on'
    }
];
/** Every output of action.yml, in its order: what the action sets and the CLI's `--json` prints. */
const OUTPUTS = [
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
        description: "Failing deliveries not redelivered, each with a reason in the report: filtered out by events, max-attempts or the run budget used up, waiting for a receiver that is down or for the backoff after a refusal, older than max-age or than GitHub can redeliver, stopped by GitHub's rate limits, refused by GitHub, or dry run."
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
        name: 'report',
        description: 'Path of a JSON file (under RUNNER_TEMP) listing each failing delivery and what was done with it.'
    }
];

;// CONCATENATED MODULE: ./src/core/config.ts






/** Every input of action.yml, in its order; the CLI takes the same names as --flags. */
const INPUT_NAMES = INPUTS.map(input => input.name);
/** Inputs that hold secrets: masked as they are taken in, never flags of the command line. */
const SECRET_INPUTS = new Set(['token', 'private-key']);
/** What the runner passes for an input left empty; the CLI applies them the same way. */
const DEFAULTS = Object.fromEntries(INPUTS.filter(input => input.default !== '').map(input => [input.name, input.default]));
const FAIL_CONDITIONS = ['errors', 'given-up', 'receiver-down'];
const ORG = /^[a-z0-9](?:[a-z0-9-]{0,38})$/i;
const REPO = /^([a-z0-9](?:[a-z0-9-]{0,38}))\/([a-z0-9._-]{1,100})$/i;
const VARIABLE = /^[a-z_][a-z0-9_]*$/i;
const EVENT = /^[a-z_]+(?:\.[a-z_]+)?$/;
const APP_ID = /^(?:\d{1,12}|Iv[0-9a-z.]{4,40})$/i;
/** What an HTTP header value can carry: printable ASCII, no spaces. Every GitHub token is. */
const HEADER_SAFE = /^[\x21-\x7e]+$/;
/**
 * Turns raw input strings into a validated Config, or into one message per bad
 * input that names it and says what is expected. No I/O: runs before any request.
 */
function parseConfig(raw, env) {
    const errors = [];
    const warnings = [];
    const input = (name) => (raw[name] ?? '').trim() || DEFAULTS[name] || '';
    const bad = (name, expected, value) => {
        // A secret pasted into the wrong input is not masked there: never repeat it.
        const got = value === undefined ? '' : looksLikeSecret(value) ? ', got what looks like a secret (not shown)' : `, got "${truncate(value)}"`;
        errors.push(`Input "${name}" ${expected}${got}.`);
    };
    const targetType = input('target-type');
    let target;
    if (targetType === 'app')
        target = { type: 'app' };
    else if (targetType === 'org') {
        const org = input('org');
        if (!org)
            bad('org', 'is required when target-type is "org": the organization login');
        else if (!ORG.test(org))
            bad('org', 'must be an organization login (letters, digits and hyphens)', org);
        else
            target = { type: 'org', org };
    }
    else if (targetType === 'repo') {
        const repository = input('repository') || env.GITHUB_REPOSITORY?.trim() || '';
        const repo = parseRepo(repository);
        if (!repository)
            bad('repository', 'is required when target-type is "repo" outside GitHub Actions: use owner/name');
        else if (repo)
            target = { type: 'repo', ...repo };
        else if (!/[,\n*]/.test(repository))
            bad('repository', 'must be owner/name', repository);
        else {
            const patterns = parseRepositoryPatterns(repository);
            if (!patterns.ok)
                errors.push(...patterns.errors);
            else {
                const [only] = patterns.value;
                target = patterns.value.length === 1 && only.kind === 'repository' ? { type: 'repo', owner: only.owner, repo: only.name } : { type: 'fleet', repositories: patterns.value };
            }
        }
    }
    else if (!targetType) {
        bad('target-type', 'is required: use app, org or repo');
    }
    else {
        bad('target-type', 'must be app, org or repo', targetType);
    }
    const hooks = [];
    if (targetType === 'app' && input('hook-id')) {
        warnings.push('Input "hook-id" is ignored for target-type "app": a GitHub App has one webhook.');
    }
    if (targetType !== 'app') {
        for (const item of splitEntries(input('hook-id'))) {
            if (HOOK_ID.test(item))
                hooks.push({ kind: 'id', id: item });
            else if (item.includes('*') && parseHttpUrl(item)) {
                const parsed = parseHookPatterns(item);
                if (!parsed.ok)
                    errors.push(...parsed.errors);
                else
                    for (const pattern of parsed.value)
                        if (pattern.kind === 'url-prefix')
                            hooks.push(pattern);
            }
            else if (parseHttpUrl(item))
                hooks.push({ kind: 'url', url: item });
            else
                bad('hook-id', 'must be hook IDs (numbers) or payload URLs, comma- or newline-separated', item);
        }
    }
    const token = input('token') || undefined;
    if (token && !HEADER_SAFE.test(token)) {
        // It goes into the Authorization header, which cannot carry it; and it is never echoed.
        bad('token', 'holds a line break, a space or a character outside ASCII, which cannot be sent to GitHub: store the token alone in the secret, with nothing around it');
    }
    const appId = input('app-id');
    const rawKey = raw['private-key'] ?? '';
    let app;
    if (appId && !APP_ID.test(appId))
        bad('app-id', 'must be a GitHub App ID (a number) or client ID (Iv…)', appId);
    if (rawKey.trim()) {
        const privateKey = normalizePrivateKey(rawKey);
        if (!privateKey) {
            errors.push('Input "private-key" must be the GitHub App\'s PEM private key (-----BEGIN RSA PRIVATE KEY----- or -----BEGIN PRIVATE KEY-----), as downloaded from the app\'s settings.');
        }
        else if (!appId) {
            if (targetType !== 'app')
                bad('app-id', 'is required with private-key: the GitHub App ID or client ID');
        }
        else if (APP_ID.test(appId)) {
            app = { appId, privateKey };
        }
    }
    else if (appId && targetType !== 'app' && !token) {
        bad('private-key', "is required with app-id: the GitHub App's PEM private key");
    }
    if (targetType === 'app') {
        if (!appId)
            bad('app-id', 'is required when target-type is "app": the GitHub App ID or client ID');
        if (!rawKey.trim())
            bad('private-key', 'is required when target-type is "app": the GitHub App\'s PEM private key');
    }
    else if ((targetType === 'org' || targetType === 'repo') && !token && !rawKey.trim() && !appId) {
        bad('token', `is required when target-type is "${targetType}" (or give app-id and private-key of an app installed there)`);
    }
    const location = resolveGitHubLocation(input('hostname'), env.GITHUB_API_URL);
    if (!location && !input('hostname')) {
        errors.push(`Input "hostname" is empty and the runner's GITHUB_API_URL ("${truncate(withoutUserInfo(env.GITHUB_API_URL ?? ''))}") is not an http(s) API URL: set "hostname".`);
    }
    else if (!location && hostnameForPage(input('hostname'))) {
        bad('hostname', `must be where GitHub is, not a page on it: use ${hostnameForPage(input('hostname'))}`, withoutUserInfo(input('hostname')));
    }
    else if (!location) {
        bad('hostname', 'must be github.com, SUBDOMAIN.ghe.com, a GitHub Enterprise Server host (host or host:port) or an https:// API URL', withoutUserInfo(input('hostname')));
    }
    else if (/^http:\/\//i.test(location.apiBaseUrl) && !isLoopback(location.apiBaseUrl)) {
        warnings.push(`The GitHub API URL ${location.apiBaseUrl} is plain http: tokens and keys would travel unencrypted. Use https.`);
    }
    let state;
    const variable = input('state-variable');
    if (variable) {
        if (!VARIABLE.test(variable) || /^github_/i.test(variable)) {
            bad('state-variable', 'must be a variable name: letters, digits and _, not starting with a digit or GITHUB_', variable);
        }
        const stateRepository = input('state-repository') || env.GITHUB_REPOSITORY?.trim() || '';
        const repo = parseRepo(stateRepository);
        if (!stateRepository)
            bad('state-repository', 'is required with state-variable outside GitHub Actions: use owner/name');
        else if (!repo)
            bad('state-repository', 'must be owner/name', stateRepository);
        if (!token && !rawKey.trim()) {
            bad('token', 'is required with state-variable to read and write the variable (or give app-id and private-key of an app installed on the state repository)');
        }
        if (repo && VARIABLE.test(variable))
            state = { variable, repository: repo };
    }
    else if (raw['state-repository']?.trim() && !parseRepo(raw['state-repository'].trim())) {
        bad('state-repository', 'must be owner/name', raw['state-repository'].trim());
    }
    const lookbackMs = parseDuration(input('lookback'));
    if (lookbackMs === undefined)
        bad('lookback', 'must be a duration such as 90m, 6h or 3d', input('lookback'));
    let maxAgeMs;
    if (input('max-age')) {
        maxAgeMs = parseDuration(input('max-age'));
        if (maxAgeMs === undefined)
            bad('max-age', 'must be a duration such as 90m, 6h or 3d', input('max-age'));
    }
    const maxAttempts = positiveInteger(input('max-attempts'));
    if (maxAttempts === undefined)
        bad('max-attempts', 'must be a positive integer', input('max-attempts'));
    const maxRedeliveries = positiveInteger(input('max-redeliveries'));
    if (maxRedeliveries === undefined)
        bad('max-redeliveries', 'must be a positive integer', input('max-redeliveries'));
    const events = [];
    for (const item of splitEntries(input('events'))) {
        if (!EVENT.test(item)) {
            bad('events', 'must be event names such as push, pull_request or pull_request.opened, comma-separated', item);
            continue;
        }
        const [event, action] = item.split('.');
        events.push(action ? { event, action } : { event });
    }
    const dryRunText = input('dry-run');
    const dryRun = parseBoolean(dryRunText);
    if (dryRun === undefined)
        bad('dry-run', 'must be true or false', dryRunText);
    const shardText = input('shard');
    const shardParsed = parseShard(shardText);
    if (!shardParsed.ok)
        errors.push(...shardParsed.errors);
    const shard = shardParsed.ok ? shardParsed.value : undefined;
    if (shard && targetType === 'app')
        warnings.push('Input "shard" is ignored for target-type "app": a GitHub App has one webhook.');
    const failOn = new Set();
    const failOnItems = splitEntries(input('fail-on'));
    for (const item of failOnItems) {
        if (item === 'never' && failOnItems.length === 1)
            continue;
        if (item === 'never') {
            bad('fail-on', 'cannot combine never with other conditions');
            continue;
        }
        if (FAIL_CONDITIONS.includes(item))
            failOn.add(item);
        else
            bad('fail-on', 'must be errors, given-up or receiver-down (comma-separated), or never', item);
    }
    if (errors.length > 0 || !target || !location || lookbackMs === undefined || !maxAttempts || !maxRedeliveries) {
        return { ok: false, errors };
    }
    return {
        ok: true,
        warnings,
        config: {
            target,
            hooks,
            token,
            app,
            location,
            state,
            lookbackMs,
            maxAttempts,
            maxRedeliveries,
            events,
            maxAgeMs,
            dryRun: dryRun ?? false,
            ...(shard && targetType !== 'app' ? { shard } : {}),
            failOn
        }
    };
}
function parseRepo(text) {
    const match = REPO.exec(text);
    if (!match || match[2] === '.' || match[2] === '..')
        return undefined;
    return { owner: match[1], repo: match[2] };
}
/** Accepts PKCS#1 and PKCS#8 PEM keys, with real or `\n`-escaped newlines. */
function normalizePrivateKey(text) {
    const pem = pemText(text);
    if (!/^-----BEGIN (RSA )?PRIVATE KEY-----/.test(pem))
        return undefined;
    try {
        // GitHub App keys are RSA; anything else would only fail later, at GitHub.
        if ((0,external_node_crypto_.createPrivateKey)(pem).asymmetricKeyType !== 'rsa')
            return undefined;
    }
    catch {
        return undefined;
    }
    return pem;
}
/** A key's text with `\n` escapes turned into line breaks, blank lines dropped. */
function pemText(text) {
    return (text
        .replace(/\\r/g, '')
        .replace(/\\n/g, '\n')
        .replace(/\r\n/g, '\n')
        .trim()
        .replace(/\n{2,}/g, '\n') + '\n');
}
/**
 * Every form in which the secret inputs can reach a message, for the front ends to mask as
 * they take the inputs in, before anything else runs: each as given and trimmed, and the
 * private key as the engine uses it, whole and line by line. The runner masks a multi-line
 * secret line by line, but a key given on one line with `\n` escapes is several lines once
 * unescaped.
 */
function secretInputs(raw) {
    const secrets = new Set();
    for (const name of SECRET_INPUTS) {
        const value = raw[name];
        if (value?.trim())
            secrets.add(value).add(value.trim());
    }
    const key = raw['private-key']?.trim();
    if (key) {
        const pem = pemText(key);
        secrets.add(pem);
        for (const line of pem.split('\n'))
            if (line.trim() && !line.startsWith('-----'))
                secrets.add(line.trim());
    }
    return [...secrets];
}
function positiveInteger(text) {
    if (!/^\d{1,9}$/.test(text))
        return undefined;
    const n = Number(text);
    return n >= 1 ? n : undefined;
}
function parseBoolean(text) {
    if (/^(true|yes|1)$/i.test(text))
        return true;
    if (/^(false|no|0|)$/i.test(text))
        return false;
    return undefined;
}
/** Never echo credentials a URL may carry. */
function withoutUserInfo(text) {
    return text.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@]*@/i, '$1***@');
}
function isLoopback(url) {
    return isLoopbackHost(new URL(url).hostname);
}
/** Tokens (ghp_, github_pat_, ghs_ ...), JWTs and PEM keys. */
function looksLikeSecret(text) {
    return /\b(?:gh[pousr]_|github_pat_)[A-Za-z0-9_]{8,}|-----BEGIN [A-Z ]*PRIVATE KEY-----|\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]+/.test(text);
}
function truncate(text) {
    return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

;// CONCATENATED MODULE: ./src/core/plural.ts
/**
 * `1 error`, `2 errors`, `1 delivery`, `3 deliveries`: the one place messages count things.
 * `count` may be pre-formatted (`1,234`); the form follows the number it shows.
 */
function plural(count, singular, pluralForm) {
    return `${count} ${noun(count, singular, pluralForm)}`;
}
/** The form alone: `webhook` or `webhooks`. */
function noun(count, singular, pluralForm = defaultPlural(singular)) {
    const n = typeof count === 'number' ? count : Number(count.replace(/,/g, ''));
    return n === 1 ? singular : pluralForm;
}
function defaultPlural(singular) {
    return /[^aeiou]y$/.test(singular) ? `${singular.slice(0, -1)}ies` : `${singular}s`;
}
/**
 * 1,234,567: thousands separated by commas, as GitHub's pages show counts. Written out because
 * the first `toLocaleString` of a process loads ICU data (tens of milliseconds, ~10 MB).
 */
function thousands(n) {
    const [whole, fraction] = String(n).split('.');
    const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
    return fraction === undefined ? grouped : `${grouped}.${fraction}`;
}

;// CONCATENATED MODULE: ./src/core/redact.ts
/**
 * Replaces every secret in `text` by `***`, longest first (so a secret that contains
 * another is not left half shown). For what the runner does not mask: the report file,
 * the job summary, the command line's output.
 */
function redactSecrets(text, secrets) {
    const ordered = [...secrets].filter(secret => secret.length > 0).sort((a, b) => b.length - a.length);
    return ordered.reduce((out, secret) => out.split(secret).join('***'), text);
}

;// CONCATENATED MODULE: ./src/core/report.ts


function describeTarget(target) {
    switch (target.type) {
        case 'app':
            return 'app';
        case 'org':
            return `org ${target.org}`;
        case 'repo':
            return `repo ${target.owner}/${target.repo}`;
        case 'fleet':
            return `repo ${target.repositories.map(repositoryPatternText).join(', ')}`;
    }
}
/** The report file: every failing delivery and what was done with it. Ids are strings. */
function buildReport(target, result) {
    return {
        version: 1,
        target: describeTarget(target),
        dryRun: result.dryRun,
        finishedAt: new Date(result.finishedAt).toISOString(),
        totals: result.totals,
        hooks: result.hooks.map(h => ({
            hook: h.hook.label,
            hookId: h.hook.id ?? null,
            scanned: h.scanned,
            failed: h.failed,
            redelivered: h.redelivered,
            skipped: h.skipped,
            errors: h.errors,
            givenUp: h.givenUp,
            inFlight: h.inFlight,
            ...(h.receiverDown
                ? {
                    receiverDown: {
                        verdict: h.receiverDown.verdict,
                        ...(h.receiverDown.since !== undefined ? { since: new Date(h.receiverDown.since).toISOString() } : {}),
                        waiting: h.receiverDown.waiting
                    }
                }
                : {}),
            ...(h.receiverCheck
                ? {
                    receiverCheck: {
                        check: h.receiverCheck.check,
                        verdict: h.receiverCheck.verdict,
                        ...(h.receiverCheck.at !== undefined ? { at: new Date(h.receiverCheck.at).toISOString() } : {})
                    }
                }
                : {}),
            ...(h.scanError ? { scanError: h.scanError } : {})
        })),
        warnings: result.warnings,
        failures: result.failures,
        deliveries: result.rows
    };
}
/**
 * Why the step fails, as `fail-on` asks: the run's own failures (requests that failed after
 * retries, a hook that could not be scanned, a bookmark that could not be saved), deliveries
 * given up, receivers found down. Empty: the step succeeds.
 */
function stepFailures(result, failOn) {
    const reasons = [];
    if (failOn.has('errors'))
        reasons.push(...result.failures);
    const { givenUp, receiversDown } = result.totals;
    if (failOn.has('given-up') && givenUp > 0) {
        reasons.push(`${plural(givenUp, 'delivery was', 'deliveries were')} given up this run (fail-on: given-up); the report says why.`);
    }
    if (failOn.has('receiver-down') && receiversDown > 0) {
        const down = result.hooks.filter(h => h.receiverDown?.verdict === 'down').map(h => h.hook.label);
        reasons.push(`The receiver of ${down.join(', ')} ${noun(down.length, 'is', 'are')} down: a ping or probe could not reach it (fail-on: receiver-down); failing deliveries wait for it.`);
    }
    return reasons;
}
/**
 * The step's outputs; the CLI's `--json` prints the same. Typed by action.yml's outputs, so an
 * output declared there and not set here (or set here and not declared) does not compile.
 */
function outputsOf(totals, report) {
    return {
        scanned: totals.scanned,
        failed: totals.failed,
        redelivered: totals.redelivered,
        skipped: totals.skipped,
        errors: totals.errors,
        'given-up': totals.givenUp,
        'receivers-down': totals.receiversDown,
        report
    };
}

;// CONCATENATED MODULE: ./src/engine/ports.ts
/**
 * A failure the user can act on (bad credentials, a missing permission): the
 * message says what to do; it ends the run.
 */
class UserError extends Error {
    name = 'UserError';
}
/** What ended a run early, as the step's error or the CLI's says it: the user's own words for a UserError. */
function stoppedBecause(error) {
    return error instanceof UserError ? error.message : `webhook-redelivery failed: ${error instanceof Error ? error.message : String(error)}`;
}
/** GitHub's rate limits refused a request and asked for a longer wait than a run should take. */
class RateLimitedError extends Error {
    name = 'RateLimitedError';
}
/** A named hook that does not exist (or the credential cannot see it): the run goes on with the others. */
class UnknownHookError extends Error {
    hookId;
    owner;
    name = 'UnknownHookError';
    constructor(hookId, 
    /** `acme` or `acme/widgets`. */
    owner) {
        super(`${owner} has no webhook ${hookId}`);
        this.hookId = hookId;
        this.owner = owner;
    }
}

;// CONCATENATED MODULE: ./src/report-file.ts



/**
 * Where a run writes its report when it is told no place (the CLI without --state-file or
 * --report-file, the action outside a runner): report.json in one directory of this user's
 * under the temporary directory, overwritten by each run, so runs never pile up folders. A
 * directory there that is not this user's alone (another user's, a symlink, writable by
 * others) is never written into.
 */
function defaultReportPath(temp = (0,external_node_os_namespaceObject.tmpdir)()) {
    const uid = typeof process.getuid === 'function' ? process.getuid() : undefined;
    const dir = (0,external_node_path_namespaceObject.join)(temp, `webhook-redelivery-${uid ?? (0,external_node_os_namespaceObject.userInfo)().username}`);
    try {
        (0,external_node_fs_namespaceObject.mkdirSync)(dir, { mode: 0o700 });
    }
    catch (error) {
        if (error.code !== 'EEXIST')
            throw error;
    }
    const stat = (0,external_node_fs_namespaceObject.lstatSync)(dir);
    if (!stat.isDirectory() || (uid !== undefined && stat.uid !== uid) || (stat.mode & 0o022) !== 0) {
        throw new Error(`${dir} is not a directory of this user's alone; give --report-file`);
    }
    return (0,external_node_path_namespaceObject.join)(dir, 'report.json');
}

;// CONCATENATED MODULE: ./src/core/bookmark.ts


const STATE_VERSION = 1;
/** Actions variables hold at most 48 KB; stay well under it. */
const MAX_STATE_CHARS = 40_000;
function emptyBookmark() {
    return { hooks: new Map() };
}
function parseBookmark(text) {
    const value = text?.trim() ?? '';
    if (value === '')
        return { bookmark: emptyBookmark() };
    // GitHub's documented script stores Date.now() as a string. Ten digits cannot be milliseconds
    // of this century: a hand-written value in seconds, read as such rather than as January 1970.
    if (/^\d{10,16}$/.test(value))
        return { bookmark: { hooks: new Map(), legacyFloor: value.length === 10 ? Number(value) * 1000 : Number(value) } };
    let doc;
    try {
        doc = JSON.parse(value);
    }
    catch {
        return { bookmark: emptyBookmark(), problem: 'it is not JSON' };
    }
    if (isObject(doc) && typeof doc.version === 'number' && doc.version > STATE_VERSION) {
        return { bookmark: emptyBookmark(), problem: `bookmark version ${doc.version}`, newer: true };
    }
    if (!isObject(doc) || doc.version !== STATE_VERSION || !isObject(doc.hooks)) {
        return { bookmark: emptyBookmark(), problem: `it is not a version ${STATE_VERSION} bookmark` };
    }
    const hooks = new Map();
    const warnings = [];
    for (const [key, entry] of Object.entries(doc.hooks)) {
        const read = parseHookEntry(entry);
        if (read.hook)
            hooks.set(key, read.hook);
        if (read.problems.length > 0)
            warnings.push(`hook ${JSON.stringify(key)}: ${read.problems.join('; ')}`);
    }
    if (doc.quiet !== undefined)
        readQuietHooks(doc.quiet, hooks, warnings);
    return warnings.length > 0 ? { bookmark: { hooks }, warnings } : { bookmark: { hooks } };
}
/** One hook's entry: what can be read is kept, and each part left out is named. */
function parseHookEntry(entry) {
    if (!isObject(entry))
        return { problems: [`the entry is ${shown(entry)}, not an object: the hook is scanned as if it had no bookmark`] };
    const floor = typeof entry.floor === 'string' ? Date.parse(entry.floor) : NaN;
    if (Number.isNaN(floor)) {
        // Without a floor nothing says where to scan from; the lookback is the safe answer.
        return { problems: [`"floor" is ${shown(entry.floor)}, not a time: the hook is scanned as if it had no bookmark`] };
    }
    const problems = [];
    const pending = readIdTimes(entry.pending, 'pending', problems);
    const sent = readIdTimes(entry.sent, 'sent', problems);
    const done = new Map();
    if (isObject(entry.done)) {
        let dropped = 0;
        for (const [guid, seconds] of Object.entries(entry.done)) {
            if (typeof seconds === 'number' && Number.isFinite(seconds))
                done.set(guid, seconds * 1000);
            else
                dropped++;
        }
        if (dropped > 0)
            problems.push(`${plural(dropped, 'given-up ("done") item is', 'given-up ("done") items are')} not a time in seconds, left out`);
    }
    else if (entry.done !== undefined) {
        problems.push(`"done" is ${shown(entry.done)}, not an object of guids to times, left out`);
    }
    const probes = [];
    if (Array.isArray(entry.probes)) {
        let dropped = 0;
        for (const span of entry.probes) {
            const ok = Array.isArray(span) && span.length === 2 && span.every(t => Number.isInteger(t) && t > 0) && span[0] <= span[1];
            if (ok)
                probes.push([span[0] * 1000, span[1] * 1000]);
            else
                dropped++;
        }
        if (dropped > 0)
            problems.push(`${plural(dropped, 'probe span is', 'probe spans are')} not a pair of times in seconds, left out`);
    }
    else if (entry.probes !== undefined) {
        problems.push(`"probes" is ${shown(entry.probes)}, not a list of time spans, left out`);
    }
    const seenUntil = typeof entry.seen === 'string' ? Date.parse(entry.seen) : NaN;
    if (entry.seen !== undefined && Number.isNaN(seenUntil))
        problems.push(`"seen" is ${shown(entry.seen)}, not a time, left out`);
    const downSince = typeof entry.down === 'string' ? Date.parse(entry.down) : NaN;
    if (entry.down !== undefined && Number.isNaN(downSince))
        problems.push(`"down" is ${shown(entry.down)}, not a time, left out`);
    if (entry.scope !== undefined && typeof entry.scope !== 'string')
        problems.push(`"scope" is ${shown(entry.scope)}, not text, left out`);
    return {
        hook: {
            floor,
            ...(Number.isNaN(seenUntil) ? {} : { seenUntil }),
            pending,
            sent,
            done,
            probes: mergeSpans(probes),
            ...(Number.isNaN(downSince) ? {} : { downSince }),
            ...(typeof entry.scope === 'string' ? { scope: entry.scope } : {})
        },
        problems
    };
}
/** A value from the bookmark as a message shows it: short, and never more than a bookmark holds. */
function shown(value) {
    if (value === undefined)
        return 'missing';
    const text = JSON.stringify(value) ?? String(value);
    return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}
/**
 * Deterministic output, so an unchanged bookmark serializes to the same text and is not rewritten.
 * `maxChars`: the store's limit (an Actions variable's; a file has none), reached by forgetting the oldest entries.
 */
function serializeBookmark(bookmark, maxChars = Number.POSITIVE_INFINITY) {
    const copy = new Map([...bookmark.hooks].map(([k, h]) => [k, { ...h, pending: new Map(h.pending), sent: new Map(h.sent), done: new Map(h.done) }]));
    let trimmed = 0;
    let trimmedPending = 0;
    let text = render(copy);
    // Dropping `done` entries only risks reporting a skipped delivery twice; pending ones guard against duplicates.
    for (const field of ['done', 'pending', 'sent']) {
        while (text.length > maxChars) {
            const largest = largestMap(copy, field);
            if (!largest)
                break;
            // A quarter of the largest map at a time, its oldest entries first.
            const n = Math.max(1, Math.ceil(largest.size / 4));
            const victims = [...largest.entries()].sort((a, b) => a[1] - b[1]).slice(0, n);
            for (const [key] of victims)
                largest.delete(key);
            trimmed += victims.length;
            if (field !== 'done')
                trimmedPending += victims.length;
            text = render(copy);
        }
    }
    return { text, trimmed, trimmedPending };
}
/** `{ "<unix seconds>": ["<attempt id>", …] }`: ids grouped by the second they were recorded. Bad items are named in `problems`. */
function readIdTimes(value, field, problems) {
    const out = new Map();
    if (value === undefined)
        return out;
    if (!isObject(value)) {
        problems.push(`"${field}" is ${shown(value)}, not an object of times to delivery ids, left out`);
        return out;
    }
    let dropped = 0;
    for (const [seconds, ids] of Object.entries(value)) {
        if (!/^\d+$/.test(seconds) || !Array.isArray(ids)) {
            dropped += Array.isArray(ids) ? ids.length : 1;
            continue;
        }
        for (const id of ids) {
            if (typeof id === 'string' && isDeliveryId(id))
                out.set(id, Number(seconds) * 1000);
            else
                dropped++;
        }
    }
    if (dropped > 0)
        problems.push(`${plural(dropped, `in-flight ("${field}") item is`, `in-flight ("${field}") items are`)} not a time with delivery ids, left out`);
    return out;
}
function writeIdTimes(map) {
    const out = {};
    for (const [id, at] of [...map].sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : 1))) {
        ;
        (out[String(Math.floor(at / 1000))] ??= []).push(id);
    }
    return out;
}
function largestMap(hooks, field) {
    let best;
    for (const hook of hooks.values()) {
        const map = hook[field];
        if (map.size > 0 && (!best || map.size > best.size))
            best = map;
    }
    return best;
}
function render(hooks) {
    const out = {};
    const quiet = new Map();
    for (const key of [...hooks.keys()].sort()) {
        const hook = hooks.get(key);
        if (isQuiet(key, hook)) {
            const group = quiet.get(hook.scope) ?? [];
            group.push([key, hook]);
            quiet.set(hook.scope, group);
            continue;
        }
        const done = {};
        for (const [guid, at] of [...hook.done].sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : 1))) {
            done[guid] = Math.floor(at / 1000);
        }
        const entry = { floor: new Date(hook.floor).toISOString() };
        if (hook.seenUntil !== undefined)
            entry.seen = new Date(hook.seenUntil).toISOString();
        if (hook.pending.size > 0)
            entry.pending = writeIdTimes(hook.pending);
        if (hook.sent.size > 0)
            entry.sent = writeIdTimes(hook.sent);
        if (hook.done.size > 0)
            entry.done = done;
        if (hook.probes.length > 0)
            entry.probes = hook.probes.map(([from, to]) => [Math.floor(from / 1000), Math.ceil(to / 1000)]);
        if (hook.downSince !== undefined)
            entry.down = new Date(hook.downSince).toISOString();
        if (hook.scope !== undefined)
            entry.scope = hook.scope;
        out[key] = entry;
    }
    if (quiet.size === 0)
        return JSON.stringify({ version: STATE_VERSION, hooks: out });
    return JSON.stringify({ version: STATE_VERSION, hooks: out, quiet: writeQuietHooks(quiet) });
}
// ---------- quiet fleet hooks ----------
//
// A fleet's hooks are mostly quiet: nothing in flight, nothing given up, not down. Such a hook
// needs only its floor and `seen`, so instead of an entry each, the hooks of one fleet share one
// line: `{"quiet": {"<scope>": {"base": "<ISO time>", "hooks": "<id>[:<offset>[:<seen>]],..."}}}`
// in base 36: the id, the floor in seconds after `base`, and `seen` in seconds after the floor,
// left out when it is the usual SEEN_AFTER_FLOOR_S and empty when there is none. Times kept in
// whole seconds, rounded down, only reread up to a second more. Versions that do not know
// `quiet` read these hooks as new: they scan the lookback again.
/** Hook ids are numbers: only they can be written in base 36 and read back. */
/** A quiet hook's floor trails the newest attempt it saw by the late-listing margin (plan.ts): 2 minutes. */
const SEEN_AFTER_FLOOR_S = 120;
function isQuiet(key, hook) {
    return hook.scope !== undefined && HOOK_ID.test(key) && hook.pending.size === 0 && hook.sent.size === 0 && hook.done.size === 0 && hook.probes.length === 0 && hook.downSince === undefined;
}
function writeQuietHooks(groups) {
    const out = {};
    for (const scope of [...groups.keys()].sort()) {
        const members = groups.get(scope).map(([key, hook]) => ({
            id: BigInt(key),
            floor: Math.floor(hook.floor / 1000),
            seen: hook.seenUntil === undefined ? undefined : Math.floor(hook.seenUntil / 1000)
        }));
        members.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
        const base = Math.min(...members.map(m => m.floor));
        const hooks = members.map(({ id, floor, seen }) => {
            const offset = floor === base ? '' : (floor - base).toString(36);
            if (seen === floor + SEEN_AFTER_FLOOR_S)
                return offset ? `${id.toString(36)}:${offset}` : id.toString(36);
            return `${id.toString(36)}:${offset}:${seen === undefined ? '' : (seen - floor).toString(36)}`;
        });
        out[scope] = { base: new Date(base * 1000).toISOString(), hooks: hooks.join(',') };
    }
    return out;
}
/** Adds the quiet hooks of each fleet to `hooks` (an explicit entry of a hook wins); bad parts are named in `warnings`. */
function readQuietHooks(value, hooks, warnings) {
    if (!isObject(value)) {
        warnings.push(`"quiet" is ${shown(value)}, not an object of fleets: their hooks are scanned as if they had no bookmark`);
        return;
    }
    for (const [scope, group] of Object.entries(value)) {
        const base = isObject(group) && typeof group.base === 'string' ? Date.parse(group.base) : NaN;
        if (!isObject(group) || Number.isNaN(base) || typeof group.hooks !== 'string') {
            warnings.push(`the quiet hooks of ${JSON.stringify(scope)} are ${shown(group)}, not a base time and a list: they are scanned as if they had no bookmark`);
            continue;
        }
        let dropped = 0;
        for (const item of group.hooks.split(',')) {
            const match = /^([0-9a-z]{1,13})(?::([0-9a-z]{0,8})(?::(-?[0-9a-z]{0,8}))?)?$/.exec(item);
            const id = match ? fromBase36(match[1]) : undefined;
            if (!match || id === undefined || !HOOK_ID.test(id)) {
                if (item !== '')
                    dropped++;
                continue;
            }
            if (hooks.has(id))
                continue;
            const floor = base + (match[2] ? parseInt(match[2], 36) : 0) * 1000;
            const seen = match[3] === undefined ? SEEN_AFTER_FLOOR_S : match[3] === '' || match[3] === '-' ? undefined : parseInt(match[3], 36);
            hooks.set(id, {
                floor,
                ...(seen === undefined ? {} : { seenUntil: floor + seen * 1000 }),
                pending: new Map(),
                sent: new Map(),
                done: new Map(),
                probes: [],
                scope
            });
        }
        if (dropped > 0)
            warnings.push(`${plural(dropped, 'quiet hook')} of ${JSON.stringify(scope)} ${noun(dropped, 'is', 'are')} not a base-36 id, left out`);
    }
}
function fromBase36(text) {
    let n = 0n;
    for (const c of text)
        n = n * 36n + BigInt(parseInt(c, 36));
    return n.toString();
}
/**
 * Combines our new bookmark with one another run wrote meanwhile: a floor never
 * moves back, and in-flight redeliveries and finished guids of both are kept.
 */
function mergeBookmarks(ours, theirs) {
    const hooks = new Map();
    for (const key of new Set([...ours.hooks.keys(), ...theirs.hooks.keys()])) {
        const a = ours.hooks.get(key);
        const b = theirs.hooks.get(key);
        if (!a || !b) {
            hooks.set(key, (a ?? b));
            continue;
        }
        const floor = Math.max(a.floor, b.floor);
        const seen = [a.seenUntil, b.seenUntil].filter((t) => t !== undefined);
        const done = new Map();
        for (const [guid, at] of [...b.done, ...a.done])
            if (keepsDone(at, floor))
                done.set(guid, at);
        // Ours is the newer knowledge of the receiver: a `down` we cleared stays cleared.
        const downSince = a.downSince;
        const scope = a.scope ?? b.scope;
        hooks.set(key, {
            floor,
            ...(seen.length > 0 ? { seenUntil: Math.max(...seen) } : {}),
            pending: newestTimes(a.pending, b.pending),
            sent: newestTimes(a.sent, b.sent),
            done,
            probes: mergeSpans([...a.probes, ...b.probes]),
            ...(downSince !== undefined ? { downSince } : {}),
            ...(scope !== undefined ? { scope } : {})
        });
    }
    return { hooks };
}
/**
 * What a run keeps of a bookmark another run wrote (`theirs`), to merge into each of its own
 * later writes until that run writes again: the entries of the hooks that run wrote. An entry
 * still as this run read it at its start (`read`) is nothing new; this run's own bookmark
 * decides it (a redelivery listed since, a hook gone from its fleet, an entry forgotten).
 */
function writtenByOthers(theirs, read) {
    const hooks = new Map();
    for (const [key, entry] of theirs.hooks) {
        const before = read.hooks.get(key);
        if (!before || render(new Map([[key, entry]])) !== render(new Map([[key, before]])))
            hooks.set(key, entry);
    }
    return { hooks };
}
/** Spans sorted and joined where they overlap or touch. */
function mergeSpans(spans) {
    const out = [];
    for (const [from, to] of [...spans].sort((x, y) => x[0] - y[0])) {
        const last = out[out.length - 1];
        if (last && from <= last[1])
            last[1] = Math.max(last[1], to);
        else
            out.push([from, to]);
    }
    return out;
}
function newestTimes(a, b) {
    const out = new Map(b);
    for (const [id, at] of a)
        out.set(id, Math.max(at, out.get(id) ?? 0));
    return out;
}
/**
 * Whether a finished delivery stays in `done` above this floor. The bookmark keeps whole
 * seconds: compare at that precision, so an entry kept once is not pruned after a reload.
 */
function keepsDone(firstAt, floor) {
    return firstAt >= floor - 999;
}
function isObject(value) {
    return typeof value === 'object' && value !== null && !Array.isArray(value);
}
/**
 * How far a time in the bookmark may be ahead of GitHub's now. Every time in it comes from
 * GitHub's clock (delivered_at, the Date header, which has one-second resolution), so
 * anything later than this was not written by a run: a hand edit, or the documented
 * script's runner clock.
 */
const FUTURE_TOLERANCE_MS = 60_000;
/**
 * Checks a hook's bookmark against GitHub's now. A floor from the future would hide every
 * failure before it, so it is not trusted: the scan starts at `fallbackFloor`, as for a
 * bookmark that cannot be read. In-flight and given-up times from the future (which would
 * hold a delivery back until then) are dropped; the rest of the entry is kept.
 */
function trustAgainstNow(entry, legacyFloor, now, fallbackFloor) {
    const latest = now + FUTURE_TOLERANCE_MS;
    const at = (ms) => new Date(ms).toISOString();
    if (!entry) {
        if (legacyFloor === undefined)
            return { floor: fallbackFloor };
        if (legacyFloor <= latest)
            return { floor: legacyFloor };
        return { floor: fallbackFloor, problem: `the value of GitHub's documented script (${at(legacyFloor)}) is later than GitHub's time now (${at(now)})` };
    }
    const problems = [];
    const floorTrusted = entry.floor <= latest;
    if (!floorTrusted)
        problems.push(`its floor ${at(entry.floor)} is later than GitHub's time now (${at(now)})`);
    const seenTrusted = entry.seenUntil === undefined || entry.seenUntil <= latest;
    const pending = new Map([...entry.pending].filter(([, t]) => t <= latest));
    const sent = new Map([...entry.sent].filter(([, t]) => t <= latest));
    const done = new Map([...entry.done].filter(([, t]) => t <= latest));
    const downTrusted = entry.downSince === undefined || entry.downSince <= latest;
    const probes = entry.probes.filter(([, to]) => to <= latest);
    const dropped = entry.pending.size - pending.size + (entry.sent.size - sent.size) + (entry.done.size - done.size) + (entry.probes.length - probes.length) + (seenTrusted ? 0 : 1) + (downTrusted ? 0 : 1);
    if (dropped > 0)
        problems.push(`${dropped} of its times ${noun(dropped, 'is', 'are')} later than GitHub's time now (${at(now)}), left out`);
    if (problems.length === 0)
        return { floor: entry.floor, previous: entry };
    const previous = { ...entry, floor: floorTrusted ? entry.floor : fallbackFloor, pending, sent, done, probes };
    if (!seenTrusted)
        delete previous.seenUntil;
    if (!downTrusted)
        delete previous.downSince;
    return { floor: previous.floor, previous, problem: problems.join('; ') };
}
/**
 * Whether the entry of a hook this run did not scan can be dropped. It may belong to another
 * target that shares the state (or a hook left out of `hook-id` for now), so it is kept while
 * anything in it is still inside GitHub's redelivery window; after that it tells nobody anything.
 */
function isForgotten(entry, now, windowMs) {
    let newest = Math.max(entry.floor, entry.seenUntil ?? entry.floor);
    for (const t of entry.pending.values())
        newest = Math.max(newest, t);
    for (const t of entry.sent.values())
        newest = Math.max(newest, t);
    for (const t of entry.done.values())
        newest = Math.max(newest, t);
    for (const [, to] of entry.probes)
        newest = Math.max(newest, to);
    return newest < now - windowMs;
}
/** Earlier versions keyed an app's webhook `app`, whichever app it was. */
const LEGACY_APP_KEY = 'app';
/**
 * The bookmark with an entry under the earlier `app` key moved to this app's own key,
 * unless it already has one: the earlier key is not kept, so no other app reads it later.
 */
function adoptLegacyAppEntry(bookmark, appKey) {
    const legacy = bookmark.hooks.get(LEGACY_APP_KEY);
    if (!legacy || appKey === LEGACY_APP_KEY)
        return bookmark;
    const hooks = new Map(bookmark.hooks);
    hooks.delete(LEGACY_APP_KEY);
    if (!hooks.has(appKey))
        hooks.set(appKey, legacy);
    return { ...bookmark, hooks };
}

;// CONCATENATED MODULE: ./src/core/receiver.ts
/**
 * Is a hook's receiver up? The rules that keep an outage from costing attempts, and a
 * refused payload from looking like an outage.
 *
 * GitHub records what the receiver answered. An answer (2xx, or a refusal: 4xx, 500) means
 * the receiver is reachable; a timeout, a failed connection or a 502/503/504 means it could
 * not be reached. So before sending, a run looks at what GitHub already lists: if the hook's
 * newest attempt (of any delivery) got an answer a moment ago, the receiver is up. Otherwise
 * it asks: a ping for organization and repository hooks (the tool's own `ping` event, no
 * delivery's attempt), one probe redelivery for the app's hook, which has no ping. It waits
 * for that answer and sends the rest only if the receiver answered. A probe that could not
 * reach the receiver costs its delivery no attempt; a probe the receiver refused costs one,
 * like any refusal: `max-attempts` counts what a receiver that was up refused.
 */
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
/** A successful attempt younger than this proves the receiver is up without a probe. */
const FRESH_SUCCESS_MS = 10 * MINUTE;
/**
 * Wait after the n-th redelivery a receiver that was up refused, before the next: a problem
 * that clears in hours is not given up in minutes. 1 h, 4 h, then 16 h, at most 24 h.
 */
function backoffMs(refused) {
    if (refused <= 0)
        return 0;
    return Math.min(24 * HOUR, HOUR * 4 ** (refused - 1));
}
const UNREACHABLE_CODES = new Set([0, 502, 503, 504]);
const NO_ANSWER_TEXT = /timed out|timeout|failed to connect|could not connect|connection (refused|reset|closed)|could not resolve|no route to host|certificate|ssl|tls/i;
function answerOf(attempt) {
    if (attempt.status === 'OK' || (attempt.statusCode >= 200 && attempt.statusCode < 300))
        return 'ok';
    if (UNREACHABLE_CODES.has(attempt.statusCode) || attempt.statusCode < 100 || NO_ANSWER_TEXT.test(attempt.status))
        return 'unreachable';
    return 'refused';
}
/**
 * What the listing says of the receiver: up when its newest attempt (of any delivery) got an
 * answer a moment ago, or got one at all since a run found it down (a ping's or probe's answer
 * listed late). `unclear` calls for a ping, or a probe where there is none.
 */
function receiverEvidence(listing, now) {
    const answered = listing.newestOk === true || listing.newestAnswered === true;
    const at = Math.max(listing.lastOkAt ?? -Infinity, listing.lastAnswerAt ?? -Infinity);
    if (!answered || at === -Infinity)
        return 'unclear';
    return now - at <= FRESH_SUCCESS_MS || listing.downBefore === true ? 'up' : 'unclear';
}
/** The verdict of a ping's or probe's listed attempt: any answer means the receiver is up. */
function verdictOf(answer) {
    return answer === 'unreachable' ? 'down' : 'up';
}
/**
 * Redeliveries that count against `max-attempts`: those GitHub lists, less the probes
 * that were sent while the receiver was not known to be up.
 */
function chargedAttempts(listedRedeliveries, freeProbes) {
    return Math.max(0, listedRedeliveries - freeProbes);
}

;// CONCATENATED MODULE: ./src/core/plan.ts



/**
 * Why a failing delivery was not redelivered. In flight: another run is sending it.
 * Receiver-down: a ping or probe could not reach its receiver; it waits, at no cost of an attempt.
 * Receiver-unknown: the ping's or probe's answer was not listed by the end of the wait; it waits too.
 * Backoff: its receiver refused the last redelivery; the next waits. Interrupted: the run
 * was stopped (SIGINT, SIGTERM) before sending it; the next run does.
 */
const SKIP_REASONS = [
    'filtered',
    'too-old',
    'max-attempts',
    'outside-window',
    'budget',
    'rate-limited',
    'refused',
    'dry-run',
    'in-flight',
    'receiver-down',
    'receiver-unknown',
    'backoff',
    'interrupted'
];
/** Skips after which a delivery is finished for good; the others are retried by the next run. */
const FINAL_SKIPS = new Set(['filtered', 'too-old', 'max-attempts', 'outside-window', 'refused']);
/** Final skips that mean giving up on a delivery GitHub could still have redelivered: the `given-up` output. */
const GIVE_UP_SKIPS = new Set(['max-attempts', 'outside-window']);
/** What the plan reads of the configuration. */
const POLICY_KEYS = ['maxAttempts', 'maxRedeliveries', 'events', 'maxAgeMs', 'dryRun'];
/** The policy of a configuration: its own settings, and the redelivery window of its GitHub. */
function policyOf(config) {
    const picked = Object.fromEntries(POLICY_KEYS.map(key => [key, config[key]]));
    return { ...picked, windowMs: redeliveryWindowMs(config.location) };
}
/**
 * A redelivery GitHub accepted is in flight until its new attempt is listed (GitHub can take
 * minutes), or at most this long. One only planned before a run stopped may never have been
 * sent: it waits the short grace alone.
 */
const SENT_IN_FLIGHT_MS = 60 * 60_000;
const PLANNED_IN_FLIGHT_MS = 3 * 60_000;
/** Deliveries still running during a scan (up to 30 s on GHES) can be listed after newer ones. */
const LATE_LISTING_MARGIN_MS = 2 * 60_000;
/** Do not ask for what will have left GitHub's redelivery window by the time the request is made. */
const WINDOW_SAFETY_MS = 15 * 60_000;
function matchesEvents(filters, event, action) {
    if (filters.length === 0)
        return true;
    return filters.some(f => f.event === event && (f.action === undefined || f.action === action));
}
/** Whether a redelivery of this attempt id is still in flight at `now`. */
function isInFlight(previous, id, now) {
    const sentAt = previous?.sent.get(id);
    if (sentAt !== undefined && now < sentAt + SENT_IN_FLIGHT_MS)
        return true;
    const plannedAt = previous?.pending.get(id);
    return plannedAt !== undefined && now < plannedAt + PLANNED_IN_FLIGHT_MS;
}
/**
 * Decides, for every failing delivery of every hook, whether to redeliver it now and why not.
 * A hook whose receiver the listing does not show up is pinged (or, without a ping, gets one
 * probe); its due deliveries are held until the answer is known (`releaseHeld`).
 */
function planRun(scans, policy, now) {
    const hooks = new Map();
    const pings = [];
    const probes = [];
    const due = [];
    for (const scan of scans) {
        const evidence = receiverEvidence({ ...scan, downBefore: scan.previous?.downSince !== undefined }, now);
        const plan = { key: scan.key, decisions: [], inFlight: [], outsideScan: 0, alreadyDone: 0, evidence };
        const done = scan.previous?.done;
        const hookDue = [];
        for (const facts of scan.facts) {
            if (!facts.hasOriginal || facts.firstAt < scan.scanStart) {
                plan.outsideScan++;
                continue;
            }
            if (done?.has(facts.guid)) {
                plan.alreadyDone++;
                continue;
            }
            if (isInFlight(scan.previous, facts.newestId, now)) {
                plan.inFlight.push(facts);
                continue;
            }
            const attempts = chargedAttempts(facts.redeliveries, facts.freeRedeliveries);
            const decision = { hookKey: scan.key, facts, attempts, action: 'skip' };
            if (!matchesEvents(policy.events, facts.event, facts.action))
                decision.reason = 'filtered';
            else if (attempts >= policy.maxAttempts)
                decision.reason = 'max-attempts';
            else if (policy.maxAgeMs !== undefined && facts.firstAt < now - policy.maxAgeMs)
                decision.reason = 'too-old';
            // Given up (and reported) before its original leaves what a scan reads: never dropped silently.
            else if (facts.firstAt < now - policy.windowMs + WINDOW_SAFETY_MS)
                decision.reason = 'outside-window';
            else if (now < facts.newestAt + backoffMs(attempts))
                decision.reason = 'backoff';
            else
                hookDue.push(decision);
            plan.decisions.push(decision);
        }
        if (hookDue.length > 0 && evidence !== 'up' && !policy.dryRun) {
            plan.check = scan.pingable === true ? 'ping' : 'probe';
            // A ping asks without spending any delivery's attempt; without one, the probe is a due delivery.
            const probe = plan.check === 'probe' ? chooseProbe(hookDue) : undefined;
            if (probe) {
                probe.probe = true;
                probes.push(probe);
            }
            else
                pings.push(scan.key);
            for (const decision of hookDue) {
                if (decision === probe)
                    continue;
                decision.held = true;
                decision.reason = 'receiver-down';
            }
        }
        else {
            due.push(...hookDue);
        }
        hooks.set(scan.key, plan);
    }
    // Probes first: their answers decide what else can be sent. Then the oldest, which leave GitHub's window first.
    const ordered = [...probes.sort(oldestFirst), ...due.sort(oldestFirst)];
    const toRedeliver = [];
    ordered.forEach((decision, index) => {
        if (index >= policy.maxRedeliveries)
            decision.reason = 'budget';
        else if (policy.dryRun)
            decision.reason = 'dry-run';
        else {
            decision.action = 'redeliver';
            toRedeliver.push(decision);
        }
    });
    return { hooks, toRedeliver, pings };
}
/**
 * The probe: a delivery that was redelivered least, free probes included, the oldest of those.
 * Each probe adds a redelivery to its delivery, so while a receiver stays down the probe moves
 * on to the next delivery run after run; one the receiver refuses is charged and waits for its
 * backoff, so it is not the probe again while others wait.
 */
function chooseProbe(due) {
    return [...due].sort((a, b) => a.facts.redeliveries - b.facts.redeliveries || oldestFirst(a, b))[0];
}
function oldestFirst(a, b) {
    return a.facts.firstAt - b.facts.firstAt || (a.facts.guid < b.facts.guid ? -1 : 1);
}
/**
 * GitHub refused to redeliver the probe (a 4xx for that delivery), or to ping the hook: that
 * says nothing of the receiver, so the next held delivery of the hook becomes the probe.
 * Undefined when none is left.
 */
function replaceProbe(plan, hookKey, policy) {
    const held = plan.hooks.get(hookKey)?.decisions.filter(d => d.held) ?? [];
    if (held.length === 0 || plan.toRedeliver.length >= policy.maxRedeliveries)
        return undefined;
    const probe = chooseProbe(held);
    probe.held = false;
    probe.probe = true;
    probe.action = 'redeliver';
    probe.reason = undefined;
    plan.toRedeliver.push(probe);
    return probe;
}
/**
 * After the pings and probes: the held deliveries of hooks whose receiver answered are sent,
 * oldest first, within what is left of `max-redeliveries`; those of receivers that could not be
 * reached stay `receiver-down`, those whose answer is not known yet become `receiver-unknown`.
 */
function releaseHeld(plan, verdicts, policy) {
    for (const hook of plan.hooks.values()) {
        if (verdicts.get(hook.key) !== 'unknown')
            continue;
        for (const decision of hook.decisions)
            if (decision.held)
                decision.reason = 'receiver-unknown';
    }
    // A hook whose probe did not fit in the budget learnt nothing: its held deliveries wait for the budget, not for a receiver.
    for (const hook of plan.hooks.values()) {
        if (!hook.decisions.some(d => d.probe && d.reason === 'budget'))
            continue;
        for (const decision of hook.decisions) {
            if (!decision.held)
                continue;
            decision.held = false;
            decision.reason = 'budget';
        }
    }
    let left = policy.maxRedeliveries - plan.toRedeliver.length;
    const released = [];
    const held = [...plan.hooks.values()].flatMap(h => (verdicts.get(h.key) === 'up' ? h.decisions.filter(d => d.held) : [])).sort(oldestFirst);
    for (const decision of held) {
        decision.held = false;
        if (left <= 0) {
            decision.reason = 'budget';
            continue;
        }
        left--;
        decision.action = 'redeliver';
        decision.reason = undefined;
        released.push(decision);
    }
    plan.toRedeliver.push(...released);
    return released;
}
/** When a redelivery went out, or perhaps went out (GitHub's answer lost); undefined when it was not sent. */
function sentAt(outcome) {
    return outcome?.result === 'redelivered' ? outcome.at : outcome?.result === 'error' ? outcome.uncertainAt : undefined;
}
/** Where a redelivery request or its absence leaves a decision. */
function finalReason(decision, outcome) {
    if (decision.action === 'skip')
        return decision.reason;
    return outcome?.result === 'skipped' ? outcome.reason : undefined;
}
function isFinished(decision, outcome) {
    const reason = finalReason(decision, outcome);
    return reason !== undefined && FINAL_SKIPS.has(reason);
}
/**
 * The hook's bookmark after this run. The floor moves up to the newest delivery
 * seen (less a margin for late listing) but never past an unfinished delivery;
 * in-flight redeliveries are remembered so no later run sends them again.
 */
function nextHookBookmark(scan, plan, outcomes, now, receiver = {}) {
    let floor = scan.newestAt === undefined ? scan.floorBase : scan.newestAt - LATE_LISTING_MARGIN_MS;
    for (const facts of plan.inFlight)
        floor = Math.min(floor, facts.firstAt);
    for (const decision of plan.decisions) {
        if (!isFinished(decision, outcomes.get(outcomeKey(decision))))
            floor = Math.min(floor, decision.facts.firstAt);
    }
    floor = Math.max(floor, scan.floorBase);
    const done = new Map();
    for (const [guid, at] of scan.previous?.done ?? [])
        if (keepsDone(at, floor))
            done.set(guid, at);
    for (const decision of plan.decisions) {
        if (keepsDone(decision.facts.firstAt, floor) && isFinished(decision, outcomes.get(outcomeKey(decision)))) {
            done.set(decision.facts.guid, decision.facts.firstAt);
        }
    }
    const seen = [scan.previous?.seenUntil, scan.newestAt].filter((t) => t !== undefined);
    const downSince = downSinceOf(scan, plan, receiver);
    return {
        floor,
        ...(seen.length > 0 ? { seenUntil: Math.max(...seen) } : {}),
        ...inFlightAfter(scan, plan, outcomes, now, new Map()),
        done,
        probes: receiver.verdict === 'up' ? keptProbeSpans(scan) : probeSpansAfter(scan, plan, outcomes, new Map()),
        ...(downSince !== undefined ? { downSince } : {}),
        ...(scan.scope !== undefined ? { scope: scan.scope } : {})
    };
}
/**
 * The hook's bookmark while redeliveries are being sent: the floor stays where it was,
 * and everything sent so far, plus the batch about to be sent, is in flight.
 */
function checkpointHookBookmark(scan, plan, outcomes, now, planned) {
    const previous = scan.previous;
    return {
        floor: previous?.floor ?? scan.floorBase,
        ...(previous?.seenUntil !== undefined ? { seenUntil: previous.seenUntil } : {}),
        ...inFlightAfter(scan, plan, outcomes, now, planned),
        done: new Map(previous?.done ?? []),
        // A probe about to be sent, or sent, is already free here: a run killed after sending it charges nothing.
        probes: probeSpansAfter(scan, plan, outcomes, planned),
        ...(previous?.downSince !== undefined ? { downSince: previous.downSince } : {}),
        ...(scan.scope !== undefined ? { scope: scan.scope } : {})
    };
}
/**
 * The bookmark a checkpoint writes: the one read at the start, with each scanned hook's entry
 * holding everything sent so far and `batch`, about to be sent, in flight.
 */
function checkpointBookmark(previous, run, batch, now) {
    const planned = new Map();
    for (const decision of batch)
        planned.set(decision.hookKey, (planned.get(decision.hookKey) ?? new Map()).set(decision.facts.newestId, now));
    const hooks = new Map(previous.hooks);
    for (const scan of run.scans)
        hooks.set(scan.key, checkpointHookBookmark(scan, run.plan.hooks.get(scan.key), run.outcomes, now, planned.get(scan.key) ?? new Map()));
    return { hooks };
}
/**
 * The bookmark a run leaves: each scanned hook's next entry (`nextHookBookmark`). Entries of
 * hooks not scanned may be another target's sharing this state: kept until nothing in them
 * matters. A fleet's own entries of hooks it no longer has go at once, unless part of the
 * fleet could not be read.
 */
function finalBookmark(previous, run, receivers, now, scope) {
    const { found, fleet } = scope;
    const gone = (entryScope) => fleet !== undefined && fleet.complete && entryScope === fleet.scope;
    const kept = [...previous.hooks].filter(([key, entry]) => found.has(key) || (!gone(entry.scope) && !isForgotten(entry, now, scope.windowMs)));
    const hooks = new Map(kept);
    for (const scan of run.scans)
        hooks.set(scan.key, nextHookBookmark(scan, run.plan.hooks.get(scan.key), run.outcomes, now, receivers.get(scan.key)));
    return { hooks };
}
/**
 * Whether another run, whose bookmark a checkpoint merged (`theirs`), is sending this delivery
 * or has finished it: in flight in their bookmark (about to be sent, or sent), and not just the
 * expired entry this run started from (`mine`).
 */
function inFlightElsewhere(decision, mine, theirs) {
    const their = theirs.hooks.get(decision.hookKey);
    const my = mine.hooks.get(decision.hookKey);
    const id = decision.facts.newestId;
    const theirPending = their?.pending.get(id);
    const theirSent = their?.sent.get(id);
    const sending = (theirPending !== undefined && theirPending !== my?.pending.get(id)) || (theirSent !== undefined && theirSent !== my?.sent.get(id));
    return sending || their?.done.has(decision.facts.guid) === true;
}
/**
 * Redeliveries in flight: earlier ones neither expired nor listed yet, those made (or perhaps
 * made) this run, and those planned. An id that is no longer its delivery's newest attempt
 * has been listed: its redelivery is no longer in flight.
 */
function inFlightAfter(scan, plan, outcomes, now, planned) {
    const newest = new Set(scan.facts.map(f => f.newestId));
    const keep = (map, lifetime) => {
        const out = new Map();
        for (const [id, at] of map ?? [])
            if (now < at + lifetime && newest.has(id))
                out.set(id, at);
        return out;
    };
    const pending = keep(scan.previous?.pending, PLANNED_IN_FLIGHT_MS);
    const sent = keep(scan.previous?.sent, SENT_IN_FLIGHT_MS);
    for (const [id, at] of planned)
        pending.set(id, at);
    for (const decision of plan.decisions) {
        const outcome = outcomes.get(outcomeKey(decision));
        const at = sentAt(outcome);
        if (at === undefined)
            continue;
        pending.delete(decision.facts.newestId);
        sent.set(decision.facts.newestId, at);
    }
    return { pending, sent };
}
/** Earlier probe spans that can still matter: those reaching into what a scan reads. */
function keptProbeSpans(scan) {
    return (scan.previous?.probes ?? []).filter(([, to]) => to >= scan.scanStart - PROBE_TIME_MARGIN_MS).map(([from, to]) => [from, to]);
}
/**
 * The probe spans with this run's probes (sent, perhaps sent, or about to be): a probe extends
 * the last span when the receiver was already down at the previous run (one span per outage),
 * else starts one.
 */
function probeSpansAfter(scan, plan, outcomes, planned) {
    const spans = keptProbeSpans(scan);
    const downBefore = scan.previous?.downSince !== undefined;
    for (const decision of plan.decisions) {
        if (!decision.probe)
            continue;
        const outcome = outcomes.get(outcomeKey(decision));
        const at = sentAt(outcome) ?? planned.get(decision.facts.newestId);
        if (at === undefined)
            continue;
        const last = spans[spans.length - 1];
        if (downBefore && last && last[1] <= at)
            last[1] = at;
        else
            spans.push([at, at]);
    }
    return mergeSpans(spans);
}
/** A failed redelivery this close to a probe span counts as a probe (GitHub's times and ours differ a little). */
const PROBE_TIME_MARGIN_MS = 2 * 60_000;
/** Whether a failed redelivery at `t` went into a receiver not known to be up. */
function inProbeSpans(spans, t) {
    return spans.some(([from, to]) => t >= from - PROBE_TIME_MARGIN_MS && t <= to + PROBE_TIME_MARGIN_MS);
}
/** Since when a receiver this run did not find up has been failing; undefined when it was found up, or not probed. */
function downSinceOf(scan, plan, receiver) {
    if (receiver?.verdict !== 'down' && receiver?.verdict !== 'unknown')
        return undefined;
    return scan.previous?.downSince ?? failingSince(scan, plan) ?? receiver.probedAt;
}
/** Since when the hook's receiver has been failing: its oldest failure after its newest success. */
function failingSince(scan, plan) {
    let since;
    for (const decision of plan.decisions) {
        const at = decision.facts.firstAt;
        if (scan.lastOkAt !== undefined && at < scan.lastOkAt)
            continue;
        if (since === undefined || at < since)
            since = at;
    }
    return since;
}
function outcomeKey(decision) {
    return `${decision.hookKey}\u0000${decision.facts.guid}`;
}

;// CONCATENATED MODULE: ./src/engine/bookmark-keeper.ts






/**
 * The one owner of the bookmark's life in a run; `core/plan.ts` computes each value it writes.
 *
 * - `read`, once at the start: where each hook's scan starts, and what is already in flight.
 * - `checkpoint`, before each batch of redeliveries: the batch is written as `pending` (planned),
 *   so a run killed mid-batch leaves a record the next runs respect (for three minutes). What
 *   another run already has in flight is taken out of the batch.
 * - `recordSent`, before every wait: what GitHub accepted moves to `sent`, in flight until its
 *   attempt is listed (up to an hour), so a run cancelled while it waits sends nothing twice.
 * - `restore`, when the run ends before anything was sent (a credential that cannot redeliver):
 *   the value read is put back (with what another run wrote meanwhile), unless another run wrote since.
 * - `finish`, at the end: floors move up, never past an unfinished delivery, so nothing is lost;
 *   what was sent stays in flight, what was given up is `done`.
 *
 * Every write reads the store again and merges in what another run wrote meanwhile: a floor
 * never moves back and both runs' in-flight redeliveries are kept. What the other run wrote is
 * merged into every later write too, until the store shows that run wrote again: else a second
 * write of this run, before the other's next one, would drop it. A value that did not change is
 * not written. A dry run, a run without a store and a run that scanned no hook write nothing.
 */
class BookmarkKeeper {
    options;
    previous = emptyBookmark();
    readText;
    /** The bookmark as read at the start, before anything was adopted: what another run's write is compared with. */
    readBookmark = emptyBookmark();
    /** What another run wrote (its hooks' entries that changed since this run's read), merged into every write of this run until it writes again. */
    others;
    lastText;
    /** The warning about in-flight entries trimmed to fit the store is given once per run, not per checkpoint. */
    warnedTrim = false;
    /** When each redelivery sent (or perhaps sent) was at the last checkpoint: what `recordSent` has still to record is the rest. */
    recorded = new Map();
    constructor(options) {
        this.options = options;
    }
    get description() {
        return this.options.store?.description ?? 'no bookmark';
    }
    /** The bookmark at the start of the run; a user error when it must not be used (a newer version's, another shard's). */
    async read(lookbackMs) {
        const { store, hooks, fleet, log, warn } = this.options;
        if (!store)
            return this.previous;
        this.readText = await store.read();
        this.lastText = this.readText;
        const parsed = parseBookmark(this.readText);
        if (parsed.newer) {
            // Its words fit a variable and a state file alike: the description says which.
            throw new UserError(`The ${store.description} holds a bookmark written by a newer version of webhook-redelivery (${parsed.problem}). Run that version or a later one, or delete the ${store.description} to start over.`);
        }
        if (parsed.problem) {
            warn(`The ${store.description} does not hold a bookmark webhook-redelivery can read (${parsed.problem}); scanning the last ${formatDuration(lookbackMs)} and replacing it.`);
        }
        for (const problem of parsed.warnings ?? [])
            warn(`The ${store.description} holds a bookmark entry webhook-redelivery cannot fully read: ${problem}.`);
        this.readBookmark = parsed.bookmark;
        let previous = parsed.bookmark;
        const otherShard = fleet && [...previous.hooks.values()].map(e => e.scope && otherShardOf(fleet.scope, e.scope)).find(Boolean);
        if (otherShard) {
            throw new UserError(`The ${store.description} holds the bookmark of shard ${otherShard} of these hooks. Give each shard its own "state-variable" (such as WEBHOOK_STATE_1, WEBHOOK_STATE_2, … from the matrix), so the shards never write over each other.`);
        }
        for (const hook of hooks)
            if (hook.kind === 'app')
                previous = adoptLegacyAppEntry(previous, hook.key);
        if (previous.legacyFloor !== undefined) {
            log.info(`Taking over the bookmark of GitHub's documented script: scanning from ${new Date(previous.legacyFloor).toISOString()}.`);
        }
        this.previous = previous;
        return previous;
    }
    /**
     * Before a batch is sent: records it as planned, with everything sent so far. Returns the
     * batch split into what to send and what an overlapping run is already sending or finished.
     * Throws when the store refuses the write: then the batch must not be sent.
     */
    async checkpoint(run, batch) {
        if (!this.options.store)
            return { toSend: [...batch], elsewhere: [] };
        await this.write(checkpointBookmark(this.previous, run, batch, this.options.now()));
        this.recorded = sentTimes(run.outcomes);
        const { others } = this;
        if (!others)
            return { toSend: [...batch], elsewhere: [] };
        const elsewhere = new Set(batch.filter(decision => inFlightElsewhere(decision, this.previous, others)));
        return { toSend: batch.filter(decision => !elsewhere.has(decision)), elsewhere: [...elsewhere] };
    }
    /**
     * Before the run waits: a checkpoint that moves what GitHub accepted from "about to be sent"
     * (a short wait) to "sent" (in flight until listed), so a run cancelled while it waits causes
     * no duplicate even when GitHub lists redeliveries late. Nothing sent since the last one: no write.
     */
    async recordSent(run) {
        const unrecorded = [...sentTimes(run.outcomes)].some(([key, at]) => this.recorded.get(key) !== at);
        if (unrecorded)
            await this.checkpoint(run, []);
    }
    /**
     * Puts back the value read at the start, after a checkpoint for redeliveries none of
     * which was sent, with what another run wrote meanwhile; unless another run has written
     * since, whose bookmark must stay.
     */
    async restore() {
        const { store } = this.options;
        if (!store || this.lastText === this.readText)
            return;
        if ((await store.read()) !== this.lastText)
            return;
        // There was no bookmark before this run: an empty one means the same, with nothing in flight.
        const text = this.others ? serializeBookmark(mergeBookmarks(this.previous, this.others), store.maxChars).text : (this.readText ?? serializeBookmark(emptyBookmark()).text);
        await store.write(text);
        this.lastText = text;
    }
    /** The final write. Returns what fails the run when the store refused it. */
    async finish(run, receivers, now) {
        const { store, hooks, fleet, policy, warn } = this.options;
        // When no hook could be scanned nothing was learnt: leave the bookmark (or its absence) as it was.
        const learnt = run.scans.length > 0 || hooks.length === 0;
        if (!store || policy.dryRun || !learnt)
            return undefined;
        const found = new Set(hooks.map(h => h.key));
        try {
            await this.write(finalBookmark(this.previous, run, receivers, now, { found, fleet, windowMs: policy.windowMs }));
        }
        catch (error) {
            const message = error instanceof Error ? error.message : String(error);
            if (!(error instanceof RateLimitedError))
                return `Could not save the bookmark to the ${store.description}: ${message}`;
            // The checkpoint written before the redeliveries still guards against sending anything twice.
            warn(`Could not save the bookmark (${message}). Nothing is lost: the next run scans again from the previous bookmark.`);
        }
        return undefined;
    }
    /**
     * Writes the bookmark, with what other runs wrote merged in, if its text changed. First
     * reads the store again: a value another run wrote meanwhile becomes `others`.
     */
    async write(bookmark) {
        const { store, log, warn } = this.options;
        if (!store)
            return;
        const withOthers = () => (this.others ? mergeBookmarks(bookmark, this.others) : bookmark);
        let { text, trimmed, trimmedPending } = serializeBookmark(withOthers(), store.maxChars);
        // Nothing changed: no write, and no second read either.
        if (text === this.lastText)
            return;
        const current = await store.read();
        if (current !== this.lastText) {
            log.debug(`The ${store.description} changed during this run; merging, never moving a bookmark back.`);
            this.others = writtenByOthers(parseBookmark(current).bookmark, this.readBookmark);
            ({ text, trimmed, trimmedPending } = serializeBookmark(withOthers(), store.maxChars));
            this.lastText = current;
            if (text === current)
                return;
        }
        const limit = store.maxChars;
        if (limit !== undefined && text.length > limit) {
            // Written anyway, GitHub would refuse it; cut further, it would lose hooks' floors or in-flight redeliveries.
            throw new Error(`the bookmark of ${bookmark.hooks.size} hooks needs ${thousands(text.length)} characters, more than the ${thousands(limit)} an Actions variable is given here. Split the hooks with the "shard" input (a matrix of jobs, shard 1/2 and 2/2, each with its own "state-variable"), or narrow "repository" or "hook-id"`);
        }
        if (trimmedPending > 0 && !this.warnedTrim) {
            this.warnedTrim = true;
            warn(`The bookmark grew too large for an Actions variable; dropped ${trimmedPending} of its oldest in-flight redeliveries, which a later run may send again. Lower max-redeliveries.`);
        }
        else if (trimmed > 0) {
            // Only costs a repeated line in a later report (or was warned about already): not worth a warning.
            log.debug(`The bookmark was trimmed to fit an Actions variable: ${trimmed} finished deliveries forgotten.`);
        }
        await store.write(text);
        this.lastText = text;
    }
}
/** When each redelivery sent, or perhaps sent, went out. */
function sentTimes(outcomes) {
    const times = new Map();
    for (const [key, outcome] of outcomes) {
        const at = sentAt(outcome);
        if (at !== undefined)
            times.set(key, at);
    }
    return times;
}

;// CONCATENATED MODULE: ./src/engine/pool.ts
/** Runs `work` over items with at most `limit` in progress; results keep the items' order. */
async function mapConcurrent(items, limit, work) {
    const results = new Array(items.length);
    let next = 0;
    const worker = async () => {
        while (next < items.length) {
            const index = next++;
            results[index] = await work(items[index], index);
        }
    };
    await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
    return results;
}

;// CONCATENATED MODULE: ./src/core/ledger.ts


function isSuccess(attempt) {
    return answerOf(attempt) === 'ok';
}
/**
 * GitHub's `ping` event: sent when a hook is created, and by this tool to learn whether a
 * receiver is up. Never a delivery to redeliver; its answer is evidence of the receiver.
 */
const PING_EVENT = 'ping';
/** Two pages of 100: more than a page boundary can shift between two requests. */
const RECENT_IDS = 200;
/**
 * Groups attempts by guid as pages arrive. A delivery with a successful attempt needs no
 * more than its guid (it is never redelivered, and later-listed failed attempts of it must
 * not make it look failing); only deliveries still failing keep a small record. So memory
 * grows with failures, not with everything GitHub lists: 100,000 deliveries fit in a few MB.
 */
class DeliveryLedger {
    isProbeTime;
    failing = new Map();
    succeeded = new Set();
    /** Every failed attempt's id: their redeliveries count against max-attempts, so none may count twice. */
    failedIds = new Set();
    /**
     * The last ids added, whatever their status: a page boundary that shifts while deliveries
     * arrive lists the previous page's tail again. Bounded, so 100,000 successes cost no id set.
     */
    recentIds = new Set();
    recentRing = [];
    recentNext = 0;
    /** `isProbeTime`: whether a redelivery at this time went into a receiver not known to be up. */
    constructor(isProbeTime = () => false) {
        this.isProbeTime = isProbeTime;
    }
    scanned = 0;
    newestAt;
    /** Whether the newest attempt listed (any delivery, original or redelivery) succeeded. */
    newestOk;
    /** Whether the receiver answered the newest attempt listed (a success or a refusal). */
    newestAnswered;
    /** The newest successful attempt: the receiver answered then. */
    lastOkAt;
    /** The newest attempt the receiver answered, a success or a refusal: it was up then. */
    lastAnswerAt;
    add(attempt) {
        // A page boundary can shift while deliveries arrive; never count an attempt twice.
        if (this.recentIds.has(attempt.id) || this.failedIds.has(attempt.id))
            return;
        this.remember(attempt.id);
        this.scanned++;
        const answer = answerOf(attempt);
        const ok = answer === 'ok';
        if (!ok)
            this.failedIds.add(attempt.id);
        if (this.newestAt === undefined || attempt.deliveredAt > this.newestAt || (attempt.deliveredAt === this.newestAt && ok)) {
            this.newestAt = attempt.deliveredAt;
            this.newestOk = ok;
            this.newestAnswered = answer !== 'unreachable';
        }
        if (ok && (this.lastOkAt === undefined || attempt.deliveredAt > this.lastOkAt))
            this.lastOkAt = attempt.deliveredAt;
        if (answer !== 'unreachable' && (this.lastAnswerAt === undefined || attempt.deliveredAt > this.lastAnswerAt))
            this.lastAnswerAt = attempt.deliveredAt;
        // A ping is evidence of the receiver, never a delivery to redeliver.
        if (attempt.event === PING_EVENT)
            return;
        if (this.succeeded.has(attempt.guid))
            return;
        if (ok) {
            this.failing.delete(attempt.guid);
            this.succeeded.add(attempt.guid);
            return;
        }
        const facts = this.failing.get(attempt.guid);
        if (!facts) {
            this.failing.set(attempt.guid, {
                guid: attempt.guid,
                event: attempt.event,
                action: attempt.action,
                firstAt: attempt.deliveredAt,
                hasOriginal: !attempt.redelivery,
                redeliveries: attempt.redelivery ? 1 : 0,
                freeRedeliveries: this.isFree(attempt, ok) ? 1 : 0,
                newestId: attempt.id,
                newestAt: attempt.deliveredAt,
                newestStatus: attempt.status,
                newestStatusCode: attempt.statusCode
            });
            return;
        }
        if (attempt.redelivery)
            facts.redeliveries++;
        else
            facts.hasOriginal = true;
        if (this.isFree(attempt, ok))
            facts.freeRedeliveries++;
        if (attempt.deliveredAt < facts.firstAt)
            facts.firstAt = attempt.deliveredAt;
        if (attempt.deliveredAt > facts.newestAt || (attempt.deliveredAt === facts.newestAt && compareIds(attempt.id, facts.newestId) > 0)) {
            facts.newestId = attempt.id;
            facts.newestAt = attempt.deliveredAt;
            facts.newestStatus = attempt.status;
            facts.newestStatusCode = attempt.statusCode;
        }
    }
    /** A probe that could not reach the receiver costs nothing; one the receiver answered with a refusal is charged like any other. */
    isFree(attempt, ok) {
        return attempt.redelivery && !ok && answerOf(attempt) === 'unreachable' && this.isProbeTime(attempt.deliveredAt);
    }
    /** Releases the id sets once the scan is over: only per-guid facts are needed after. */
    seal() {
        this.failedIds = new Set();
        this.recentIds = new Set();
        this.recentRing = [];
    }
    remember(id) {
        const dropped = this.recentRing[this.recentNext];
        if (dropped !== undefined)
            this.recentIds.delete(dropped);
        this.recentRing[this.recentNext] = id;
        this.recentIds.add(id);
        this.recentNext = (this.recentNext + 1) % RECENT_IDS;
    }
    /** Distinct deliveries (guids) listed. */
    get size() {
        return this.failing.size + this.succeeded.size;
    }
    /** Ids held to tell repeated attempts apart: bounded by the failed ones plus two pages. */
    get idsHeld() {
        return this.failedIds.size + this.recentIds.size;
    }
    /** Whether an attempt of this delivery succeeded. */
    succeededGuid(guid) {
        return this.succeeded.has(guid);
    }
    /** What is known of each delivery no attempt of which succeeded (`ok` is false in every one). */
    facts() {
        return this.failing.values();
    }
}

;// CONCATENATED MODULE: ./src/engine/scan.ts








/** A listing is in completion order; keep paging a little past the start so slow attempts are not cut off. */
const LISTING_SLACK_MS = 60_000;
/** How far past GitHub's redelivery window a bookmark held back by an unfinished delivery is still read. */
const PAST_WINDOW_GRACE_MS = 24 * 60 * 60_000;
/** Reads one hook's attempts newest first, back to its bookmark (or the lookback), into a ledger. */
async function scanHook(hook, context) {
    const { previous, lookbackMs, windowMs, github } = context;
    let prior;
    // Failed redeliveries inside a probe span of the bookmark went into a receiver not known to be up: free.
    const ledger = new DeliveryLedger(t => prior !== undefined && inProbeSpans(prior.probes, t));
    let bounds;
    // GitHub's clock is known once its first answer arrived: the runner's clock never decides what is new.
    const boundsNow = () => {
        const now = github.now();
        const trusted = trustAgainstNow(previous.hooks.get(hook.key), previous.legacyFloor, now, now - lookbackMs);
        if (trusted.problem) {
            // The legacy value is one for every hook: the same words, so the run warns once.
            const whose = previous.hooks.has(hook.key) ? `${hook.label}: the bookmark is not trusted, since ${trusted.problem}` : `The bookmark is not trusted: ${trusted.problem}`;
            context.warn(`${whose}; scanning the last ${formatDuration(lookbackMs)} and writing a new bookmark.`);
        }
        prior = trusted.previous;
        // A day past the window is still read, so what leaves it while unfinished is given up and reported, not dropped.
        return { floorBase: trusted.floor, scanStart: Math.max(trusted.floor, now - windowMs - PAST_WINDOW_GRACE_MS), windowStart: now - windowMs, seenBefore: prior?.seenUntil };
    };
    let lost = false;
    try {
        // A hook GitHub says never delivered has nothing to list: it costs no request.
        if (!hook.neverDelivered)
            await github.listDeliveries(hook, page => {
                if (context.signal?.aborted)
                    return false;
                bounds ??= boundsNow();
                const { floorBase, scanStart, windowStart, seenBefore } = bounds;
                let more = page.length > 0;
                for (const attempt of page) {
                    if (attempt.deliveredAt >= scanStart)
                        ledger.add(attempt);
                    // Failures no run has seen, and GitHub can no longer redeliver (older than the window).
                    if (attempt.deliveredAt < windowStart && attempt.deliveredAt > (seenBefore ?? floorBase - 1) && !isSuccess(attempt) && attempt.event !== PING_EVENT)
                        lost = true;
                    if (attempt.deliveredAt + attempt.durationMs + LISTING_SLACK_MS < scanStart)
                        more = false;
                }
                return more;
            });
    }
    catch (error) {
        if (error instanceof UnknownHookError)
            return { hook, unknown: error };
        if (error instanceof UserError)
            return { hook, fatal: error };
        return { hook, error: error instanceof Error ? error.message : String(error) };
    }
    // Half a scan must not move the bookmark: the hook is treated as not scanned.
    if (context.signal?.aborted)
        return { hook, error: 'the run was interrupted before its scan was complete', interrupted: true };
    ledger.seal();
    const { floorBase, scanStart } = bounds ?? boundsNow();
    if (lost) {
        context.warn(`${hook.label}: the last run was longer ago than GitHub can redeliver (${formatDuration(windowMs)}); failures delivered between ${new Date(floorBase).toISOString()} and ${new Date(bounds?.windowStart ?? scanStart).toISOString()} can no longer be recovered. Run this more often.`);
    }
    context.log.debug(`${hook.label}: scanned ${plural(ledger.scanned, 'attempt')} of ${plural(ledger.size, 'delivery', 'deliveries')} since ${new Date(scanStart).toISOString()}`);
    return {
        hook,
        ledger,
        scan: {
            key: hook.key,
            facts: [...ledger.facts()],
            scanStart,
            floorBase,
            newestAt: ledger.newestAt,
            newestOk: ledger.newestOk,
            newestAnswered: ledger.newestAnswered,
            lastOkAt: ledger.lastOkAt,
            lastAnswerAt: ledger.lastAnswerAt,
            pingable: github.canPing?.(hook) === true,
            previous: prior,
            ...(hook.scope !== undefined ? { scope: hook.scope } : {})
        }
    };
}
/**
 * The attempts GitHub now lists for redeliveries sent since `since`: per guid, what the receiver
 * made of the attempts after the one redelivered (`ok` if any succeeded, else `refused` if it
 * answered any). A guid absent from the answer has no new attempt listed yet. Undefined when
 * GitHub could not be asked.
 */
async function newAttempts(github, hook, decisions, since) {
    const redelivered = new Map(decisions.map(d => [d.facts.guid, d.facts.newestId]));
    const found = new Map();
    try {
        await github.listDeliveries(hook, page => {
            for (const attempt of page) {
                const id = redelivered.get(attempt.guid);
                if (id !== undefined && compareIds(attempt.id, id) > 0)
                    found.set(attempt.guid, bestAnswer(found.get(attempt.guid), answerOf(attempt)));
            }
            return page.length > 0 && !page.some(a => a.deliveredAt + a.durationMs + LISTING_SLACK_MS < since);
        });
    }
    catch {
        return undefined;
    }
    return found;
}
const ANSWER_RANK = { unreachable: 0, refused: 1, ok: 2 };
function bestAnswer(a, b) {
    return a !== undefined && ANSWER_RANK[a] >= ANSWER_RANK[b] ? a : b;
}
/** How far before the time a ping was sent (GitHub's clock, as this run knows it) its delivery may be dated. */
const PING_CLOCK_MARGIN_MS = 5_000;
/**
 * What the receiver answered to a ping sent at `since`: the newest `ping` attempt GitHub lists
 * from then on. Undefined when none is listed yet, or GitHub could not be asked.
 */
async function pingAnswer(github, hook, since) {
    let newest;
    try {
        await github.listDeliveries(hook, page => {
            for (const attempt of page) {
                if (attempt.event !== PING_EVENT || attempt.deliveredAt < since - PING_CLOCK_MARGIN_MS)
                    continue;
                if (newest === undefined || attempt.deliveredAt > newest.at)
                    newest = { at: attempt.deliveredAt, answer: answerOf(attempt) };
            }
            return page.length > 0 && !page.some(a => a.deliveredAt + a.durationMs + LISTING_SLACK_MS < since);
        });
    }
    catch {
        return undefined;
    }
    return newest?.answer;
}

;// CONCATENATED MODULE: ./src/engine/redeliver.ts





/** Looks at a ping's or probe's result this many times within the wait, stopping as soon as each has one. */
const PROBE_LOOKS = 4;
/** Rounds of looking for the attempts of redeliveries whose answer was lost, and resending the rest. */
const VERIFY_ROUNDS = 2;
/**
 * Sends the planned redeliveries: a checkpoint of the bookmark before each batch,
 * one request at a time (the client spaces writes), a stop at GitHub's limits, and
 * a look at GitHub before resending anything whose answer was lost.
 */
class Redeliverer {
    options;
    outcomes = new Map();
    /** What the probes showed of each probed hook's receiver. */
    receivers = new Map();
    /** Problems that fail the run once everything else is done. */
    failures = [];
    stop;
    /** What the keeper's writes record. */
    progress;
    targets;
    constructor(options) {
        this.options = options;
        this.targets = new Map(options.hooks.map(h => [h.key, h]));
        this.progress = { scans: options.scans, plan: options.plan, outcomes: this.outcomes };
    }
    async run() {
        const { plan } = this.options;
        // Pings and probes go first; what the receivers that the listing shows up are owed is sent while their answers come in.
        await this.sendPings();
        await this.sendAll([...plan.toRedeliver], true);
        await this.replaceRefusedProbes();
        const released = await this.awaitProbes();
        await this.sendAll(released, false);
        await this.verifyUncertain();
    }
    async sendAll(decisions, first) {
        const { checkpointEvery } = this.options;
        for (let start = 0; start < decisions.length; start += checkpointEvery) {
            let batch = decisions.slice(start, start + checkpointEvery);
            this.stopIfInterrupted();
            if (!this.stop)
                batch = await this.checkpoint(batch, first && start === 0);
            for (const decision of batch) {
                await this.send(decision);
                if (decision.probe)
                    this.receivers.set(decision.hookKey, { check: 'probe', probedAt: this.options.github.now() });
            }
        }
    }
    /**
     * One ping per hook whose receiver the listing left unclear: the tool's own `ping` event, so no
     * delivery's attempt is spent asking. A hook GitHub would not ping is asked with a probe instead.
     */
    async sendPings() {
        const { plan, github, log } = this.options;
        for (const key of plan.pings) {
            this.stopIfInterrupted();
            if (this.stop)
                return;
            const hook = this.targets.get(key);
            const result = await github.ping(hook);
            if (result.kind === 'sent') {
                this.receivers.set(key, { check: 'ping', probedAt: result.at });
                continue;
            }
            if (result.kind === 'rate-limited') {
                this.stop = { result: 'skipped', reason: 'rate-limited', message: result.message };
                this.options.warn(`GitHub's rate limits stopped the run before its redeliveries (${result.message}); the next run continues with the rest.`);
                return;
            }
            const probe = replaceProbe(plan, key, { maxRedeliveries: this.options.maxRedeliveries });
            const hookPlan = plan.hooks.get(key);
            if (probe && hookPlan)
                hookPlan.check = 'probe';
            log.info(`${hook.label}: GitHub did not ping the hook (${result.message}); ${probe ? 'one probe redelivery asks the receiver instead' : 'its failing deliveries wait for a later run'}.`);
        }
    }
    /** A probe GitHub refused to redeliver tells nothing of the receiver: probe with the next held delivery. */
    async replaceRefusedProbes() {
        const { plan } = this.options;
        for (const probe of plan.toRedeliver.filter(d => d.probe)) {
            let current = probe;
            while (current && !this.stop && this.isRefused(current)) {
                current = replaceProbe(plan, current.hookKey, { maxRedeliveries: this.options.maxRedeliveries });
                if (current)
                    await this.sendAll([current], false);
            }
        }
    }
    isRefused(decision) {
        const outcome = this.outcomes.get(outcomeKey(decision));
        return outcome?.result === 'skipped' && outcome.reason === 'refused';
    }
    /**
     * Waits for the answers to the pings and probes to be listed (a receiver has 10 s to answer,
     * 30 s on GHES), and returns the held deliveries of the hooks whose receiver answered.
     */
    async awaitProbes() {
        const { plan, github, log } = this.options;
        // The hook's last probe (an earlier one may have been refused by GitHub). A probe that was
        // not sent (an error, a rate limit) tells nothing: its hook gets no verdict, its held deliveries wait.
        const probes = [...new Map(plan.toRedeliver.filter(d => d.probe).map(p => [p.hookKey, p])).values()].filter(p => this.outcomes.get(outcomeKey(p))?.result === 'redelivered');
        const waiting = [
            ...plan.pings.filter(key => this.receivers.get(key)?.check === 'ping').map(key => ({ key, look: () => pingAnswer(github, this.targets.get(key), this.receivers.get(key).probedAt) })),
            ...probes.map(probe => ({
                key: probe.hookKey,
                look: async () => (await newAttempts(github, this.targets.get(probe.hookKey), [probe], this.receivers.get(probe.hookKey).probedAt))?.get(probe.facts.guid)
            }))
        ];
        const verdicts = new Map();
        if (probes.length > 0)
            await this.recordSent();
        // A run stopped (rate limits, a failed checkpoint) looks at nothing: no verdict, what is held waits for the next run.
        if (waiting.length > 0 && !this.stop) {
            for (const { key } of waiting)
                verdicts.set(key, 'unknown');
            const n = waiting.length;
            log.info(`Waiting for the answer to ${n === 1 ? 'a ping or probe' : `${n} pings and probes`} to learn whether ${noun(n, 'its receiver is', 'their receivers are')} up before sending the rest.`);
            // Steps of the sleep, not of GitHub's clock: each answer re-reads that clock from a Date header
            // of one-second resolution, and a jump must not run the looks together before the answer is listed.
            const step = this.options.verifyDelayMs / PROBE_LOOKS;
            for (let look = 1; look <= PROBE_LOOKS && waiting.some(w => verdicts.get(w.key) === 'unknown'); look++) {
                await this.options.sleep(step);
                // Interrupted while waiting: no verdict, so the held deliveries wait for a later run.
                this.stopIfInterrupted();
                if (this.stop)
                    break;
                for (const w of waiting) {
                    if (verdicts.get(w.key) !== 'unknown')
                        continue;
                    const answer = await w.look();
                    if (answer !== undefined)
                        verdicts.set(w.key, verdictOf(answer));
                }
            }
        }
        for (const [key, verdict] of verdicts) {
            const receiver = { ...this.receivers.get(key), verdict };
            this.receivers.set(key, receiver);
            const label = this.targets.get(key)?.label ?? key;
            const asked = receiver.check === 'ping' ? 'ping' : 'probe redelivery';
            if (verdict === 'up')
                log.info(`${label}: the receiver answered the ${asked}; it is up.`);
            else if (verdict === 'down')
                log.info(`${label}: the receiver is down (the ${asked} could not reach it); its failing deliveries wait for a later run.`);
            else
                log.info(`${label}: the receiver is not known to be up (no answer to the ${asked} listed yet); its failing deliveries wait for the next run.`);
        }
        const released = releaseHeld(plan, verdicts, { maxRedeliveries: this.options.maxRedeliveries });
        // Stopped (GitHub's limits, an interruption): what waits, waits for that, not for a receiver.
        if (this.stop?.result === 'skipped') {
            for (const hook of plan.hooks.values())
                for (const decision of hook.decisions)
                    if (decision.held)
                        decision.reason = this.stop.reason;
        }
        return released;
    }
    /**
     * Records what is about to be sent before sending it (the keeper's checkpoint): a run killed
     * mid-batch then never causes a duplicate. Returns the batch less what an overlapping run is already sending.
     */
    async checkpoint(batch, first) {
        try {
            const { toSend, elsewhere } = await this.options.keeper.checkpoint(this.progress, batch);
            for (const decision of elsewhere) {
                this.outcomes.set(outcomeKey(decision), { result: 'skipped', reason: 'in-flight', message: 'an overlapping run is redelivering it' });
            }
            return toSend;
        }
        catch (error) {
            this.bookmarkNotWritten(error, first);
            return batch;
        }
    }
    /** Before the run waits: what GitHub accepted is recorded as sent (see BookmarkKeeper.recordSent). */
    async recordSent() {
        if (this.stop)
            return;
        try {
            await this.options.keeper.recordSent(this.progress);
        }
        catch (error) {
            this.bookmarkNotWritten(error, false);
        }
    }
    /** Before the first batch nothing was sent: the run ends. After, earlier batches must still be recorded: stop here, finish the run. */
    bookmarkNotWritten(error, first) {
        const { keeper } = this.options;
        const message = error instanceof Error ? error.message : String(error);
        if (first)
            throw new UserError(`Could not write the bookmark to the ${keeper.description}, so nothing was redelivered: ${message}`);
        this.failures.push(`Could not write the bookmark to the ${keeper.description}; the rest is left for the next run: ${message}`);
        this.stop = { result: 'error', message: `not sent: ${message}` };
    }
    /** Interrupted: the rest waits for the next run, as after a rate limit. */
    stopIfInterrupted() {
        if (!this.stop && this.options.signal?.aborted) {
            this.stop = { result: 'skipped', reason: 'interrupted', message: 'the run was interrupted before sending it' };
        }
    }
    async send(decision) {
        const key = outcomeKey(decision);
        this.stopIfInterrupted();
        if (this.stop) {
            this.outcomes.set(key, this.stop);
            return;
        }
        const { github } = this.options;
        let result;
        try {
            result = await github.redeliver(this.targets.get(decision.hookKey), decision.facts.newestId);
        }
        catch (error) {
            if (!(error instanceof UserError))
                throw error;
            // A credential that cannot redeliver. If nothing was sent, nor perhaps sent, the run ends here with the bookmark as it was.
            if (![...this.outcomes.values()].some(o => sentAt(o) !== undefined)) {
                await this.options.keeper.restore();
                throw error;
            }
            this.failures.push(error.message);
            this.stop = { result: 'error', message: error.message };
            this.outcomes.set(key, this.stop);
            return;
        }
        switch (result.kind) {
            case 'accepted':
                this.outcomes.set(key, { result: 'redelivered', at: result.at });
                break;
            case 'refused':
                this.outcomes.set(key, { result: 'skipped', reason: 'refused', message: result.message });
                break;
            case 'error':
                this.outcomes.set(key, { result: 'error', message: result.message, ...(result.uncertain ? { uncertainAt: result.at ?? github.now() } : {}) });
                break;
            case 'rate-limited':
                this.stop = { result: 'skipped', reason: 'rate-limited', message: result.message };
                this.outcomes.set(key, this.stop);
                this.options.warn(`GitHub's rate limits stopped the redeliveries (${result.message}); the next run continues with the rest.`);
                break;
        }
    }
    /** A redelivery whose answer was lost may have been made: look for its attempt before sending it again. */
    async verifyUncertain() {
        const { plan, hooks, github, log } = this.options;
        for (let round = 0; round < VERIFY_ROUNDS && !this.stop; round++) {
            // A probe is looked for once, never resent.
            const uncertain = plan.toRedeliver.filter(d => this.uncertainAt(d) !== undefined && !(d.probe && round > 0));
            if (uncertain.length === 0)
                return;
            const n = uncertain.length;
            log.info(`${plural(n, 'redelivery request')} got no clear answer; checking with GitHub whether ${noun(n, 'it', 'they')} went through.`);
            await this.recordSent();
            await this.options.sleep(this.options.verifyDelayMs);
            // Interrupted while waiting: what is still unclear stays in flight for the next run to check.
            this.stopIfInterrupted();
            if (this.stop)
                return;
            const byHook = new Map();
            for (const decision of uncertain) {
                const same = byHook.get(decision.hookKey);
                if (same)
                    same.push(decision);
                else
                    byHook.set(decision.hookKey, [decision]);
            }
            for (const hook of hooks) {
                const mine = byHook.get(hook.key);
                if (!mine)
                    continue;
                const made = await newAttempts(github, hook, mine, Math.min(...mine.map(d => this.uncertainAt(d))));
                if (!made)
                    continue;
                for (const decision of mine) {
                    if (made.has(decision.facts.guid))
                        this.outcomes.set(outcomeKey(decision), { result: 'redelivered', at: this.uncertainAt(decision) });
                    // A probe is not sent twice into a receiver that may be down: it stays in flight for the next run.
                    else if (!decision.probe)
                        await this.send(decision);
                }
            }
        }
    }
    uncertainAt(decision) {
        const outcome = this.outcomes.get(outcomeKey(decision));
        return outcome?.result === 'error' ? outcome.uncertainAt : undefined;
    }
}

;// CONCATENATED MODULE: ./src/engine/results.ts


/** Per-hook counts and one report row per failing delivery, from the plan and what came of it. */
function tally(scanned, plan, outcomes, receivers, log) {
    const rows = [];
    const hooks = scanned.map(s => {
        const result = { hook: s.hook, scanned: s.ledger?.scanned ?? 0, failed: 0, redelivered: 0, skipped: 0, errors: 0, givenUp: 0, inFlight: 0 };
        if (s.error)
            result.scanError = s.error;
        if (s.ledger?.lastOkAt !== undefined)
            result.lastSuccessAt = s.ledger.lastOkAt;
        const hookPlan = plan.hooks.get(s.hook.key);
        if (!hookPlan) {
            log.info(`${s.hook.label}: not scanned (${s.error ?? 'unknown error'})`);
            return result;
        }
        result.inFlight = hookPlan.inFlight.length;
        const receiver = receivers.get(s.hook.key);
        for (const decision of hookPlan.decisions) {
            const row = reportRow(s.hook, decision, outcomes.get(outcomeKey(decision)), receiver?.verdict === 'up');
            rows.push(row);
            result.failed++;
            if (row.result === 'redelivered')
                result.redelivered++;
            else if (row.result === 'error')
                result.errors++;
            else
                result.skipped++;
            if (row.reason && GIVE_UP_SKIPS.has(row.reason))
                result.givenUp++;
        }
        const verdict = receiver?.verdict;
        if (receiver?.check !== undefined && verdict !== undefined) {
            result.receiverCheck = { check: receiver.check, verdict, ...(receiver.probedAt !== undefined ? { at: receiver.probedAt } : {}) };
        }
        if ((verdict === 'down' || verdict === 'unknown') && s.scan) {
            const since = downSinceOf(s.scan, hookPlan, receiver);
            // The held deliveries, and a probe that went out and did not get through (or is not listed yet).
            const waiting = hookPlan.decisions.filter(d => d.reason === 'receiver-down' || d.reason === 'receiver-unknown' || (d.probe && outcomes.get(outcomeKey(d))?.result === 'redelivered')).length;
            result.receiverDown = { verdict, waiting, ...(since !== undefined ? { since } : {}) };
        }
        logHook(log, result, hookPlan);
        return result;
    });
    const totals = { scanned: 0, failed: 0, redelivered: 0, skipped: 0, errors: 0, givenUp: 0, receiversDown: 0 };
    for (const h of hooks) {
        totals.scanned += h.scanned;
        totals.failed += h.failed;
        totals.redelivered += h.redelivered;
        totals.skipped += h.skipped;
        totals.errors += h.errors;
        totals.givenUp += h.givenUp;
        // Confirmed down only: a probe whose answer is not listed yet is no alert.
        if (h.receiverDown?.verdict === 'down')
            totals.receiversDown++;
    }
    return { hooks, rows, totals };
}
function reportRow(hook, decision, outcome, receiverAnswered) {
    const { facts } = decision;
    const row = {
        hook: hook.label,
        hookId: hook.id ?? null,
        id: facts.newestId,
        guid: facts.guid,
        event: facts.event,
        action: facts.action,
        status: facts.newestStatus,
        statusCode: facts.newestStatusCode,
        attempts: decision.attempts,
        firstDeliveredAt: new Date(facts.firstAt).toISOString(),
        result: 'skipped'
    };
    if (decision.action === 'redeliver' && outcome?.result === 'redelivered') {
        row.result = 'redelivered';
        // A probe costs an attempt only when the receiver answered it (a refusal); one that could not reach it is free.
        if (!decision.probe || receiverAnswered)
            row.attempts++;
    }
    else if (decision.action === 'redeliver' && outcome?.result === 'error') {
        row.result = 'error';
        row.message = outcome.message;
    }
    else {
        row.reason = finalReason(decision, outcome);
        if (outcome?.result === 'skipped')
            row.message = outcome.message;
    }
    return row;
}
/** One line per hook; each decision in debug logging. */
function logHook(log, result, plan) {
    const parts = [`scanned ${plural(result.scanned, 'attempt')}`, `${result.failed} failing`];
    if (result.failed > 0)
        parts.push(`${result.redelivered} redelivered, ${result.skipped} skipped, ${plural(result.errors, 'error')}`);
    if (result.givenUp > 0)
        parts.push(`${result.givenUp} given up`);
    if (result.inFlight > 0)
        parts.push(`${plural(result.inFlight, 'redelivery', 'redeliveries')} still in flight`);
    const check = result.receiverCheck;
    const asked = check?.check === 'ping' ? 'ping' : 'probe';
    if (result.receiverDown?.verdict === 'down') {
        const since = result.receiverDown.since !== undefined ? ` (failing since ${new Date(result.receiverDown.since).toISOString()})` : '';
        parts.push(`receiver down: the ${asked} could not reach it${since}; ${result.receiverDown.waiting} waiting for it`);
    }
    else if (result.receiverDown?.verdict === 'unknown') {
        parts.push(`receiver not known to be up: no answer to the ${asked} listed yet; ${result.receiverDown.waiting} waiting for the next run`);
    }
    log.info(`${result.hook.label}: ${parts.join('; ')}`);
    if (plan.outsideScan > 0)
        log.debug(`  ${plural(plan.outsideScan, 'failing delivery', 'failing deliveries')} began before the scanned window: earlier runs decided them`);
    if (plan.alreadyDone > 0)
        log.debug(`  ${plural(plan.alreadyDone, 'failing delivery', 'failing deliveries')} ${noun(plan.alreadyDone, 'was', 'were')} already given up or skipped for good by an earlier run`);
    for (const d of plan.decisions) {
        const event = d.facts.action ? `${d.facts.event}.${d.facts.action}` : d.facts.event;
        log.debug(`  ${d.facts.guid} ${event} id=${d.facts.newestId} attempts=${d.attempts} -> ${d.action}${d.probe ? ' (probe)' : ''}${d.reason ? ` (${d.reason})` : ''}`);
    }
}

;// CONCATENATED MODULE: ./src/engine/sleep.ts
/** A wait that ends early when `signal` is aborted (a run interrupted by SIGINT/SIGTERM), leaving no timer behind. */
function abortableSleep(ms, signal) {
    return new Promise(resolve => {
        if (signal?.aborted)
            return resolve();
        const done = () => {
            clearTimeout(timer);
            signal?.removeEventListener('abort', done);
            resolve();
        };
        const timer = setTimeout(done, ms);
        signal?.addEventListener('abort', done, { once: true });
    });
}

;// CONCATENATED MODULE: ./src/engine/run.ts










/**
 * One run: read the bookmark, scan every hook, decide (pure core), redeliver,
 * save the bookmark, and count what happened.
 */
async function runEngine(options) {
    const { hooks, policy, github, log } = options;
    const warnings = [];
    const failures = [];
    const warn = (message) => {
        // Said once per run, however many hooks or checkpoints run into it.
        if (warnings.includes(message))
            return;
        warnings.push(message);
        log.warning(message);
    };
    for (const message of options.warnings ?? [])
        warn(message);
    let lookbackMs = options.lookbackMs;
    if (lookbackMs > policy.windowMs) {
        warn(`Input "lookback" is ${formatDuration(lookbackMs)}, longer than GitHub can redeliver (${formatDuration(policy.windowMs)}); scanning ${formatDuration(policy.windowMs)}.`);
        lookbackMs = policy.windowMs;
    }
    const keeper = new BookmarkKeeper({ store: options.store, hooks, fleet: options.fleet, policy, now: () => github.now(), log, warn });
    // Every scan starts with its hook's newest page: those of the first hooks travel while the bookmark is read.
    const scanConcurrency = options.scanConcurrency ?? 8;
    for (const hook of hooks.slice(0, scanConcurrency))
        github.prefetchFirstPage?.(hook);
    const previous = await keeper.read(lookbackMs);
    const { signal } = options;
    const context = { previous, lookbackMs, windowMs: policy.windowMs, github, log, warn, signal };
    const scannedAll = await mapConcurrent(hooks, scanConcurrency, hook => scanHook(hook, context));
    const fatal = scannedAll.find(s => s.fatal)?.fatal;
    if (fatal)
        throw fatal;
    // Named hooks that do not exist are named together at the end; the others are processed.
    const unknown = scannedAll.flatMap(s => (s.unknown ? [s.unknown] : []));
    const scanned = scannedAll.filter(s => !s.unknown);
    // None of them exists: nothing to do but say so, as for any bad input.
    if (unknown.length > 0 && scanned.length === 0)
        throw new UserError(unknownHooksMessage(unknown));
    const scans = scanned.flatMap(s => (s.scan ? [s.scan] : []));
    const plan = planRun(scans, policy, github.now());
    const redeliverer = new Redeliverer({
        hooks,
        scans,
        plan,
        github,
        keeper,
        log,
        warn,
        checkpointEvery: options.checkpointEvery ?? 40,
        maxRedeliveries: policy.maxRedeliveries,
        verifyDelayMs: options.verifyDelayMs ?? 15_000,
        sleep: ms => (options.sleep ?? abortableSleep)(ms, signal),
        signal
    });
    await redeliverer.run();
    failures.push(...redeliverer.failures);
    const now = github.now();
    const unsaved = await keeper.finish({ scans, plan, outcomes: redeliverer.outcomes }, redeliverer.receivers, now);
    if (unsaved)
        failures.push(unsaved);
    const { hooks: hookResults, rows, totals } = tally(scanned, plan, redeliverer.outcomes, redeliverer.receivers, log);
    if (unknown.length > 0)
        failures.push(unknownHooksMessage(unknown, true));
    for (const s of scanned)
        if (s.error && !s.interrupted)
            failures.push(`Could not scan ${s.hook.label}: ${s.error}`);
    if (totals.errors > 0) {
        failures.push(`${plural(totals.errors, 'redelivery request')} failed after retries; the next run tries again.`);
    }
    if (signal?.aborted)
        failures.push(interruptedMessage(signal, scanned, rows));
    return { totals, hooks: hookResults, rows, warnings, failures, dryRun: policy.dryRun, finishedAt: now };
}
function unknownHooksMessage(unknown, processed = false) {
    const byOwner = new Map();
    for (const u of unknown)
        byOwner.set(u.owner, [...(byOwner.get(u.owner) ?? []), u.hookId]);
    const missing = [...byOwner].map(([owner, ids]) => `${owner} has no ${noun(ids.length, 'webhook')} ${ids.join(', ')}`).join('; ');
    const them = noun(unknown.length, 'it', 'them');
    return `Input "hook-id": ${missing} (deleted, or the credential cannot see ${them})${processed ? '; the other hooks were processed' : ''}. Remove ${them} from "hook-id", or check the credential's access.`;
}
/** What an interrupted run did and left: the next run picks up from its bookmark. */
function interruptedMessage(signal, scanned, rows) {
    const by = typeof signal.reason === 'string' ? ` by ${signal.reason}` : '';
    const sent = rows.filter(r => r.result === 'redelivered').length;
    const left = rows.filter(r => r.reason === 'interrupted').length;
    const unscanned = scanned.filter(s => s.interrupted).length;
    const parts = [`${plural(sent, 'redelivery was', 'redeliveries were')} sent`];
    if (left > 0)
        parts.push(`${left} left for the next run`);
    if (unscanned > 0)
        parts.push(`${plural(unscanned, 'hook')} not scanned`);
    return `The run was interrupted${by}: ${parts.join(', ')}. The bookmark records what was sent; the next run continues from it.`;
}

// EXTERNAL MODULE: ./node_modules/@actions/http-client/lib/proxy.js
var lib_proxy = __nccwpck_require__(9783);
// EXTERNAL MODULE: ./node_modules/universal-user-agent/index.js
var universal_user_agent = __nccwpck_require__(6396);
;// CONCATENATED MODULE: ./node_modules/before-after-hook/lib/register.js
// @ts-check

function register(state, name, method, options) {
  if (typeof method !== "function") {
    throw new Error("method for before hook must be a function");
  }

  if (!options) {
    options = {};
  }

  if (Array.isArray(name)) {
    return name.reverse().reduce((callback, name) => {
      return register.bind(null, state, name, callback, options);
    }, method)();
  }

  return Promise.resolve().then(() => {
    if (!state.registry[name]) {
      return method(options);
    }

    return state.registry[name].reduce((method, registered) => {
      return registered.hook.bind(null, method, options);
    }, method)();
  });
}

;// CONCATENATED MODULE: ./node_modules/before-after-hook/lib/add.js
// @ts-check

function addHook(state, kind, name, hook) {
  const orig = hook;
  if (!state.registry[name]) {
    state.registry[name] = [];
  }

  if (kind === "before") {
    hook = (method, options) => {
      return Promise.resolve()
        .then(orig.bind(null, options))
        .then(method.bind(null, options));
    };
  }

  if (kind === "after") {
    hook = (method, options) => {
      let result;
      return Promise.resolve()
        .then(method.bind(null, options))
        .then((result_) => {
          result = result_;
          return orig(result, options);
        })
        .then(() => {
          return result;
        });
    };
  }

  if (kind === "error") {
    hook = (method, options) => {
      return Promise.resolve()
        .then(method.bind(null, options))
        .catch((error) => {
          return orig(error, options);
        });
    };
  }

  state.registry[name].push({
    hook: hook,
    orig: orig,
  });
}

;// CONCATENATED MODULE: ./node_modules/before-after-hook/lib/remove.js
// @ts-check

function removeHook(state, name, method) {
  if (!state.registry[name]) {
    return;
  }

  const index = state.registry[name]
    .map((registered) => {
      return registered.orig;
    })
    .indexOf(method);

  if (index === -1) {
    return;
  }

  state.registry[name].splice(index, 1);
}

;// CONCATENATED MODULE: ./node_modules/before-after-hook/index.js
// @ts-check





// bind with array of arguments: https://stackoverflow.com/a/21792913
const bind = Function.bind;
const bindable = bind.bind(bind);

function bindApi(hook, state, name) {
  const removeHookRef = bindable(removeHook, null).apply(
    null,
    name ? [state, name] : [state]
  );
  hook.api = { remove: removeHookRef };
  hook.remove = removeHookRef;
  ["before", "error", "after", "wrap"].forEach((kind) => {
    const args = name ? [state, kind, name] : [state, kind];
    hook[kind] = hook.api[kind] = bindable(addHook, null).apply(null, args);
  });
}

function Singular() {
  const singularHookName = Symbol("Singular");
  const singularHookState = {
    registry: {},
  };
  const singularHook = register.bind(null, singularHookState, singularHookName);
  bindApi(singularHook, singularHookState, singularHookName);
  return singularHook;
}

function Collection() {
  const state = {
    registry: {},
  };

  const hook = register.bind(null, state);
  bindApi(hook, state);

  return hook;
}

/* harmony default export */ const before_after_hook = ({ Singular, Collection });

// EXTERNAL MODULE: ./node_modules/@octokit/request/dist-bundle/index.js + 2 modules
var dist_bundle = __nccwpck_require__(4434);
;// CONCATENATED MODULE: ./node_modules/@octokit/graphql/dist-bundle/index.js
// pkg/dist-src/index.js



// pkg/dist-src/version.js
var dist_bundle_VERSION = "0.0.0-development";

// pkg/dist-src/with-defaults.js


// pkg/dist-src/graphql.js


// pkg/dist-src/error.js
function _buildMessageForResponseErrors(data) {
  return `Request failed due to following response errors:
` + data.errors.map((e) => ` - ${e.message}`).join("\n");
}
var GraphqlResponseError = class extends Error {
  constructor(request2, headers, response) {
    super(_buildMessageForResponseErrors(response));
    this.request = request2;
    this.headers = headers;
    this.response = response;
    this.errors = response.errors;
    this.data = response.data;
    if (Error.captureStackTrace) {
      Error.captureStackTrace(this, this.constructor);
    }
  }
  request;
  headers;
  response;
  name = "GraphqlResponseError";
  errors;
  data;
};

// pkg/dist-src/graphql.js
var NON_VARIABLE_OPTIONS = [
  "method",
  "baseUrl",
  "url",
  "headers",
  "request",
  "query",
  "mediaType",
  "operationName"
];
var FORBIDDEN_VARIABLE_OPTIONS = ["query", "method", "url"];
var GHES_V3_SUFFIX_REGEX = /\/api\/v3\/?$/;
function graphql(request2, query, options) {
  if (options) {
    if (typeof query === "string" && "query" in options) {
      return Promise.reject(
        new Error(`[@octokit/graphql] "query" cannot be used as variable name`)
      );
    }
    for (const key in options) {
      if (!FORBIDDEN_VARIABLE_OPTIONS.includes(key)) continue;
      return Promise.reject(
        new Error(
          `[@octokit/graphql] "${key}" cannot be used as variable name`
        )
      );
    }
  }
  const parsedOptions = typeof query === "string" ? Object.assign({ query }, options) : query;
  const requestOptions = Object.keys(
    parsedOptions
  ).reduce((result, key) => {
    if (NON_VARIABLE_OPTIONS.includes(key)) {
      result[key] = parsedOptions[key];
      return result;
    }
    if (!result.variables) {
      result.variables = {};
    }
    result.variables[key] = parsedOptions[key];
    return result;
  }, {});
  const baseUrl = parsedOptions.baseUrl || request2.endpoint.DEFAULTS.baseUrl;
  if (GHES_V3_SUFFIX_REGEX.test(baseUrl)) {
    requestOptions.url = baseUrl.replace(GHES_V3_SUFFIX_REGEX, "/api/graphql");
  }
  return request2(requestOptions).then((response) => {
    if (response.data.errors) {
      const headers = {};
      for (const key of Object.keys(response.headers)) {
        headers[key] = response.headers[key];
      }
      throw new GraphqlResponseError(
        requestOptions,
        headers,
        response.data
      );
    }
    return response.data.data;
  });
}

// pkg/dist-src/with-defaults.js
function withDefaults(request2, newDefaults) {
  const newRequest = request2.defaults(newDefaults);
  const newApi = (query, options) => {
    return graphql(newRequest, query, options);
  };
  return Object.assign(newApi, {
    defaults: withDefaults.bind(null, newRequest),
    endpoint: newRequest.endpoint
  });
}

// pkg/dist-src/index.js
var graphql2 = withDefaults(dist_bundle/* request */.E, {
  headers: {
    "user-agent": `octokit-graphql.js/${dist_bundle_VERSION} ${(0,universal_user_agent/* getUserAgent */.$)()}`
  },
  method: "POST",
  url: "/graphql"
});
function withCustomRequest(customRequest) {
  return withDefaults(customRequest, {
    method: "POST",
    url: "/graphql"
  });
}

/* v8 ignore if -- @preserve */

;// CONCATENATED MODULE: ./node_modules/@octokit/auth-token/dist-bundle/index.js
// pkg/dist-src/is-jwt.js
var b64url = "(?:[a-zA-Z0-9_-]+)";
var sep = "\\.";
var jwtRE = new RegExp(`^${b64url}${sep}${b64url}${sep}${b64url}$`);
var isJWT = jwtRE.test.bind(jwtRE);

// pkg/dist-src/auth.js
async function auth(token) {
  const isApp = isJWT(token);
  const isInstallation = token.startsWith("v1.") || token.startsWith("ghs_");
  const isUserToServer = token.startsWith("ghu_");
  const tokenType = isApp ? "app" : isInstallation ? "installation" : isUserToServer ? "user-to-server" : "oauth";
  return {
    type: "token",
    token,
    tokenType
  };
}

// pkg/dist-src/with-authorization-prefix.js
function withAuthorizationPrefix(token) {
  if (token.split(/\./).length === 3) {
    return `bearer ${token}`;
  }
  return `token ${token}`;
}

// pkg/dist-src/hook.js
async function hook(token, request, route, parameters) {
  const endpoint = request.endpoint.merge(
    route,
    parameters
  );
  endpoint.headers.authorization = withAuthorizationPrefix(token);
  return request(endpoint);
}

// pkg/dist-src/index.js
var createTokenAuth = function createTokenAuth2(token) {
  if (!token) {
    throw new Error("[@octokit/auth-token] No token passed to createTokenAuth");
  }
  if (typeof token !== "string") {
    throw new Error(
      "[@octokit/auth-token] Token passed to createTokenAuth is not a string"
    );
  }
  token = token.replace(/^(token|bearer) +/i, "");
  return Object.assign(auth.bind(null, token), {
    hook: hook.bind(null, token)
  });
};


;// CONCATENATED MODULE: ./node_modules/@octokit/core/dist-src/version.js
const version_VERSION = "7.0.8";


;// CONCATENATED MODULE: ./node_modules/@octokit/core/dist-src/index.js






const noop = () => {
};
const consoleWarn = console.warn.bind(console);
const consoleError = console.error.bind(console);
function createLogger(logger = {}) {
  if (typeof logger.debug !== "function") {
    logger.debug = noop;
  }
  if (typeof logger.info !== "function") {
    logger.info = noop;
  }
  if (typeof logger.warn !== "function") {
    logger.warn = consoleWarn;
  }
  if (typeof logger.error !== "function") {
    logger.error = consoleError;
  }
  return logger;
}
const userAgentTrail = `octokit-core.js/${version_VERSION} ${(0,universal_user_agent/* getUserAgent */.$)()}`;
class Octokit {
  static VERSION = version_VERSION;
  static defaults(defaults) {
    const OctokitWithDefaults = class extends this {
      constructor(...args) {
        const options = args[0] || {};
        if (typeof defaults === "function") {
          super(defaults(options));
          return;
        }
        super(
          Object.assign(
            {},
            defaults,
            options,
            options.userAgent && defaults.userAgent ? {
              userAgent: `${options.userAgent} ${defaults.userAgent}`
            } : null
          )
        );
      }
    };
    return OctokitWithDefaults;
  }
  static plugins = [];
  /**
   * Attach a plugin (or many) to your Octokit instance.
   *
   * @example
   * const API = Octokit.plugin(plugin1, plugin2, plugin3, ...)
   */
  static plugin(...newPlugins) {
    const currentPlugins = this.plugins;
    const NewOctokit = class extends this {
      static plugins = currentPlugins.concat(
        newPlugins.filter((plugin) => !currentPlugins.includes(plugin))
      );
    };
    return NewOctokit;
  }
  constructor(options = {}) {
    const hook = new before_after_hook.Collection();
    const requestDefaults = {
      baseUrl: dist_bundle/* request */.E.endpoint.DEFAULTS.baseUrl,
      headers: {},
      request: Object.assign({}, options.request, {
        // @ts-ignore internal usage only, no need to type
        hook: hook.bind(null, "request")
      }),
      mediaType: {
        previews: [],
        format: ""
      }
    };
    requestDefaults.headers["user-agent"] = options.userAgent ? `${options.userAgent} ${userAgentTrail}` : userAgentTrail;
    if (options.baseUrl) {
      requestDefaults.baseUrl = options.baseUrl;
    }
    if (options.previews) {
      requestDefaults.mediaType.previews = options.previews;
    }
    if (options.timeZone) {
      requestDefaults.headers["time-zone"] = options.timeZone;
    }
    this.request = dist_bundle/* request */.E.defaults(requestDefaults);
    this.graphql = withCustomRequest(this.request).defaults(requestDefaults);
    this.log = createLogger(options.log);
    this.hook = hook;
    if (!options.authStrategy) {
      if (!options.auth) {
        this.auth = async () => ({
          type: "unauthenticated"
        });
      } else {
        const auth = createTokenAuth(options.auth);
        hook.wrap("request", auth.hook);
        this.auth = auth;
      }
    } else {
      const { authStrategy, ...otherOptions } = options;
      const auth = authStrategy(
        Object.assign(
          {
            request: this.request,
            log: this.log,
            // we pass the current octokit instance as well as its constructor options
            // to allow for authentication strategies that return a new octokit instance
            // that shares the same internal state as the current one. The original
            // requirement for this was the "event-octokit" authentication strategy
            // of https://github.com/probot/octokit-auth-probot.
            octokit: this,
            octokitOptions: otherOptions
          },
          options.auth
        )
      );
      hook.wrap("request", auth.hook);
      this.auth = auth;
    }
    const classConstructor = this.constructor;
    for (let i = 0; i < classConstructor.plugins.length; ++i) {
      Object.assign(this, classConstructor.plugins[i](this, options));
    }
  }
  // assigned during constructor
  request;
  graphql;
  log;
  hook;
  // TODO: type `octokit.auth` based on passed options.authStrategy
  auth;
}


;// CONCATENATED MODULE: ./node_modules/@octokit/plugin-paginate-rest/dist-bundle/index.js
// pkg/dist-src/version.js
var plugin_paginate_rest_dist_bundle_VERSION = "0.0.0-development";

// pkg/dist-src/normalize-paginated-list-response.js
function normalizePaginatedListResponse(response) {
  if (!response.data) {
    return {
      ...response,
      data: []
    };
  }
  const responseNeedsNormalization = ("total_count" in response.data || "total_commits" in response.data) && !("url" in response.data);
  if (!responseNeedsNormalization) return response;
  const incompleteResults = response.data.incomplete_results;
  const repositorySelection = response.data.repository_selection;
  const totalCount = response.data.total_count;
  const totalCommits = response.data.total_commits;
  delete response.data.incomplete_results;
  delete response.data.repository_selection;
  delete response.data.total_count;
  delete response.data.total_commits;
  const namespaceKey = Object.keys(response.data)[0];
  const data = response.data[namespaceKey];
  response.data = data;
  if (typeof incompleteResults !== "undefined") {
    response.data.incomplete_results = incompleteResults;
  }
  if (typeof repositorySelection !== "undefined") {
    response.data.repository_selection = repositorySelection;
  }
  response.data.total_count = totalCount;
  response.data.total_commits = totalCommits;
  return response;
}

// pkg/dist-src/iterator.js
function iterator(octokit, route, parameters) {
  const options = typeof route === "function" ? route.endpoint(parameters) : octokit.request.endpoint(route, parameters);
  const requestMethod = typeof route === "function" ? route : octokit.request;
  const method = options.method;
  const headers = options.headers;
  let url = options.url;
  return {
    [Symbol.asyncIterator]: () => ({
      async next() {
        if (!url) return { done: true };
        try {
          const response = await requestMethod({ method, url, headers });
          const normalizedResponse = normalizePaginatedListResponse(response);
          url = ((normalizedResponse.headers.link || "").match(
            /<([^<>]+)>;\s*rel="next"/
          ) || [])[1];
          if (!url && "total_commits" in normalizedResponse.data) {
            const parsedUrl = new URL(normalizedResponse.url);
            const params = parsedUrl.searchParams;
            const page = parseInt(params.get("page") || "1", 10);
            const per_page = parseInt(params.get("per_page") || "250", 10);
            if (page * per_page < normalizedResponse.data.total_commits) {
              params.set("page", String(page + 1));
              url = parsedUrl.toString();
            }
          }
          return { value: normalizedResponse };
        } catch (error) {
          if (error.status !== 409) throw error;
          url = "";
          return {
            value: {
              status: 200,
              headers: {},
              data: []
            }
          };
        }
      }
    })
  };
}

// pkg/dist-src/paginate.js
function paginate(octokit, route, parameters, mapFn) {
  if (typeof parameters === "function") {
    mapFn = parameters;
    parameters = void 0;
  }
  return gather(
    octokit,
    [],
    iterator(octokit, route, parameters)[Symbol.asyncIterator](),
    mapFn
  );
}
function gather(octokit, results, iterator2, mapFn) {
  return iterator2.next().then((result) => {
    if (result.done) {
      return results;
    }
    let earlyExit = false;
    function done() {
      earlyExit = true;
    }
    results = results.concat(
      mapFn ? mapFn(result.value, done) : result.value.data
    );
    if (earlyExit) {
      return results;
    }
    return gather(octokit, results, iterator2, mapFn);
  });
}

// pkg/dist-src/compose-paginate.js
var composePaginateRest = Object.assign(paginate, {
  iterator
});

// pkg/dist-src/generated/paginating-endpoints.js
var paginatingEndpoints = (/* unused pure expression or super */ null && ([
  "GET /advisories",
  "GET /agents/repos/{owner}/{repo}/tasks",
  "GET /agents/tasks",
  "GET /app/hook/deliveries",
  "GET /app/installation-requests",
  "GET /app/installations",
  "GET /assignments/{assignment_id}/accepted_assignments",
  "GET /classrooms",
  "GET /classrooms/{classroom_id}/assignments",
  "GET /enterprises/{enterprise}/code-security/configurations",
  "GET /enterprises/{enterprise}/code-security/configurations/{configuration_id}/repositories",
  "GET /enterprises/{enterprise}/dependabot/alerts",
  "GET /enterprises/{enterprise}/dependabot/repository-access",
  "GET /enterprises/{enterprise}/teams",
  "GET /enterprises/{enterprise}/teams/{enterprise-team}/memberships",
  "GET /enterprises/{enterprise}/teams/{enterprise-team}/organizations",
  "GET /events",
  "GET /gists",
  "GET /gists/public",
  "GET /gists/starred",
  "GET /gists/{gist_id}/comments",
  "GET /gists/{gist_id}/commits",
  "GET /gists/{gist_id}/forks",
  "GET /installation/repositories",
  "GET /issues",
  "GET /licenses",
  "GET /marketplace_listing/plans",
  "GET /marketplace_listing/plans/{plan_id}/accounts",
  "GET /marketplace_listing/stubbed/plans",
  "GET /marketplace_listing/stubbed/plans/{plan_id}/accounts",
  "GET /networks/{owner}/{repo}/events",
  "GET /notifications",
  "GET /organizations",
  "GET /organizations/{org}/settings/billing/budgets",
  "GET /orgs/{org}/actions/cache/usage-by-repository",
  "GET /orgs/{org}/actions/hosted-runners",
  "GET /orgs/{org}/actions/permissions/repositories",
  "GET /orgs/{org}/actions/permissions/self-hosted-runners/repositories",
  "GET /orgs/{org}/actions/runner-groups",
  "GET /orgs/{org}/actions/runner-groups/{runner_group_id}/hosted-runners",
  "GET /orgs/{org}/actions/runner-groups/{runner_group_id}/repositories",
  "GET /orgs/{org}/actions/runner-groups/{runner_group_id}/runners",
  "GET /orgs/{org}/actions/runners",
  "GET /orgs/{org}/actions/secrets",
  "GET /orgs/{org}/actions/secrets/{secret_name}/repositories",
  "GET /orgs/{org}/actions/variables",
  "GET /orgs/{org}/actions/variables/{name}/repositories",
  "GET /orgs/{org}/agents/secrets",
  "GET /orgs/{org}/agents/secrets/{secret_name}/repositories",
  "GET /orgs/{org}/agents/variables",
  "GET /orgs/{org}/agents/variables/{name}/repositories",
  "GET /orgs/{org}/attestations/repositories",
  "GET /orgs/{org}/attestations/{subject_digest}",
  "GET /orgs/{org}/blocks",
  "GET /orgs/{org}/campaigns",
  "GET /orgs/{org}/code-scanning/alerts",
  "GET /orgs/{org}/code-security/configurations",
  "GET /orgs/{org}/code-security/configurations/{configuration_id}/repositories",
  "GET /orgs/{org}/codespaces",
  "GET /orgs/{org}/codespaces/secrets",
  "GET /orgs/{org}/codespaces/secrets/{secret_name}/repositories",
  "GET /orgs/{org}/copilot-spaces",
  "GET /orgs/{org}/copilot/billing/seats",
  "GET /orgs/{org}/copilot/coding-agent/permissions/repositories",
  "GET /orgs/{org}/dependabot/alerts",
  "GET /orgs/{org}/dependabot/repository-access",
  "GET /orgs/{org}/dependabot/secrets",
  "GET /orgs/{org}/dependabot/secrets/{secret_name}/repositories",
  "GET /orgs/{org}/events",
  "GET /orgs/{org}/failed_invitations",
  "GET /orgs/{org}/hooks",
  "GET /orgs/{org}/hooks/{hook_id}/deliveries",
  "GET /orgs/{org}/insights/api/route-stats/{actor_type}/{actor_id}",
  "GET /orgs/{org}/insights/api/subject-stats",
  "GET /orgs/{org}/insights/api/user-stats/{user_id}",
  "GET /orgs/{org}/installations",
  "GET /orgs/{org}/invitations",
  "GET /orgs/{org}/invitations/{invitation_id}/teams",
  "GET /orgs/{org}/issues",
  "GET /orgs/{org}/members",
  "GET /orgs/{org}/members/{username}/codespaces",
  "GET /orgs/{org}/migrations",
  "GET /orgs/{org}/migrations/{migration_id}/repositories",
  "GET /orgs/{org}/organization-roles/{role_id}/teams",
  "GET /orgs/{org}/organization-roles/{role_id}/users",
  "GET /orgs/{org}/outside_collaborators",
  "GET /orgs/{org}/packages",
  "GET /orgs/{org}/packages/{package_type}/{package_name}/versions",
  "GET /orgs/{org}/personal-access-token-requests",
  "GET /orgs/{org}/personal-access-token-requests/{pat_request_id}/repositories",
  "GET /orgs/{org}/personal-access-tokens",
  "GET /orgs/{org}/personal-access-tokens/{pat_id}/repositories",
  "GET /orgs/{org}/private-registries",
  "GET /orgs/{org}/projectsV2",
  "GET /orgs/{org}/projectsV2/{project_number}/fields",
  "GET /orgs/{org}/projectsV2/{project_number}/items",
  "GET /orgs/{org}/projectsV2/{project_number}/views/{view_number}/items",
  "GET /orgs/{org}/properties/values",
  "GET /orgs/{org}/public_members",
  "GET /orgs/{org}/repos",
  "GET /orgs/{org}/rulesets",
  "GET /orgs/{org}/rulesets/rule-suites",
  "GET /orgs/{org}/rulesets/{ruleset_id}/history",
  "GET /orgs/{org}/secret-scanning/alerts",
  "GET /orgs/{org}/secret-scanning/custom-patterns",
  "GET /orgs/{org}/security-advisories",
  "GET /orgs/{org}/settings/immutable-releases/repositories",
  "GET /orgs/{org}/settings/network-configurations",
  "GET /orgs/{org}/teams",
  "GET /orgs/{org}/teams/{team_slug}/invitations",
  "GET /orgs/{org}/teams/{team_slug}/members",
  "GET /orgs/{org}/teams/{team_slug}/repos",
  "GET /orgs/{org}/teams/{team_slug}/teams",
  "GET /repos/{owner}/{repo}/actions/artifacts",
  "GET /repos/{owner}/{repo}/actions/caches",
  "GET /repos/{owner}/{repo}/actions/concurrency_groups",
  "GET /repos/{owner}/{repo}/actions/organization-secrets",
  "GET /repos/{owner}/{repo}/actions/organization-variables",
  "GET /repos/{owner}/{repo}/actions/runners",
  "GET /repos/{owner}/{repo}/actions/runs",
  "GET /repos/{owner}/{repo}/actions/runs/{run_id}/artifacts",
  "GET /repos/{owner}/{repo}/actions/runs/{run_id}/attempts/{attempt_number}/jobs",
  "GET /repos/{owner}/{repo}/actions/runs/{run_id}/concurrency_groups",
  "GET /repos/{owner}/{repo}/actions/runs/{run_id}/jobs",
  "GET /repos/{owner}/{repo}/actions/secrets",
  "GET /repos/{owner}/{repo}/actions/variables",
  "GET /repos/{owner}/{repo}/actions/workflows",
  "GET /repos/{owner}/{repo}/actions/workflows/{workflow_id}/runs",
  "GET /repos/{owner}/{repo}/activity",
  "GET /repos/{owner}/{repo}/agents/organization-secrets",
  "GET /repos/{owner}/{repo}/agents/organization-variables",
  "GET /repos/{owner}/{repo}/agents/secrets",
  "GET /repos/{owner}/{repo}/agents/variables",
  "GET /repos/{owner}/{repo}/assignees",
  "GET /repos/{owner}/{repo}/attestations/{subject_digest}",
  "GET /repos/{owner}/{repo}/branches",
  "GET /repos/{owner}/{repo}/check-runs/{check_run_id}/annotations",
  "GET /repos/{owner}/{repo}/check-suites/{check_suite_id}/check-runs",
  "GET /repos/{owner}/{repo}/code-quality/findings",
  "GET /repos/{owner}/{repo}/code-scanning/alerts",
  "GET /repos/{owner}/{repo}/code-scanning/alerts/{alert_number}/instances",
  "GET /repos/{owner}/{repo}/code-scanning/analyses",
  "GET /repos/{owner}/{repo}/codespaces",
  "GET /repos/{owner}/{repo}/codespaces/devcontainers",
  "GET /repos/{owner}/{repo}/codespaces/secrets",
  "GET /repos/{owner}/{repo}/collaborators",
  "GET /repos/{owner}/{repo}/comments",
  "GET /repos/{owner}/{repo}/comments/{comment_id}/reactions",
  "GET /repos/{owner}/{repo}/commits",
  "GET /repos/{owner}/{repo}/commits/{commit_sha}/comments",
  "GET /repos/{owner}/{repo}/commits/{commit_sha}/pulls",
  "GET /repos/{owner}/{repo}/commits/{ref}/check-runs",
  "GET /repos/{owner}/{repo}/commits/{ref}/check-suites",
  "GET /repos/{owner}/{repo}/commits/{ref}/status",
  "GET /repos/{owner}/{repo}/commits/{ref}/statuses",
  "GET /repos/{owner}/{repo}/compare/{basehead}",
  "GET /repos/{owner}/{repo}/compare/{base}...{head}",
  "GET /repos/{owner}/{repo}/contributors",
  "GET /repos/{owner}/{repo}/dependabot/alerts",
  "GET /repos/{owner}/{repo}/dependabot/secrets",
  "GET /repos/{owner}/{repo}/deployments",
  "GET /repos/{owner}/{repo}/deployments/{deployment_id}/statuses",
  "GET /repos/{owner}/{repo}/environments",
  "GET /repos/{owner}/{repo}/environments/{environment_name}/deployment-branch-policies",
  "GET /repos/{owner}/{repo}/environments/{environment_name}/deployment_protection_rules/apps",
  "GET /repos/{owner}/{repo}/environments/{environment_name}/secrets",
  "GET /repos/{owner}/{repo}/environments/{environment_name}/variables",
  "GET /repos/{owner}/{repo}/events",
  "GET /repos/{owner}/{repo}/forks",
  "GET /repos/{owner}/{repo}/hooks",
  "GET /repos/{owner}/{repo}/hooks/{hook_id}/deliveries",
  "GET /repos/{owner}/{repo}/invitations",
  "GET /repos/{owner}/{repo}/issues",
  "GET /repos/{owner}/{repo}/issues/comments",
  "GET /repos/{owner}/{repo}/issues/comments/{comment_id}/reactions",
  "GET /repos/{owner}/{repo}/issues/events",
  "GET /repos/{owner}/{repo}/issues/{issue_number}/comments",
  "GET /repos/{owner}/{repo}/issues/{issue_number}/dependencies/blocked_by",
  "GET /repos/{owner}/{repo}/issues/{issue_number}/dependencies/blocking",
  "GET /repos/{owner}/{repo}/issues/{issue_number}/events",
  "GET /repos/{owner}/{repo}/issues/{issue_number}/issue-field-values",
  "GET /repos/{owner}/{repo}/issues/{issue_number}/labels",
  "GET /repos/{owner}/{repo}/issues/{issue_number}/reactions",
  "GET /repos/{owner}/{repo}/issues/{issue_number}/sub_issues",
  "GET /repos/{owner}/{repo}/issues/{issue_number}/suggestions",
  "GET /repos/{owner}/{repo}/issues/{issue_number}/timeline",
  "GET /repos/{owner}/{repo}/keys",
  "GET /repos/{owner}/{repo}/labels",
  "GET /repos/{owner}/{repo}/milestones",
  "GET /repos/{owner}/{repo}/milestones/{milestone_number}/labels",
  "GET /repos/{owner}/{repo}/notifications",
  "GET /repos/{owner}/{repo}/pages/builds",
  "GET /repos/{owner}/{repo}/pulls",
  "GET /repos/{owner}/{repo}/pulls/comments",
  "GET /repos/{owner}/{repo}/pulls/comments/{comment_id}/reactions",
  "GET /repos/{owner}/{repo}/pulls/{pull_number}/comments",
  "GET /repos/{owner}/{repo}/pulls/{pull_number}/commits",
  "GET /repos/{owner}/{repo}/pulls/{pull_number}/files",
  "GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews",
  "GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews/{review_id}/comments",
  "GET /repos/{owner}/{repo}/releases",
  "GET /repos/{owner}/{repo}/releases/{release_id}/assets",
  "GET /repos/{owner}/{repo}/releases/{release_id}/reactions",
  "GET /repos/{owner}/{repo}/rules/branches/{branch}",
  "GET /repos/{owner}/{repo}/rulesets",
  "GET /repos/{owner}/{repo}/rulesets/rule-suites",
  "GET /repos/{owner}/{repo}/rulesets/{ruleset_id}/history",
  "GET /repos/{owner}/{repo}/secret-scanning/alerts",
  "GET /repos/{owner}/{repo}/secret-scanning/alerts/{alert_number}/locations",
  "GET /repos/{owner}/{repo}/secret-scanning/custom-patterns",
  "GET /repos/{owner}/{repo}/security-advisories",
  "GET /repos/{owner}/{repo}/stacks",
  "GET /repos/{owner}/{repo}/stargazers",
  "GET /repos/{owner}/{repo}/subscribers",
  "GET /repos/{owner}/{repo}/tags",
  "GET /repos/{owner}/{repo}/teams",
  "GET /repos/{owner}/{repo}/topics",
  "GET /repositories",
  "GET /search/code",
  "GET /search/commits",
  "GET /search/issues",
  "GET /search/labels",
  "GET /search/repositories",
  "GET /search/topics",
  "GET /search/users",
  "GET /teams/{team_id}/invitations",
  "GET /teams/{team_id}/members",
  "GET /teams/{team_id}/repos",
  "GET /teams/{team_id}/teams",
  "GET /user/blocks",
  "GET /user/codespaces",
  "GET /user/codespaces/secrets",
  "GET /user/emails",
  "GET /user/followers",
  "GET /user/following",
  "GET /user/gpg_keys",
  "GET /user/installations",
  "GET /user/installations/{installation_id}/repositories",
  "GET /user/issues",
  "GET /user/keys",
  "GET /user/marketplace_purchases",
  "GET /user/marketplace_purchases/stubbed",
  "GET /user/memberships/orgs",
  "GET /user/migrations",
  "GET /user/migrations/{migration_id}/repositories",
  "GET /user/orgs",
  "GET /user/packages",
  "GET /user/packages/{package_type}/{package_name}/versions",
  "GET /user/public_emails",
  "GET /user/repos",
  "GET /user/repository_invitations",
  "GET /user/social_accounts",
  "GET /user/ssh_signing_keys",
  "GET /user/starred",
  "GET /user/subscriptions",
  "GET /user/teams",
  "GET /users",
  "GET /users/{username}/attestations/{subject_digest}",
  "GET /users/{username}/copilot-spaces",
  "GET /users/{username}/events",
  "GET /users/{username}/events/orgs/{org}",
  "GET /users/{username}/events/public",
  "GET /users/{username}/followers",
  "GET /users/{username}/following",
  "GET /users/{username}/gists",
  "GET /users/{username}/gpg_keys",
  "GET /users/{username}/keys",
  "GET /users/{username}/orgs",
  "GET /users/{username}/packages",
  "GET /users/{username}/projectsV2",
  "GET /users/{username}/projectsV2/{project_number}/fields",
  "GET /users/{username}/projectsV2/{project_number}/items",
  "GET /users/{username}/projectsV2/{project_number}/views/{view_number}/items",
  "GET /users/{username}/received_events",
  "GET /users/{username}/received_events/public",
  "GET /users/{username}/repos",
  "GET /users/{username}/social_accounts",
  "GET /users/{username}/ssh_signing_keys",
  "GET /users/{username}/starred",
  "GET /users/{username}/subscriptions"
]));

// pkg/dist-src/paginating-endpoints.js
function isPaginatingEndpoint(arg) {
  if (typeof arg === "string") {
    return paginatingEndpoints.includes(arg);
  } else {
    return false;
  }
}

// pkg/dist-src/index.js
function paginateRest(octokit) {
  return {
    paginate: Object.assign(paginate.bind(null, octokit), {
      iterator: iterator.bind(null, octokit)
    })
  };
}
paginateRest.VERSION = plugin_paginate_rest_dist_bundle_VERSION;

/* v8 ignore next -- @preserve */

;// CONCATENATED MODULE: ./src/github/request-policy.ts
/**
 * What to do after GitHub (or the network) refused a request: GitHub's documented rules for
 * rate limits, and retries only where a second try cannot do anything twice. Pure: the client
 * (client.ts) does the waiting and the retrying.
 */
/** GitHub's docs: without retry-after, wait at least a minute after a secondary rate limit. */
const SECONDARY_FALLBACK_S = 60;
/** Longest a secondary rate limit may make the run wait, and how often, before it stops and leaves the rest to the next run. */
const MAX_SECONDARY_WAIT_S = 180;
const MAX_SECONDARY_RETRIES = 4;
/** The primary limit resets hourly: wait for it only when the reset is close. */
const MAX_PRIMARY_WAIT_S = 60;
const MAX_PRIMARY_RETRIES = 1;
/** Reads and GET-like requests may be sent again; a POST that may have acted may not. */
function defaultServerRetries(method) {
    return method === 'GET' || method === 'HEAD' ? 3 : 0;
}
/**
 * Retries of any request, writes included, whose failure proves it did nothing (a 503, a
 * connection never made). A write whose answer was lost is never sent again here: GitHub may
 * have acted on it, and its caller checks before sending it again.
 */
const UNSENT_RETRIES = 3;
/** Which rate limit an answer is, and how long GitHub asks to wait (seconds). */
function rateLimitOf(answer, nowMs) {
    if (!answer.answered || (answer.status !== 403 && answer.status !== 429))
        return undefined;
    const retryAfter = Number(answer.headers['retry-after']);
    if (/\bsecondary rate\b/i.test(answer.message) || (Number.isFinite(retryAfter) && retryAfter > 0)) {
        return { limit: 'secondary', waitS: Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : SECONDARY_FALLBACK_S };
    }
    if (answer.headers['x-ratelimit-remaining'] === '0') {
        const resetS = Number(answer.headers['x-ratelimit-reset']);
        // One second past the reset, as GitHub's docs say; a reset that cannot be read means wait the fallback.
        const waitS = Number.isFinite(resetS) ? Math.max(0, Math.ceil(resetS - nowMs / 1000)) + 1 : SECONDARY_FALLBACK_S;
        return { limit: 'primary', waitS };
    }
    // A 429 without GitHub's headers is still a limit, and so is a 403 that says it is one: its docs say wait at least a minute.
    if (answer.status === 429 || /\brate limit/i.test(answer.message))
        return { limit: 'secondary', waitS: SECONDARY_FALLBACK_S };
    return undefined;
}
function nextStep(answer, tries, rules) {
    const limited = rateLimitOf(answer, rules.now);
    if (limited) {
        // A rate limit refused the request before it did anything: sending it again is safe, writes included.
        const again = limited.limit === 'secondary' ? tries.limited < MAX_SECONDARY_RETRIES && limited.waitS <= MAX_SECONDARY_WAIT_S : tries.limited < MAX_PRIMARY_RETRIES && limited.waitS <= MAX_PRIMARY_WAIT_S;
        return again ? { retry: true, waitMs: limited.waitS * 1000, ...limited } : { retry: false, ...limited };
    }
    const serverSide = !answer.answered || answer.status >= 500 || answer.status === 408;
    const retries = answer.mayHaveActed ? rules.serverRetries : Math.max(rules.serverRetries, UNSENT_RETRIES);
    if (serverSide && tries.failed < retries) {
        return { retry: true, waitMs: (tries.failed + 1) ** 2 * rules.retryBaseMs };
    }
    return { retry: false };
}

;// CONCATENATED MODULE: ./src/github/errors.ts


function isHttpError(error) {
    return typeof error === 'object' && error !== null && typeof error.status === 'number';
}
function githubMessage(error) {
    const data = error.response?.data;
    const message = typeof data?.message === 'string' ? data.message : error.message;
    return message.replace(/\s+-\s+https:\/\/docs\.github\.com\S*/, '').trim();
}
/** Whether GitHub refused the request for a rate limit, as the client decided when it stopped waiting for it. */
function isRateLimit(error) {
    return rateLimitOf(failedAnswer('GET', error), Date.now()) !== undefined;
}
/** A failed request as the request policy reads it; `failure`: its network failure, when already known. */
function failedAnswer(method, error, failure = networkFailure(error)) {
    const http = isHttpError(error) ? error : undefined;
    const answered = http?.response !== undefined;
    return {
        method,
        // Octokit reports a request that got no answer at all as 500.
        status: http?.status ?? 500,
        answered,
        mayHaveActed: http ? mayHaveBeenProcessed(http, failure) : true,
        headers: http?.response?.headers ?? {},
        message: http ? githubMessage(http) : String(error?.message ?? error)
    };
}
/** Whether a failed request may still have taken effect at GitHub: a 503 says it did not, and so does a connection never made. */
function mayHaveBeenProcessed(error, failure = networkFailure(error)) {
    if (error.status === 503)
        return false;
    return failure?.mayHaveArrived ?? true;
}
/** Turns GitHub's 401/403/404 into a sentence that says which credential or permission is missing. */
function explainHttpError(error, context) {
    const network = networkFailure(error);
    if (network)
        return `Could not ${context.action}: ${network.explanation}`;
    const elsewhere = notTheApiError(error);
    if (elsewhere)
        return `Could not ${context.action}: ${elsewhere}`;
    const said = githubMessage(error);
    const who = credentialName(context.credential);
    if (error.status === 401) {
        if (context.credential === 'app-jwt') {
            return `GitHub rejected the app's JSON Web Token while trying to ${context.action} (401: ${said}). Check that "app-id" is the GitHub App's ID or client ID and that "private-key" is a current private key of that same app.`;
        }
        return `GitHub rejected ${who} while trying to ${context.action} (401: ${said}). Check that the secret passed as "token" is current: it may be expired, revoked or mistyped.`;
    }
    if (error.status === 403) {
        if (context.credential === 'token' && context.tokenIsInstallationToken) {
            return `GitHub refused to ${context.action} (403: ${said}). The token is an installation token (ghs_): if it is the workflow's GITHUB_TOKEN, it can neither redeliver webhooks nor write Actions variables; pass a fine-grained or classic personal access token, or app-id and private-key, instead. Whatever the token, it needs ${context.permission}.`;
        }
        const accepted = error.response?.headers?.['x-accepted-github-permissions'];
        const hint = accepted ? ` (GitHub accepts: ${accepted})` : '';
        return `${who.charAt(0).toUpperCase()}${who.slice(1)} lacks the permission to ${context.action} (403: ${said}). It needs ${context.permission}${hint}.`;
    }
    if (error.status === 404) {
        return `GitHub answered 404 while trying to ${context.action}: it does not exist, or ${who} cannot see it. Check the inputs and that the credential has ${context.permission}.`;
    }
    return `GitHub answered ${error.status} while trying to ${context.action}: ${said}`;
}
function credentialName(kind) {
    switch (kind) {
        case 'token':
            return 'the token';
        case 'app-jwt':
            return "the app's JSON Web Token";
        case 'installation':
            return "the app's installation token";
    }
}
function describeError(error) {
    const network = networkFailure(error);
    if (network)
        return network.explanation;
    const elsewhere = notTheApiError(error);
    if (elsewhere)
        return elsewhere;
    if (isHttpError(error))
        return `${error.status} ${githubMessage(error)}`;
    if (error instanceof Error) {
        const cause = error.cause;
        return cause instanceof Error ? `${error.message}: ${cause.message}` : error.message;
    }
    return String(error);
}
const CERTIFICATE_CODES = new Set([
    'DEPTH_ZERO_SELF_SIGNED_CERT',
    'SELF_SIGNED_CERT_IN_CHAIN',
    'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
    'UNABLE_TO_GET_ISSUER_CERT',
    'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
    'CERT_HAS_EXPIRED',
    'CERT_NOT_YET_VALID',
    'CERT_UNTRUSTED',
    'CERT_REVOKED',
    'ERR_TLS_CERT_ALTNAME_INVALID'
]);
/**
 * A request that got no answer from GitHub at all. Octokit reports these as status 500
 * with the fetch error as `cause`, a status GitHub never sent; GitHub's own 500 comes
 * with a response. Returns undefined for every answer GitHub gave.
 */
function networkFailure(error) {
    // The client ends a run on a failure that cannot get better with a UserError whose cause is the request's error.
    if (error instanceof Error && error.name === 'UserError' && error.cause !== undefined)
        return networkFailure(error.cause);
    if (!isHttpError(error) || error.status !== 500 || error.response)
        return undefined;
    const cause = error.cause;
    if (!isErrorLike(cause))
        return undefined;
    const url = requestUrl(error);
    const host = url?.host;
    // fetch wraps the system error: "fetch failed" -> the error with the code (-> its own cause).
    let root = cause;
    for (let next = root.cause; isErrorLike(next); next = root.cause)
        root = next;
    const code = typeof root.code === 'string' ? root.code : undefined;
    const proxy = url ? proxyFor(url) : undefined;
    const via = proxy ? ` through the proxy ${proxy} (HTTPS_PROXY/HTTP_PROXY; hosts in NO_PROXY bypass it)` : '';
    const where = host ?? 'the GitHub API';
    const fail = (problem, permanent, explanation) => ({
        problem,
        code,
        permanent,
        // Only a connection that was made can have carried the request.
        mayHaveArrived: ['connection-closed', 'not-http', 'other'].includes(problem) || (problem === 'timeout' && code !== 'UND_ERR_CONNECT_TIMEOUT'),
        explanation
    });
    if (cause === root && /header|ByteString/i.test(cause.message)) {
        // The message quotes the header value, which carries the token: never repeat it.
        return fail('invalid-header', true, 'a credential cannot be sent in an HTTP header: it holds a line break or a character outside ASCII. Check how the secret was stored.');
    }
    if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NONAME' || code === 'EAI_FAIL') {
        const name = typeof root.hostname === 'string' ? root.hostname : hostName(where);
        const check = proxy ? `the proxy variables (HTTPS_PROXY/HTTP_PROXY, NO_PROXY)` : `"hostname" (empty means GITHUB_API_URL, else github.com)`;
        // Not retried even when "temporary" (EAI_AGAIN, what a machine without network gets): seconds
        // rarely fix DNS, and the next run scans again from the same bookmark.
        return fail('name-resolution', true, `could not resolve the host name ${name} (${code}). Check ${check} and that this machine can resolve names.`);
    }
    if (code === 'ECONNREFUSED') {
        if (proxy) {
            return fail('connection-refused', true, `the proxy ${proxy} refused the connection (ECONNREFUSED) on the way to ${where}. Check HTTPS_PROXY/HTTP_PROXY, or list ${hostName(where)} in NO_PROXY.`);
        }
        return fail('connection-refused', true, `${where} refused the connection (ECONNREFUSED): nothing accepts connections there. Check "hostname" and its port, and that the server is up.`);
    }
    if (code === 'ECONNRESET' || code === 'EPIPE' || code === 'UND_ERR_SOCKET' || code === 'UND_ERR_CLOSED') {
        return fail('connection-closed', false, `the connection to ${where} was closed before GitHub answered (${code})${via}. A proxy or firewall in between may cut it; an http:// API URL for a server that only speaks https does the same.`);
    }
    if (code === 'ETIMEDOUT' || code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
        return fail('timeout', false, `${where} did not answer in time (${code})${via}. Check that this machine can reach it (firewall, proxy settings).`);
    }
    if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH' || code === 'ENETDOWN' || code === 'EHOSTDOWN') {
        return fail('unreachable', false, `${where} cannot be reached from this machine (${code})${via}. Check its network, firewall and proxy settings.`);
    }
    if (code && CERTIFICATE_CODES.has(code)) {
        const name = code === 'ERR_TLS_CERT_ALTNAME_INVALID' ? `is not valid for the name ${hostName(where)}` : `is not trusted: ${root.message}`;
        return fail('certificate', true, `the TLS certificate of ${where} ${name} (${code}). For GitHub Enterprise Server with a private certificate authority, set the environment variable NODE_EXTRA_CA_CERTS to a PEM file of that authority's certificate; never turn certificate checks off.`);
    }
    if (code?.startsWith('ERR_SSL_') || code === 'EPROTO') {
        return fail('tls', true, `the TLS handshake with ${where} failed (${code})${via}: it may not speak https at this address (an http:// server?), or only versions this machine refuses.`);
    }
    if (code === 'UND_ERR_ABORTED' && /proxy/i.test(root.message)) {
        const status = /\((\d{3})\)/.exec(root.message)?.[1];
        const hint = status === '407' ? ': it wants credentials (give them in the proxy URL, http://user:password@proxy:port)' : '';
        return fail('proxy', status === '407', `the proxy${proxy ? ` ${proxy}` : ''} refused to connect to ${where}${status ? ` (${status})` : ''}${hint}. Check HTTPS_PROXY/HTTP_PROXY and NO_PROXY.`);
    }
    if (code?.startsWith('HPE_')) {
        return fail('not-http', false, `${where} did not answer in HTTP (${code}): check "hostname" and its port.`);
    }
    if (root.message === 'bad port') {
        return fail('blocked-port', true, `${where} is on a port that fetch refuses to use for safety: check "hostname" and its port.`);
    }
    return fail('other', false, `the request to ${where} failed before GitHub answered: ${root.message}${code ? ` (${code})` : ''}${via}.`);
}
/** Not `instanceof Error`: errors made by Node itself may come from another realm. */
function isErrorLike(value) {
    return typeof value === 'object' && value !== null && typeof value.message === 'string';
}
function requestUrl(error) {
    const url = error.request?.url;
    if (typeof url !== 'string')
        return undefined;
    try {
        return new URL(url);
    }
    catch {
        return undefined;
    }
}
function hostName(host) {
    return host.replace(/:\d+$/, '');
}
/** The proxy a request to this URL goes through, as host:port only: a proxy URL may carry credentials. */
function proxyFor(url) {
    try {
        return (0,lib_proxy/* getProxyUrl */.s)(url)?.host;
    }
    catch {
        return undefined;
    }
}
/**
 * A sign-in page, a proxy's notice or a web server where the API was expected: GitHub's API
 * answers in JSON (or with no body). Without this, the page reaches the code as data and fails
 * there with a message about the page's text.
 */
function notTheApi(response) {
    const type = String(response.headers['content-type'] ?? '');
    if (!type || /json/i.test(type) || typeof response.data !== 'string' || response.data === '')
        return undefined;
    let where = 'The server';
    try {
        if (response.url)
            where = new URL(response.url).host;
    }
    catch {
        // keep the generic name
    }
    return `${where} answered ${response.status} with ${type.split(';')[0]}, not GitHub's REST API (JSON): check "hostname" (GitHub Enterprise Server's API is at https://HOST/api/v3) and any proxy in between.`;
}
/** A 4xx that came as a web page: not GitHub's API answering (its errors are JSON). GitHub's own 5xx pages can be HTML. */
function notTheApiError(error) {
    if (!isHttpError(error) || error.status >= 500 || !error.response?.headers)
        return undefined;
    const response = error.response;
    return notTheApi({ url: response.url, status: error.status, headers: response.headers, data: response.data });
}

// EXTERNAL MODULE: external "node:http"
var external_node_http_ = __nccwpck_require__(7067);
var external_node_http_default = /*#__PURE__*/__nccwpck_require__.n(external_node_http_);
;// CONCATENATED MODULE: external "node:https"
const external_node_https_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:https");
var external_node_https_default = /*#__PURE__*/__nccwpck_require__.n(external_node_https_namespaceObject);
;// CONCATENATED MODULE: external "node:timers"
const external_node_timers_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:timers");
// EXTERNAL MODULE: external "node:zlib"
var external_node_zlib_ = __nccwpck_require__(8522);
;// CONCATENATED MODULE: ./src/github/http-fetch.ts
/**
 * The fetch Octokit calls when no proxy applies, on Node's http and https modules. Node's own
 * fetch (undici: web streams and a WebAssembly HTTP parser) takes about 35 ms to load on Node 24,
 * before the first request, and holds about 45 MB more at the peak of a 100,000-delivery scan.
 * What fetch does that the API's use depends on is kept: redirects followed (GitHub answers 301
 * and 307 for renamed repositories, and the credential is not carried to another origin),
 * gzip/deflate/br answers decoded, keep-alive, a 10 s connect and 300 s idle timeout, and
 * failures as fetch reports them, a `TypeError('fetch failed')` whose cause is the system error
 * (errors.ts classifies that cause).
 */


// The module's own timers: the project's test preload that shortens long global timers must not shorten the connect timeout.


const MAX_REDIRECTS = 20;
const CONNECT_TIMEOUT_MS = 10_000;
const IDLE_TIMEOUT_MS = 300_000;
async function httpFetch(url, init = {}) {
    let target = new URL(url);
    let method = (init.method ?? 'GET').toUpperCase();
    let body = init.body ?? undefined;
    const headers = { ...init.headers };
    if (!Object.keys(headers).some(name => name.toLowerCase() === 'accept-encoding'))
        headers['accept-encoding'] = 'gzip, deflate, br';
    for (let redirects = 0;; redirects++) {
        const response = await send(target, method, headers, body, init.signal ?? undefined);
        const location = response.headers.location;
        const status = response.statusCode ?? 0;
        if (![301, 302, 303, 307, 308].includes(status) || !location || init.redirect === 'manual')
            return toResponse(response, target, method, init.signal ?? undefined);
        response.resume();
        if (init.redirect === 'error' || redirects === MAX_REDIRECTS)
            throw fetchFailed(new Error(init.redirect === 'error' ? 'unexpected redirect' : 'redirect count exceeded'));
        const next = new URL(location, target);
        // As fetch does: a 303, or a 301/302 answering a POST, is followed with a GET and no body.
        if ((status === 303 && method !== 'HEAD') || ((status === 301 || status === 302) && method === 'POST')) {
            method = 'GET';
            body = undefined;
            for (const name of Object.keys(headers))
                if (/^content-/i.test(name))
                    delete headers[name];
        }
        // The credential is for the API's origin only.
        if (next.origin !== target.origin)
            for (const name of Object.keys(headers))
                if (/^(authorization|cookie)$/i.test(name))
                    delete headers[name];
        target = next;
    }
}
function send(target, method, headers, body, signal) {
    return new Promise((resolve, reject) => {
        const transport = target.protocol === 'https:' ? (external_node_https_default()) : (external_node_http_default());
        let request;
        try {
            request = transport.request(target, { method, headers, signal });
        }
        catch (error) {
            // A header value that is not a valid header (a line break in a secret): the message names the header, never its value.
            reject(error);
            return;
        }
        request.on('socket', socket => {
            if (!socket.connecting)
                return;
            // undici's code for it, so errors.ts has one name for a connect timeout whichever client made the request.
            const timer = (0,external_node_timers_namespaceObject.setTimeout)(() => request.destroy(Object.assign(new Error('connect timed out'), { code: 'UND_ERR_CONNECT_TIMEOUT' })), CONNECT_TIMEOUT_MS);
            socket.once('connect', () => (0,external_node_timers_namespaceObject.clearTimeout)(timer));
            socket.once('close', () => (0,external_node_timers_namespaceObject.clearTimeout)(timer));
        });
        request.setTimeout(IDLE_TIMEOUT_MS, () => request.destroy(Object.assign(new Error('no answer in time'), { code: 'ETIMEDOUT' })));
        request.on('response', resolve);
        request.on('error', error => reject(error.name === 'AbortError' ? error : fetchFailed(error)));
        request.end(body);
    });
}
function toResponse(response, target, method, signal) {
    const status = response.statusCode ?? 0;
    const headers = new Map();
    for (const [name, value] of Object.entries(response.headers))
        if (value !== undefined)
            headers.set(name, Array.isArray(value) ? value.join(', ') : value);
    // These answers have no body, whatever their headers say (a Content-Encoding on a 204 is not
    // decoded): nothing will read them, so the connection goes back to the pool.
    const noBody = method === 'HEAD' || status === 204 || status === 205 || status === 304;
    if (noBody)
        response.resume();
    const decoded = noBody ? emptyBody() : abortable(decode(response, headers.get('content-encoding')), signal);
    const bytes = () => collect(decoded);
    return {
        status,
        statusText: response.statusMessage ?? '',
        url: target.href,
        headers: { get: name => headers.get(name.toLowerCase()) ?? null, [Symbol.iterator]: () => headers.entries() },
        body: decoded,
        text: async () => (await bytes()).toString('utf8'),
        arrayBuffer: async () => {
            const buffer = await bytes();
            return buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength);
        }
    };
}
/**
 * The body as sent, decoded. As fetch does, an empty or cut-short compressed body ends the
 * stream instead of failing it (the decoders flush what they have).
 */
function decode(response, contentEncoding) {
    const encoding = contentEncoding?.trim().toLowerCase();
    const flush = { finishFlush: external_node_zlib_.constants.Z_SYNC_FLUSH };
    const decoder = encoding === 'gzip' || encoding === 'x-gzip'
        ? (0,external_node_zlib_.createGunzip)(flush)
        : encoding === 'deflate'
            ? (0,external_node_zlib_.createInflate)(flush)
            : encoding === 'br'
                ? (0,external_node_zlib_.createBrotliDecompress)({ finishFlush: external_node_zlib_.constants.BROTLI_OPERATION_FLUSH })
                : undefined;
    if (!decoder)
        return response;
    response.on('error', error => decoder.destroy(error));
    return response.pipe(decoder);
}
async function* emptyBody() { }
/** A body's bytes, whole: Node's stream here, or undici's web stream behind a proxy. */
async function collect(body) {
    const chunks = [];
    for await (const chunk of body)
        chunks.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    return Buffer.concat(chunks);
}
/** A body cut off by the request's signal fails as fetch's does, with an AbortError, not as a dropped connection. */
async function* abortable(body, signal) {
    try {
        yield* body;
    }
    catch (error) {
        if (signal?.aborted)
            throw signal.reason instanceof Error && signal.reason.name === 'AbortError' ? signal.reason : new DOMException('This operation was aborted', 'AbortError');
        throw error;
    }
}
function fetchFailed(cause) {
    return new TypeError('fetch failed', { cause });
}

;// CONCATENATED MODULE: ./src/github/client.ts








const USER_AGENT = `webhook-redelivery/${VERSION}`;
/**
 * The toolkit's convention: inside a workflow run, the user agent carries the runner's
 * orchestration id, so GitHub can tie API traffic to the job that made it.
 */
function userAgent(env = process.env) {
    const id = env.ACTIONS_ORCHESTRATION_ID?.trim();
    return id ? `${USER_AGENT} actions_orchestration_id/${id.replace(/[^a-z0-9_.-]/gi, '_')}` : USER_AGENT;
}
const API_VERSION = '2022-11-28';
/**
 * Octokit with pagination; rate limits, write pacing and retries are this client's own
 * (see `governRequests`): Octokit's throttling and retry plugins queue every request through
 * three Bottleneck jobs, about 15 ms per request of idle timers, more than the rest of a page costs.
 */
const GitHubOctokit = Octokit.plugin(paginateRest);
function createClient(context, auth) {
    const { log } = context;
    const options = {
        baseUrl: context.baseUrl,
        userAgent: userAgent(),
        request: { fetch: proxyAwareFetch(context.baseUrl) },
        log: {
            debug: (message) => log.debug(message),
            info: (message) => log.debug(message),
            warn: (message) => log.debug(message),
            error: (message) => log.debug(message)
        }
    };
    if ('token' in auth) {
        // Masked where it was made: the user's token by the front end, an installation token by the session.
        options.auth = auth.token;
    }
    else {
        options.authStrategy = deferredAuth(async (strategyOptions) => (await Promise.all(/* import() */[__nccwpck_require__.e(220), __nccwpck_require__.e(315)]).then(__nccwpck_require__.bind(__nccwpck_require__, 6315))).appAuth(strategyOptions, auth.app, context));
    }
    const octokit = new GitHubOctokit(options);
    governRequests(octokit, context);
    octokit.hook.before('request', request => {
        request.headers['x-github-api-version'] = API_VERSION;
        context.requests.total++;
        if (request.method !== 'GET')
            context.requests.writes++;
    });
    octokit.hook.after('request', response => {
        context.clock.observe(response.headers.date);
        const problem = notTheApi(response);
        if (problem)
            throw new Error(problem);
    });
    octokit.hook.error('request', error => {
        const headers = error.response?.headers;
        context.clock.observe(headers?.date);
        throw error;
    });
    return octokit;
}
/**
 * An auth strategy made when the client first needs it (its first request, or `auth()`), so
 * that the strategy's code is loaded by the runs that use it and by no other.
 */
function deferredAuth(make) {
    return strategyOptions => {
        let made;
        const strategy = () => (made ??= make(strategyOptions));
        return Object.assign(async (options) => (await strategy())(options), {
            hook: async (...args) => (await strategy()).hook(...args)
        });
    };
}
/**
 * GitHub's rules around every request: writes one at a time and at least `writeIntervalMs`
 * apart in the whole process, rate limits waited out as GitHub asks (or the run stops and
 * leaves the rest to the next one), and server errors or dropped connections retried with
 * backoff only for requests that cannot act twice (GETs, unless `request.retries` says otherwise).
 * A request made with `request.parseSuccessResponseBody: false` gets its body as text, read
 * inside the retries, so a connection dropped mid-body is retried like any other.
 */
function governRequests(octokit, context) {
    const { log, pacing } = context;
    octokit.hook.wrap('request', async (request, options) => {
        const method = String(options.method).toUpperCase();
        const settings = (options.request ?? {});
        const serverRetries = settings.retries ?? defaultServerRetries(method);
        const tries = { limited: 0, failed: 0 };
        for (;;) {
            const release = method !== 'GET' && method !== 'HEAD' ? await writeTurn(pacing) : undefined;
            try {
                const response = await Promise.resolve(request(options)).finally(() => release?.());
                if (settings.parseSuccessResponseBody === false && isStream(response.data))
                    response.data = await readText(response.data);
                return response;
            }
            catch (error) {
                // A failure that cannot get better (a host that does not resolve or refuses connections, an untrusted
                // certificate) would fail every request of the run the same way: one message that says what to check ends it.
                const failure = networkFailure(error);
                if (failure?.permanent)
                    throw new UserError(failure.explanation, { cause: error });
                const answer = failedAnswer(method, error, failure);
                // GitHub's own time, so a rate limit's reset is not misread through the runner's clock.
                const now = Date.parse(answer.headers.date ?? '') || context.clock.now();
                const step = nextStep(answer, tries, { serverRetries, retryBaseMs: pacing.retryBaseMs, now });
                const what = `${method} ${String(options.url)}`;
                if (step.limit === 'secondary') {
                    log.warning(`GitHub's secondary rate limit answered ${what}; ${step.retry ? `waiting ${step.waitS}s as it asks` : 'stopping here'}.`);
                }
                else if (step.limit === 'primary') {
                    log.warning(`GitHub's rate limit is used up (${what}); ${step.retry ? `waiting ${step.waitS}s for it to reset` : 'stopping here'}.`);
                }
                if (!step.retry)
                    throw error;
                if (step.limit)
                    tries.limited++;
                else {
                    tries.failed++;
                    log.debug(`${what} failed (${answer.message}); trying again in ${step.waitMs} ms.`);
                }
                await pacing.sleep(step.waitMs);
            }
        }
    });
}
function isStream(data) {
    return typeof data?.[Symbol.asyncIterator] === 'function';
}
/** A response body as text, without building a Response around it. */
async function readText(body) {
    return (await collect(body)).toString('utf8');
}
// One write queue for every client in the process: GitHub asks for one write per second in all.
// Keyed by the clock that spaces them, which is one clock outside tests.
const writeQueues = new Map();
const monotonic = () => performance.now();
/**
 * Resolves when this process may send its next write, with the function to call once GitHub has
 * answered it. One write at a time, and the interval runs from the answer: GitHub counts from
 * when it handled the last write, which a slow connection can make later than when it was sent.
 */
function writeTurn(pacing) {
    const now = pacing.now ?? monotonic;
    let state = writeQueues.get(now);
    if (!state)
        writeQueues.set(now, (state = { queue: Promise.resolve(), nextAt: -Infinity }));
    const gate = state;
    let release;
    const answered = new Promise(resolve => (release = resolve));
    const turn = gate.queue.then(async () => {
        const wait = gate.nextAt - now();
        if (wait > 0)
            await pacing.sleep(wait);
    });
    gate.queue = turn
        .then(() => answered)
        .catch(() => undefined)
        .then(() => {
        gate.nextAt = now() + pacing.writeIntervalMs;
    });
    return turn.then(() => release);
}
/**
 * Without a proxy, a fetch on Node's http modules (http-fetch.ts says why not Node's own). When a
 * proxy applies to the API (per NO_PROXY, as the toolkit decides it), requests go through undici's
 * fetch and the toolkit's proxy agent, loaded only then: undici is most of the bundle, and a run
 * without a proxy never evaluates it.
 */
function proxyAwareFetch(baseUrl) {
    let proxy;
    try {
        proxy = (0,lib_proxy/* getProxyUrl */.s)(new URL(baseUrl));
    }
    catch (error) {
        // Only the proxy setting is parsed here; its value can hold a password, so it is not repeated.
        const secure = baseUrl.startsWith('https:');
        const name = (secure ? ['https_proxy', 'HTTPS_PROXY'] : ['http_proxy', 'HTTP_PROXY']).find(n => process.env[n]) ?? (secure ? 'HTTPS_PROXY' : 'HTTP_PROXY');
        throw new UserError(`The proxy in the ${name} environment variable is not a URL (${error.message}): set it to http://host:port, or add the API's host to NO_PROXY.`);
    }
    if (!proxy)
        return httpFetch;
    let proxied;
    const load = async () => {
        const [{ fetch: undiciFetch }, { HttpClient }] = await Promise.all([__nccwpck_require__.e(/* import() */ 752).then(__nccwpck_require__.t.bind(__nccwpck_require__, 6752, 19)), Promise.all(/* import() */[__nccwpck_require__.e(752), __nccwpck_require__.e(779)]).then(__nccwpck_require__.bind(__nccwpck_require__, 2779))]);
        const dispatcher = new HttpClient(USER_AGENT).getAgentDispatcher(baseUrl);
        return ((url, init) => undiciFetch(url, { ...init, dispatcher }));
    };
    return async (url, init) => (await (proxied ??= load()))(url, init);
}

;// CONCATENATED MODULE: ./src/github/access.ts
// How a run reaches GitHub: a client and the credential behind it, made once per credential,
// and the one place GitHub's refusals (401, 403, 404) become a sentence that says what to do.



const REFUSALS = [401, 403, 404];
/**
 * GitHub refused the credential (401), a permission (403) or showed nothing (404): the sentence
 * that names what was refused and what to do, as a UserError. A failure the client already
 * explained (a host that refuses connections, an untrusted certificate) is returned as it is, so
 * no caller wraps it. Undefined for any other failure, rate limits included, and for the statuses
 * a caller reads otherwise (`statuses` lists the rest).
 */
function refusal(access, error, attempt, statuses = REFUSALS) {
    if (error instanceof UserError)
        return error;
    if (!isHttpError(error) || !statuses.includes(error.status) || isRateLimit(error))
        return undefined;
    return new UserError(explain(access, error, attempt));
}
/** GitHub's answer to an attempt, explained for the credential that made it. */
function explain(access, error, attempt) {
    return explainHttpError(error, { ...attempt, credential: access.credential, tokenIsInstallationToken: access.tokenIsInstallationToken });
}
/** A permission's level in GitHub's words: what reading needs, or what writing does. */
function rights(level) {
    return level === 'read' ? 'read' : 'read and write';
}
const APP_JWT = "the app's own JSON Web Token";
/**
 * The credentials a run was given, each turned into an Access once: the token, the app's JSON
 * Web Token, and one installation token per installation of the app.
 */
class Credentials {
    context;
    given;
    tokenAccess;
    appAccess;
    installations = new Map();
    places = new Map();
    /** The token and key given were masked by the front end as it took them in (secretInputs); what this makes is masked here. */
    constructor(context, given) {
        this.context = context;
        this.given = given;
    }
    /** Whether the run authenticates as a GitHub App (else with a token). */
    get isApp() {
        return this.given.app !== undefined;
    }
    /** The token, with the ghs_ check every 403 explanation needs. */
    token() {
        const token = this.given.token;
        if (token === undefined)
            throw new Error('no token was given');
        this.tokenAccess ??= { client: createClient(this.context, { token }), credential: 'token', tokenIsInstallationToken: token.startsWith('ghs_') };
        return this.tokenAccess;
    }
    /** The app's own JSON Web Token: what the app's webhook and installation lookups need. */
    app() {
        const app = this.given.app;
        if (app === undefined)
            throw new Error('no app was given');
        this.appAccess ??= { client: createClient(this.context, { app }), credential: 'app-jwt', tokenIsInstallationToken: false };
        return this.appAccess;
    }
    /** The credential for a place: the app's installation token there, else the token. */
    async at(place) {
        return this.isApp ? this.installation(place) : this.token();
    }
    /**
     * An installation token of the app for an organization or repository, found with the app's JWT.
     * Each place is looked up once: the hooks' repository is often the state's too.
     */
    installation(place) {
        const key = `${place.route} ${JSON.stringify(place.params).toLowerCase()}`;
        let access = this.places.get(key);
        if (!access)
            this.places.set(key, (access = this.lookUp(place)));
        return access;
    }
    async lookUp(place) {
        const app = this.app();
        const { name } = place;
        let installationId;
        try {
            const { data } = await app.client.request(place.route, place.params);
            installationId = data.id;
        }
        catch (error) {
            if (isHttpError(error) && error.status === 404) {
                throw new UserError(`The GitHub App given by "app-id" is not installed on ${name}. Install it there (with the Webhooks and, for the state variable, Variables permissions), or pass a "token" instead.`);
            }
            throw (refusal(app, error, { action: `find the app's installation on ${name}`, permission: APP_JWT }, [401, 403]) ??
                new Error(`finding the app's installation on ${name} failed: ${describeError(error)}`, { cause: error }));
        }
        // The state repository is often under the same installation as the hooks: one token serves both.
        const known = this.installations.get(installationId);
        if (known)
            return known;
        let token;
        try {
            const auth = (await app.client.auth({ type: 'installation', installationId }));
            token = auth.token;
        }
        catch (error) {
            if (isHttpError(error))
                throw new UserError(explain(app, error, { action: `create an installation token for ${name}`, permission: APP_JWT }));
            throw error;
        }
        this.context.mask(token);
        const access = { client: createClient(this.context, { token }), credential: 'installation', tokenIsInstallationToken: false };
        this.installations.set(installationId, access);
        return access;
    }
}

;// CONCATENATED MODULE: ./src/github/clock.ts
/**
 * GitHub's clock, learned from the `Date` header of its answers. The runner's
 * clock can be minutes off; only the time elapsed since an answer is taken from it.
 */
class GitHubClock {
    /** GitHub's time at the last answer, and the monotonic time it arrived. */
    anchor;
    observe(dateHeader) {
        if (!dateHeader)
            return;
        const serverMs = Date.parse(dateHeader);
        if (Number.isNaN(serverMs))
            return;
        // The header has one-second resolution and is truncated: on average half a second behind.
        this.anchor = { serverMs: serverMs + 500, at: performance.now() };
    }
    get known() {
        return this.anchor !== undefined;
    }
    /** Elapsed time is measured monotonically, so a runner clock stepped mid-run changes nothing. */
    now() {
        return this.anchor ? this.anchor.serverMs + (performance.now() - this.anchor.at) : Date.now();
    }
}

;// CONCATENATED MODULE: ./src/github/timing.ts

const GITHUB_PACING = {
    writeIntervalMs: 1000,
    retryBaseMs: 1000,
    verifyDelayMs: { dotcom: 30_000, ghes: 60_000 },
    sleep: abortableSleep
};

;// CONCATENATED MODULE: ./src/state/variable-store.ts





/** The bookmark in an Actions configuration variable of a repository. */
class VariableStore {
    access;
    repository;
    name;
    description;
    maxChars = MAX_STATE_CHARS;
    exists;
    constructor(access, repository, name) {
        this.access = access;
        this.repository = repository;
        this.name = name;
        this.description = `state variable ${name} in ${repository.owner}/${repository.repo}`;
    }
    async read() {
        try {
            const { data } = await this.access.client.request('GET /repos/{owner}/{repo}/actions/variables/{name}', { ...this.repository, name: this.name });
            this.exists = true;
            return data.value;
        }
        catch (error) {
            if (isHttpError(error) && error.status === 404) {
                // 404 is also what a token that cannot see the repository gets; the first write tells them apart.
                this.exists = false;
                return undefined;
            }
            throw this.explain(error, 'read');
        }
    }
    async write(text) {
        // Writing the same value again cannot do harm (a repeated create answers 409, then updates): retried like a read.
        const params = { ...this.repository, name: this.name, value: text, request: { retries: defaultServerRetries('GET') } };
        try {
            if (this.exists === false) {
                try {
                    await this.access.client.request('POST /repos/{owner}/{repo}/actions/variables', params);
                }
                catch (error) {
                    if (!isHttpError(error) || error.status !== 409)
                        throw error;
                    await this.access.client.request('PATCH /repos/{owner}/{repo}/actions/variables/{name}', params);
                }
            }
            else {
                try {
                    await this.access.client.request('PATCH /repos/{owner}/{repo}/actions/variables/{name}', params);
                }
                catch (error) {
                    if (!isHttpError(error) || error.status !== 404)
                        throw error;
                    await this.access.client.request('POST /repos/{owner}/{repo}/actions/variables', params);
                }
            }
            this.exists = true;
        }
        catch (error) {
            throw this.explain(error, 'write');
        }
    }
    explain(error, level) {
        if (isHttpError(error) && isRateLimit(error)) {
            return new RateLimitedError(`GitHub's rate limit refused to ${level} the ${this.description}: ${describeError(error)}`);
        }
        const where = `${this.repository.owner}/${this.repository.repo}`;
        const asked = rights(level);
        const permission = this.access.credential === 'installation'
            ? `the "Variables" repository permission (${asked}) in the app's installation on ${where}`
            : `a fine-grained token's "Variables" repository permission (${asked}) on ${where}, or a classic token's repo scope`;
        return (refusal(this.access, error, { action: `${level} the ${this.description}`, permission }) ??
            new Error(`${level === 'read' ? 'reading' : 'writing'} the ${this.description} failed: ${describeError(error)}`));
    }
}

;// CONCATENATED MODULE: ./src/github/deliveries.ts




/** Lists and redelivers hook deliveries through the REST API. */
class GitHubDeliveries {
    access;
    clock;
    route;
    directory;
    firstPages = new Map();
    constructor(access, clock, route, 
    /** The owner's hooks, to tell a named hook that does not exist from one the credential cannot read. */
    directory) {
        this.access = access;
        this.clock = clock;
        this.route = route;
        this.directory = directory;
    }
    now() {
        return this.clock.now();
    }
    async listDeliveries(hook, onPage) {
        // Once the hooks were listed, a hook that is not among them costs no request.
        if (this.isUnknown(hook))
            throw new UnknownHookError(hook.id, this.directory.owner.name);
        // Page by page, following GitHub's cursor links; each page is parsed and let go before the next.
        const prefetched = this.firstPages.get(hook.key);
        this.firstPages.delete(hook.key);
        try {
            let response = await (prefetched ?? this.firstPage(hook));
            for (;;) {
                if (!onPage(parseDeliveryPage(response.data)))
                    break;
                const next = nextPageUrl(response.headers.link);
                if (!next)
                    break;
                response = await this.access.client.request({ method: 'GET', url: next, request: AS_TEXT });
            }
        }
        catch (error) {
            if (error instanceof UserError)
                throw error;
            const elsewhere = notTheApiError(error);
            if (elsewhere)
                throw new UserError(`Could not list the deliveries of ${hook.label}: ${elsewhere}`);
            if (isHttpError(error) && error.status === 404 && hook.id !== undefined) {
                const { directory } = this;
                if (directory && (await directory.exists(hook.id)) === false)
                    throw new UnknownHookError(hook.id, directory.owner.name);
                throw new UserError(`Input "hook-id": GitHub has no webhook ${hook.id} here, or the credential cannot see it (404 while listing the deliveries of ${hook.label}). Check the ID (or leave hook-id empty to scan every hook); the credential needs ${this.route.permission('read', this.access.credential)}.`);
            }
            throw (refusal(this.access, error, { action: `list the deliveries of ${hook.label}`, permission: this.route.permission('read', this.access.credential) }) ??
                new Error(`listing deliveries failed: ${describeError(error)}`, { cause: error }));
        }
    }
    /** A hook the listed hooks do not include. */
    isUnknown(hook) {
        return this.directory !== undefined && hook.id !== undefined && this.directory.knows(hook.id) === false;
    }
    prefetchFirstPage(hook) {
        // App credentials sign a JWT with GitHub's clock, learned from the bookmark read: they wait for it.
        if (this.access.credential !== 'token')
            return;
        if (this.isUnknown(hook))
            return;
        const page = this.firstPage(hook);
        // Its failure is met, and explained, by the listing that takes it.
        page.catch(() => undefined);
        this.firstPages.set(hook.key, page);
    }
    firstPage(hook) {
        const { path, params } = this.route.list(hook);
        return this.access.client.request(`GET ${path}`, { ...params, per_page: 100, request: AS_TEXT });
    }
    /**
     * POSTs are not retried blindly: a retry after GitHub may already have acted would redeliver
     * twice. The client retries only answers that prove nothing happened (503, a connection never
     * made; see request-policy.ts); the ambiguous rest is reported as uncertain.
     */
    async redeliver(hook, id) {
        const { path, params } = this.route.redeliver(hook, id);
        try {
            await this.access.client.request(`POST ${path}`, params);
            return { kind: 'accepted', at: this.clock.now() };
        }
        catch (error) {
            // GitHub cannot be reached at all (the client says which way): the run ends with that one message.
            if (error instanceof UserError)
                throw error;
            if (!isHttpError(error))
                return { kind: 'error', message: describeError(error) };
            if (isRateLimit(error))
                return { kind: 'rate-limited', message: describeError(error) };
            const refused = refusal(this.access, error, { action: `redeliver deliveries of ${hook.label}`, permission: this.route.permission('write', this.access.credential) }, [401, 403]);
            if (refused)
                throw refused;
            if (error.status >= 400 && error.status < 500)
                return { kind: 'refused', status: error.status, message: describeError(error) };
            // (A failure that cannot get better never gets here: the client ends the run with it.)
            const uncertain = mayHaveBeenProcessed(error);
            const message = uncertain ? `${describeError(error)} (GitHub may have made the redelivery before the answer was lost: the next run checks before sending it again)` : describeError(error);
            return { kind: 'error', message, uncertain, at: this.clock.now() };
        }
    }
    canPing() {
        return this.route.ping !== undefined;
    }
    /**
     * A ping is a write like a redelivery (paced, never resent after GitHub may have acted), with
     * the same rights; what GitHub refuses for this hook says nothing of its receiver.
     */
    async ping(hook) {
        const { path, params } = this.route.ping(hook);
        try {
            await this.access.client.request(`POST ${path}`, params);
            return { kind: 'sent', at: this.clock.now() };
        }
        catch (error) {
            if (error instanceof UserError)
                throw error;
            if (!isHttpError(error))
                return { kind: 'failed', message: describeError(error) };
            if (isRateLimit(error))
                return { kind: 'rate-limited', message: describeError(error) };
            const refused = refusal(this.access, error, { action: `redeliver deliveries of ${hook.label} or ping it`, permission: this.route.permission('write', this.access.credential) }, [401, 403]);
            if (refused)
                throw refused;
            return { kind: 'failed', message: describeError(error) };
        }
    }
}
/** The body as text, read inside the client's retries: the ids in it are quoted before parsing. */
const AS_TEXT = { parseSuccessResponseBody: false };
/**
 * One page of a deliveries listing. Ids exceed 2^53, so they are quoted before JSON.parse
 * reads them: as exact as a bigint-aware parser, at a tenth of its cost per page.
 */
function parseDeliveryPage(text) {
    const items = JSON.parse(text.replace(/"id":\s*(\d+)/g, '"id":"$1"'));
    if (!Array.isArray(items))
        throw new Error(`GitHub answered a deliveries listing with something other than a list: ${text.slice(0, 80)}`);
    return items.map(toAttempt);
}
/** The `rel="next"` link of a paginated answer. */
function nextPageUrl(link) {
    return link ? /<([^>]+)>;\s*rel="next"/.exec(link)?.[1] : undefined;
}
function toAttempt(raw) {
    return {
        id: idToString(raw.id),
        guid: raw.guid,
        deliveredAt: Date.parse(raw.delivered_at),
        redelivery: raw.redelivery === true,
        status: raw.status,
        statusCode: raw.status_code,
        event: raw.event,
        action: raw.action ?? null,
        durationMs: Math.round((raw.duration ?? 0) * 1000)
    };
}

;// CONCATENATED MODULE: ./src/targets/app.ts
// target-type app: the one webhook of a GitHub App, reached with the app's own JSON Web Token.

const appHookRoute = {
    list: () => ({ path: '/app/hook/deliveries', params: {} }),
    redeliver: (_hook, id) => ({ path: '/app/hook/deliveries/{delivery_id}/attempts', params: { delivery_id: id } }),
    permission: () => "the app's own JSON Web Token (app-id and private-key of the app that owns the webhook)"
};
/** Keyed by the app, so two apps can keep their bookmarks in one state without reading each other's. */
function appHook(webBaseUrl, appId) {
    return { key: `app:${appId}`, kind: 'app', label: 'app webhook', webUrl: `${webBaseUrl}/settings/apps` };
}
const appTarget = {
    async resolve(_target, { config, credentials, clock }) {
        return {
            hooks: [appHook(config.location.webBaseUrl, config.app.appId)],
            deliveries: new GitHubDeliveries(credentials.app(), clock, appHookRoute),
            warnings: []
        };
    }
};

;// CONCATENATED MODULE: ./src/github/fleet.ts
// The GitHub side of a fleet target: which repositories `repository` names (listing an
// owner's repositories for its patterns) and `shard` keeps, and their hooks `hook-id` selects.
// What to select is decided by core/fleet.ts; this file only asks GitHub.





/**
 * The hooks of every repository the entries name, each once. `accessFor` gives the
 * credential for an owner (an app has one installation per owner).
 */
async function findFleetHooks(request, accessFor) {
    const listed = [];
    for (const owner of ownersToList(request.repositories))
        listed.push(...(await listRepositories(await accessFor(owner), owner)));
    // A repository named exactly is looked at even when a listing does not show it (it may be private to the listing).
    for (const p of request.repositories)
        if (p.kind === 'repository')
            listed.push({ owner: p.owner, name: p.name });
    const selected = selectRepositories(request.repositories, listed);
    const repositories = selected.filter(repo => inShard(request.shard, repositoryShardKey(repo)));
    const unreadable = [];
    const failed = [];
    const found = await mapConcurrent(repositories, request.concurrency ?? 8, async (repo) => {
        const fullName = `${repo.owner}/${repo.name}`;
        const access = await accessFor(repo.owner);
        let raw;
        try {
            raw = (await access.client.paginate('GET /repos/{owner}/{repo}/hooks', { owner: repo.owner, repo: repo.name, per_page: 100 }));
        }
        catch (error) {
            // GitHub cannot be reached, or refused the credential: nothing else would go better.
            if (error instanceof UserError)
                throw error;
            // (A 401 names no permission: the credential itself was refused.)
            const refused = refusal(access, error, { action: `list the webhooks of ${fullName}`, permission: '' }, [401]);
            if (refused)
                throw refused;
            if (isHttpError(error) && (error.status === 403 || error.status === 404) && !isRateLimit(error))
                unreadable.push(fullName);
            else
                failed.push({ repository: fullName, message: describeError(error) });
            return [];
        }
        // An inactive hook was switched off on purpose: GitHub sends it nothing, and neither do we.
        const active = raw.filter(h => h.active !== false).map((h) => ({ repository: fullName, id: String(h.id), url: h.config?.url, unused: h.last_response?.status === 'unused' }));
        return selectHooks(request.hooks, active);
    });
    return { hooks: found.flat(), unreadable, failed, selected: selected.length, repositories: repositories.length };
}
/**
 * An owner's repositories the credential can see: an installation's own list, else the
 * organization's, else (for a user) the user's public ones.
 */
async function listRepositories(access, owner) {
    const toListed = (r) => ({ owner: r.owner?.login ?? r.full_name?.split('/')[0] ?? owner, name: r.name, archived: r.archived === true });
    try {
        if (access.credential === 'installation') {
            const repos = (await access.client.paginate('GET /installation/repositories', { per_page: 100 }));
            return repos.map(toListed).filter(r => r.owner.toLowerCase() === owner.toLowerCase());
        }
        try {
            return (await access.client.paginate('GET /orgs/{org}/repos', { org: owner, type: 'all', per_page: 100 })).map(toListed);
        }
        catch (error) {
            if (!isHttpError(error) || error.status !== 404)
                throw error;
            return (await access.client.paginate('GET /users/{username}/repos', { username: owner, per_page: 100 })).map(toListed);
        }
    }
    catch (error) {
        if (error instanceof UserError)
            throw error;
        if (isHttpError(error) && error.status === 404) {
            throw new UserError(`Input "repository": GitHub has no organization or user "${owner}" that the credential can see (404 while listing its repositories). Check the owner in "repository".`);
        }
        const permission = access.credential === 'installation' ? "the app's installation on that owner" : `read access to the repositories of ${owner} ("Metadata" read for a fine-grained token)`;
        throw (refusal(access, error, { action: `list the repositories of ${owner}`, permission }, [401, 403]) ??
            new Error(`listing the repositories of ${owner} failed: ${describeError(error)}`, { cause: error }));
    }
}

;// CONCATENATED MODULE: ./src/github/hooks.ts





/** One hook of an organization or repository: keyed by its id, labelled with where its payload URL points. */
function ownerHook(owner, id, url) {
    return {
        key: id,
        kind: owner.kind,
        id,
        url,
        label: `${owner.name} hook ${id}${url ? ` (${payloadUrlOrigin(url) ?? 'invalid URL'})` : ''}`,
        webUrl: `${owner.webSettingsUrl}/${id}?tab=deliveries`
    };
}
/**
 * The webhooks of one organization or repository, listed once (paginated) when first
 * needed: to resolve payload URLs, to find every hook, or to tell which named ids do not
 * exist. Runs whose named hooks all exist never list them.
 */
class HookDirectory {
    access;
    owner;
    listing;
    ids;
    constructor(access, owner) {
        this.access = access;
        this.owner = owner;
    }
    list() {
        this.listing ??= this.fetch();
        return this.listing;
    }
    /** Whether the hook exists, when the list has been read; undefined before. */
    knows(id) {
        return this.ids?.has(id);
    }
    /** Whether the hook exists, listing the hooks if that was not done yet; undefined if they cannot be listed. */
    async exists(id) {
        try {
            await this.list();
        }
        catch {
            return undefined;
        }
        return this.knows(id);
    }
    async fetch() {
        const { owner, access } = this;
        try {
            const hooks = (await access.client.paginate(`GET ${owner.listPath}`, { ...owner.params, per_page: 100 }));
            this.ids = new Set(hooks.map(h => String(h.id)));
            return hooks;
        }
        catch (error) {
            throw (refusal(access, error, { action: `list the webhooks of ${owner.name}`, permission: owner.permission }) ??
                new Error(`listing the webhooks of ${owner.name} failed: ${describeError(error)}`, { cause: error }));
        }
    }
}
/**
 * The hooks to scan: the named ids as they are (no request needed: whether they exist
 * shows when their deliveries are listed), payload URLs resolved to ids, or every hook
 * when none is named. `unmatched`: why some payload URLs named no hook, for the run to
 * fail with once the hooks that exist were processed.
 */
async function resolveHooks(directory, selectors) {
    const { owner } = directory;
    const needsList = selectors.length === 0 || selectors.some(s => s.kind !== 'id');
    const listed = needsList ? await directory.list() : [];
    if (selectors.length === 0) {
        // An inactive hook was switched off on purpose: GitHub sends it nothing, and neither do we.
        const active = listed.filter(h => h.active !== false);
        if (active.length === 0)
            throw new UserError(`${owner.name} has no active webhooks to scan.`);
        return { hooks: active.map(h => ownerHook(owner, String(h.id), h.config?.url)) };
    }
    const targets = new Map();
    const unmatched = [];
    for (const selector of selectors) {
        if (selector.kind === 'id') {
            const known = listed.find(h => String(h.id) === selector.id);
            targets.set(selector.id, ownerHook(owner, selector.id, known?.config?.url));
            continue;
        }
        const matches = listed.filter(h => hookMatches(selector, { id: h.id, url: h.config?.url }));
        if (matches.length === 0)
            unmatched.push(selector.kind === 'url' ? displayPayloadUrl(selector.url) : `${displayPayloadUrl(selector.prefix)}/… (as a prefix)`);
        for (const hook of matches)
            targets.set(String(hook.id), ownerHook(owner, String(hook.id), hook.config?.url));
    }
    if (unmatched.length === 0)
        return { hooks: [...targets.values()] };
    const urls = `${noun(unmatched.length, 'the payload URL', 'the payload URLs')} ${unmatched.join(', ')}`;
    const message = `Input "hook-id": no webhook of ${owner.name} has ${urls}${targets.size > 0 ? '; the other hooks were processed' : ''}. Use the hook's ID, or its exact payload URL.`;
    if (targets.size === 0)
        throw new UserError(message);
    return { hooks: [...targets.values()], unmatched: message };
}

;// CONCATENATED MODULE: ./src/targets/owner.ts
// What an organization's and a repository's hooks have in common: listed from the owner,
// selected by `hook-id`, kept by `shard`, reached with the owner's credential.



async function resolveOwnerHooks(target, { config, credentials, clock }) {
    const access = await credentials.at(target.installation);
    const directory = new HookDirectory(access, { ...target.owner, permission: target.route.permission('read', access.credential) });
    const resolved = await resolveHooks(directory, config.hooks);
    return {
        hooks: resolved.hooks.filter(hook => inShard(config.shard, target.shardKey(hook.id))),
        deliveries: new GitHubDeliveries(access, clock, target.route, directory),
        unmatched: resolved.unmatched,
        warnings: []
    };
}

;// CONCATENATED MODULE: ./src/targets/org.ts
// target-type org: an organization's webhooks, with a token of an owner or the app's installation there.



function orgHookRoute(org) {
    return {
        list: hook => ({ path: '/orgs/{org}/hooks/{hook_id}/deliveries', params: { org, hook_id: hook.id } }),
        redeliver: (hook, id) => ({ path: '/orgs/{org}/hooks/{hook_id}/deliveries/{delivery_id}/attempts', params: { org, hook_id: hook.id, delivery_id: id } }),
        ping: hook => ({ path: '/orgs/{org}/hooks/{hook_id}/pings', params: { org, hook_id: hook.id } }),
        permission: (level, credential) => credential === 'installation'
            ? `the "Webhooks" organization permission (${rights(level)}) in the app's installation on ${org}`
            : `the "Webhooks" organization permission (read and write: a run lists and redelivers) in a fine-grained token of an owner of ${org}, or a classic token's admin:org_hook scope`
    };
}
/** The app's installation on an organization (or a user: a fleet's owner). */
function orgInstallation(org) {
    return { name: org, route: 'GET /orgs/{org}/installation', params: { org } };
}
const orgTarget = {
    resolve: ({ org }, context) => resolveOwnerHooks({
        route: orgHookRoute(org),
        installation: orgInstallation(org),
        owner: { kind: 'org', name: org, listPath: '/orgs/{org}/hooks', params: { org }, webSettingsUrl: `${context.config.location.webBaseUrl}/organizations/${org}/settings/hooks` },
        shardKey: id => shardKey({ kind: 'org', org, id })
    }, context)
};

;// CONCATENATED MODULE: ./src/targets/repo.ts
// target-type repo: one repository's webhooks, with a token of an admin or the app's installation there.



function repoHookRoute(owner, repo) {
    return {
        list: hook => ({ path: '/repos/{owner}/{repo}/hooks/{hook_id}/deliveries', params: { owner, repo, hook_id: hook.id } }),
        redeliver: (hook, id) => ({
            path: '/repos/{owner}/{repo}/hooks/{hook_id}/deliveries/{delivery_id}/attempts',
            params: { owner, repo, hook_id: hook.id, delivery_id: id }
        }),
        ping: hook => ({ path: '/repos/{owner}/{repo}/hooks/{hook_id}/pings', params: { owner, repo, hook_id: hook.id } }),
        permission: (level, credential) => credential === 'installation'
            ? `the "Webhooks" repository permission (${rights(level)}) in the app's installation on ${owner}/${repo}`
            : `admin access to ${owner}/${repo} with a fine-grained token's "Webhooks" repository permission (${rights(level)}) or a classic token's repo scope`
    };
}
/** The app's installation on a repository (the state variable's repository, too). */
function repoInstallation(owner, repo) {
    return { name: `${owner}/${repo}`, route: 'GET /repos/{owner}/{repo}/installation', params: { owner, repo } };
}
/** A repository as the owner of hooks: where they are listed, and their pages on GitHub. */
function repoHookOwner(webBaseUrl, owner, repo) {
    return { kind: 'repo', name: `${owner}/${repo}`, listPath: '/repos/{owner}/{repo}/hooks', params: { owner, repo }, webSettingsUrl: `${webBaseUrl}/${owner}/${repo}/settings/hooks` };
}
const repoTarget = {
    resolve: ({ owner, repo }, context) => resolveOwnerHooks({
        route: repoHookRoute(owner, repo),
        installation: repoInstallation(owner, repo),
        owner: repoHookOwner(context.config.location.webBaseUrl, owner, repo),
        shardKey: id => shardKey({ kind: 'repo', repo: `${owner}/${repo}`, id })
    }, context)
};

;// CONCATENATED MODULE: ./src/targets/fleet.ts
// The fleet: the hooks of every repository `repository` names (several entries, or patterns such
// as owner/*), each reached with its owner's credential. github/fleet.ts asks GitHub which
// repositories and hooks there are; this file names them and wires their deliveries.








/** The paths of one repository's hooks (HookTarget.repository names it), and the permission asked of every repository. */
const repoFleetHookRoute = {
    list: hook => repoHookRoute(...fleetRepository(hook)).list(hook),
    redeliver: (hook, id) => repoHookRoute(...fleetRepository(hook)).redeliver(hook, id),
    ping: hook => repoHookRoute(...fleetRepository(hook)).ping(hook),
    permission: (level, credential) => credential === 'installation'
        ? `the "Webhooks" repository permission (${rights(level)}) in the app's installation on every repository of "repository"`
        : `admin access to every repository of "repository", with a fine-grained token's "Webhooks" repository permission (${rights(level)}) or a classic token's repo scope`
};
function fleetRepository(hook) {
    const [owner, repo] = (hook.repository ?? '').split('/');
    if (!owner || !repo)
        throw new Error(`${hook.label} has no repository`);
    return [owner, repo];
}
const fleetTarget = {
    async resolve({ repositories }, { config, credentials, clock, log }) {
        // One credential per owner: an app is installed once on each.
        const accesses = new Map();
        const accessFor = (owner) => {
            const key = owner.toLowerCase();
            let access = accesses.get(key);
            if (!access)
                accesses.set(key, (access = credentials.at(orgInstallation(owner))));
            return access;
        };
        const scope = fleetScope(repositories, config.hooks, config.shard);
        const found = await findFleetHooks({ repositories, hooks: config.hooks, shard: config.shard }, accessFor);
        const web = config.location.webBaseUrl;
        const hooks = found.hooks.map((h) => ({
            ...ownerHook(repoHookOwner(web, ...h.repository.split('/')), h.id, h.url),
            repository: h.repository,
            scope,
            ...(h.unused ? { neverDelivered: true } : {})
        }));
        const shardText = config.shard ? `, ${found.repositories} of them in shard ${config.shard.index}/${config.shard.count}` : '';
        log.info(`${plural(found.selected, 'repository', 'repositories')} selected${shardText}; ${plural(hooks.length, 'hook')} to scan.`);
        const ports = new Map();
        for (const [owner, access] of accesses)
            ports.set(owner, new GitHubDeliveries(await access, clock, repoFleetHookRoute));
        const portOf = (hook) => ports.get(fleetRepository(hook)[0].toLowerCase());
        const deliveries = {
            now: () => clock.now(),
            listDeliveries: (hook, onPage) => portOf(hook).listDeliveries(hook, onPage),
            redeliver: (hook, id) => portOf(hook).redeliver(hook, id),
            canPing: () => true,
            ping: hook => portOf(hook).ping(hook)
        };
        return {
            hooks,
            deliveries,
            fleet: { scope, complete: found.unreadable.length === 0 && found.failed.length === 0 },
            warnings: fleetWarnings(found, config)
        };
    }
};
/** One warning naming every repository left out, and what the credential needs. */
function fleetWarnings(found, config) {
    const warnings = [];
    const [Credential, credential] = config.app ? ["The app's installation", "the app's installation"] : ['The token', 'the token'];
    if (found.unreadable.length > 0) {
        const n = found.unreadable.length;
        warnings.push(`${Credential} cannot read the webhooks of ${plural(n, 'repository', 'repositories')} (404 or 403), skipped: ${found.unreadable.join(', ')}. ` +
            `The others were scanned. To include ${noun(n, 'it', 'them')}, ${credential} needs ${repoFleetHookRoute.permission('write', config.app ? 'installation' : 'token')}.`);
    }
    for (const { repository, message } of found.failed)
        warnings.push(`Could not list the webhooks of ${repository} (${message}): skipped this run.`);
    if (found.hooks.length === 0 && found.unreadable.length === 0 && found.failed.length === 0) {
        const shard = config.shard ? `shard ${config.shard.index}/${config.shard.count}` : '';
        const selected = `"repository" selected ${plural(found.selected, 'repository', 'repositories')}`;
        warnings.push(shard && found.repositories === 0 && found.selected > 0
            ? `No webhook matched: ${selected}, and none of them is in ${shard}. Use fewer shards than repositories, or give this shard more of them.`
            : `No webhook matched: ${selected}${shard ? `, ${found.repositories} of them in ${shard}` : ''}, ${config.hooks.length > 0 ? 'and "hook-id" matched none of their active hooks' : 'with no active hooks'}.`);
    }
    return warnings;
}

;// CONCATENATED MODULE: ./src/targets/index.ts




/** Every target kind, by its type: a new kind is one file and one line here. */
const KINDS = {
    app: appTarget,
    org: orgTarget,
    repo: repoTarget,
    fleet: fleetTarget
};
/** The hooks the configuration names, and the port that reaches their deliveries. */
function resolveTarget(context) {
    const { target } = context.config;
    return KINDS[target.type].resolve(target, context);
}

;// CONCATENATED MODULE: ./src/session.ts









/** Connects the engine to GitHub for one configuration and runs it: config → target → access → engine. */
async function redeliverFailedDeliveries(config, io) {
    const clock = new GitHubClock();
    const pacing = io.pacing ?? GITHUB_PACING;
    const context = {
        pacing,
        baseUrl: config.location.apiBaseUrl,
        clock,
        log: io.log,
        // The token and key given were masked by the front end as it took them in; this masks what the run makes.
        mask: io.mask,
        requests: { total: 0, writes: 0 }
    };
    const credentials = new Credentials(context, { token: config.token, app: config.app });
    const target = await resolveTarget({ config, credentials, clock, log: io.log });
    let store = io.store;
    if (!store && config.state) {
        const { repository, variable } = config.state;
        const access = config.token ? credentials.token() : await credentials.installation(repoInstallation(repository.owner, repository.repo));
        store = new VariableStore(access, repository, variable);
    }
    const result = await runEngine({
        hooks: target.hooks,
        policy: policyOf(config),
        lookbackMs: config.lookbackMs,
        // A receiver has 10 s to answer (30 s on GHES); leave GitHub's queue time on top of that.
        verifyDelayMs: config.location.kind === 'ghes' ? pacing.verifyDelayMs.ghes : pacing.verifyDelayMs.dotcom,
        sleep: pacing.sleep,
        github: target.deliveries,
        store,
        log: io.log,
        signal: io.signal,
        ...(target.fleet ? { fleet: target.fleet } : {}),
        warnings: target.warnings
    });
    // Payload URLs that named no hook fail the run, now that the hooks that exist were processed.
    if (target.unmatched)
        result.failures.unshift(target.unmatched);
    io.log.debug(`This run made ${plural(context.requests.total, 'request')} to GitHub, ${context.requests.writes} of them ${noun(context.requests.writes, 'a write', 'writes')}.`);
    return result;
}

;// CONCATENATED MODULE: ./src/state/file-store.ts




/** The bookmark in a local JSON file, for the command line under cron. */
class FileStore {
    path;
    description;
    constructor(path) {
        this.path = path;
        this.description = `state file ${path}`;
    }
    async read() {
        try {
            // write() ends the file with a newline; without it the text compares equal to what was written.
            return (0,external_node_fs_namespaceObject.readFileSync)(this.path, 'utf8').replace(/\n$/, '');
        }
        catch (error) {
            if (error.code === 'ENOENT')
                return undefined;
            throw new UserError(`Cannot read the ${this.description}: ${error.message}`);
        }
    }
    /** Written atomically; a symlinked state file stays a link (see writeFileAtomically). */
    async write(text) {
        try {
            writeFileAtomically(this.path, text + '\n', 0o600);
        }
        catch (error) {
            throw new UserError(`Cannot write the ${this.description}: ${error.message}`);
        }
    }
}
/**
 * Written to a temporary file beside the target and renamed over it: a crash, or a reader at the
 * wrong moment, sees the old file or the new, never half of one. A symlinked path stays a link:
 * the rename lands on the file it points to, which keeps its mode (`mode` is for a new file).
 */
function writeFileAtomically(path, text, mode) {
    const target = linkTarget(path);
    const temporary = `${target}.${process.pid}.tmp`;
    try {
        const fileMode = existingMode(target) ?? mode;
        const fd = (0,external_node_fs_namespaceObject.openSync)(temporary, 'w', fileMode);
        try {
            (0,external_node_fs_namespaceObject.fchmodSync)(fd, fileMode);
            (0,external_node_fs_namespaceObject.writeSync)(fd, text);
            (0,external_node_fs_namespaceObject.fsyncSync)(fd);
        }
        finally {
            (0,external_node_fs_namespaceObject.closeSync)(fd);
        }
        (0,external_node_fs_namespaceObject.renameSync)(temporary, target);
    }
    catch (error) {
        (0,external_node_fs_namespaceObject.rmSync)(temporary, { force: true });
        throw error;
    }
}
/**
 * Where writes to `path` land: the file its symlinks lead to (followed even when that file does
 * not exist yet), or `path` itself. The lock and the temporary file go beside it, so two links
 * to one state file share one lock.
 */
function linkTarget(path) {
    let current = (0,external_node_path_namespaceObject.resolve)(path);
    for (let hops = 0; hops < 40; hops++) {
        try {
            return (0,external_node_fs_namespaceObject.realpathSync)(current);
        }
        catch {
            // Missing, or a link to a file still to be created: follow the link by hand.
        }
        let link;
        try {
            link = (0,external_node_fs_namespaceObject.readlinkSync)(current);
        }
        catch {
            // Not there yet: its directory's real path, so every spelling of it names one file (and one lock).
            return realDirectory(current);
        }
        current = (0,external_node_path_namespaceObject.resolve)((0,external_node_path_namespaceObject.dirname)(current), link);
    }
    throw new UserError(`Cannot follow the state file ${path}: too many symbolic links.`);
}
function realDirectory(path) {
    try {
        return (0,external_node_path_namespaceObject.join)((0,external_node_fs_namespaceObject.realpathSync)((0,external_node_path_namespaceObject.dirname)(path)), (0,external_node_path_namespaceObject.basename)(path));
    }
    catch {
        return path;
    }
}
function existingMode(path) {
    try {
        return (0,external_node_fs_namespaceObject.statSync)(path).mode & 0o777;
    }
    catch {
        return undefined;
    }
}
/** No run takes this long: a lock of an earlier version (a pid only) older than this is left over. */
const MAX_LOCK_AGE_MS = 6 * 60 * 60_000;
/** A run refreshes its lock's time this often... */
const LOCK_HEARTBEAT_MS = 60_000;
/** ...so a lock not refreshed for this long is left over, wherever its process ran (another container, a shared disk). */
const LOCK_SILENCE_MS = 10 * 60_000;
function parseLockOwner(text) {
    const value = text.trim();
    if (/^\d+$/.test(value))
        return Number(value) > 0 ? { pid: Number(value) } : undefined;
    try {
        const doc = JSON.parse(value);
        if (!Number.isInteger(doc.pid) || doc.pid <= 0)
            return undefined;
        const text = (v) => (typeof v === 'string' && v !== '' ? v : undefined);
        return { pid: doc.pid, host: text(doc.host), boot: text(doc.boot), start: text(doc.start) };
    }
    catch {
        return undefined;
    }
}
/**
 * Why a lock is left over, or undefined while its run may still be going. A pid alone is not
 * enough: after a restart it can belong to any other program.
 */
function staleLockReason(owner, ageMs, here) {
    if (!owner)
        return 'it names no process';
    const refreshed = owner.host !== undefined;
    if (refreshed && ageMs > LOCK_SILENCE_MS)
        return `its run has not refreshed it for more than ${LOCK_SILENCE_MS / 60_000} minutes`;
    // Another machine's (or container's) processes cannot be seen from here: only the refresh tells.
    if (refreshed && owner.host !== here.host)
        return undefined;
    if (owner.boot !== undefined && here.boot !== undefined && owner.boot !== here.boot)
        return 'the machine has restarted since it was taken';
    if (!here.isAlive(owner.pid))
        return `process ${owner.pid} has ended`;
    const start = owner.start !== undefined ? here.startOf(owner.pid) : undefined;
    if (start !== undefined && start !== owner.start)
        return `process ${owner.pid} is now another program`;
    if (!refreshed && ageMs > MAX_LOCK_AGE_MS)
        return `it is more than ${MAX_LOCK_AGE_MS / 3_600_000} hours old, longer than any run takes`;
    return undefined;
}
/** This machine's processes, from /proc where there is one (Linux); elsewhere the pid and the lock's age decide. */
const localProcesses = {
    host: (0,external_node_os_namespaceObject.hostname)(),
    boot: safeRead('/proc/sys/kernel/random/boot_id').trim() || undefined,
    isAlive,
    startOf(pid) {
        // Field 22 of /proc/PID/stat; the command name before it may hold spaces and parentheses.
        const stat = safeRead(`/proc/${pid}/stat`);
        return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] || undefined;
    }
};
/**
 * An exclusive lock beside the state file so two cron runs cannot overlap. A lock
 * left over (its process ended, the machine restarted, or it is older than any run)
 * is taken over.
 */
class FileLock {
    path;
    processes;
    now;
    heartbeatMs;
    held = false;
    /** What this run wrote in the lock: it refreshes and removes only a lock that still says so. */
    content = '';
    heartbeat;
    /** However the process ends (a second Ctrl-C exits at once), the lock goes with it. */
    releaseOnExit = () => this.release();
    constructor(path, processes = localProcesses, now = Date.now, heartbeatMs = LOCK_HEARTBEAT_MS) {
        this.path = path;
        this.processes = processes;
        this.now = now;
        this.heartbeatMs = heartbeatMs;
    }
    acquire() {
        for (let attempt = 0; attempt < 2; attempt++) {
            try {
                const fd = (0,external_node_fs_namespaceObject.openSync)(this.path, 'wx', 0o600);
                const { host, boot } = this.processes;
                this.content = JSON.stringify({ pid: process.pid, host, boot, start: this.processes.startOf(process.pid), at: new Date(this.now()).toISOString() }) + '\n';
                (0,external_node_fs_namespaceObject.writeFileSync)(fd, this.content);
                (0,external_node_fs_namespaceObject.closeSync)(fd);
                this.held = true;
                this.heartbeat = setInterval(() => this.refresh(), this.heartbeatMs);
                this.heartbeat.unref();
                // Signals are the command line's to handle: it stops cleanly, then releases.
                process.once('exit', this.releaseOnExit);
                return;
            }
            catch (error) {
                if (error.code !== 'EEXIST') {
                    throw new UserError(`Cannot create the lock file ${this.path}: ${error.message}`);
                }
                const owner = parseLockOwner(safeRead(this.path));
                if (this.staleReason(this.path, owner) === undefined) {
                    const who = `process ${owner.pid}${owner.host ? ` on ${owner.host}` : ''}`;
                    throw new UserError(`Another run (${who}) holds the lock ${this.path}; it is still running. Not starting a second one. If no webhook-redelivery run is going on, delete ${this.path} and run again.`);
                }
                this.takeOverStale();
            }
        }
        throw new UserError(`Cannot take the lock ${this.path}.`);
    }
    staleReason(path, owner) {
        let ageMs = 0;
        try {
            ageMs = this.now() - (0,external_node_fs_namespaceObject.statSync)(path).mtimeMs;
        }
        catch {
            // Gone meanwhile: the next attempt to create it decides.
        }
        return staleLockReason(owner, ageMs, this.processes);
    }
    /**
     * Moves a stale lock aside by renaming it: of two runs racing for it only one
     * rename succeeds. If what was moved turns out to be a live run's fresh lock,
     * it is put back.
     */
    takeOverStale() {
        const aside = `${this.path}.${process.pid}.stale`;
        try {
            (0,external_node_fs_namespaceObject.renameSync)(this.path, aside);
        }
        catch {
            return;
        }
        const owner = parseLockOwner(safeRead(aside));
        if (owner && owner.pid !== process.pid && this.staleReason(aside, owner) === undefined) {
            try {
                (0,external_node_fs_namespaceObject.linkSync)(aside, this.path);
            }
            catch {
                // Someone else holds the lock now; the next attempt will see it.
            }
        }
        (0,external_node_fs_namespaceObject.rmSync)(aside, { force: true });
    }
    /** Shows the lock is in use, so no later run takes it over while this one goes on. */
    refresh() {
        if (!this.isOurs())
            return;
        const at = new Date(this.now());
        try {
            (0,external_node_fs_namespaceObject.utimesSync)(this.path, at, at);
        }
        catch {
            // Checked again at the next beat.
        }
    }
    isOurs() {
        return this.held && safeRead(this.path) === this.content;
    }
    /** Removes the lock, unless another run took it over meanwhile: that run's lock stays. */
    release() {
        if (!this.held)
            return;
        clearInterval(this.heartbeat);
        process.off('exit', this.releaseOnExit);
        if (this.isOurs())
            (0,external_node_fs_namespaceObject.rmSync)(this.path, { force: true });
        this.held = false;
    }
}
function safeRead(path) {
    try {
        return (0,external_node_fs_namespaceObject.readFileSync)(path, 'utf8');
    }
    catch {
        return '';
    }
}
function isAlive(pid) {
    try {
        process.kill(pid, 0);
        return true;
    }
    catch (error) {
        return error.code === 'EPERM';
    }
}

// EXTERNAL MODULE: external "node:util"
var external_node_util_ = __nccwpck_require__(7975);
;// CONCATENATED MODULE: ./src/cli/args.ts



/** The flags of the command line alone; the inputs of action.yml are flags too (INPUTS). */
const CLI_FLAGS = [
    { name: 'state-file', type: 'string', value: 'PATH', help: 'keep the bookmark in this local JSON file (written atomically, locked) instead of an Actions variable' },
    { name: 'private-key-file', type: 'string', value: 'PATH', help: "read the GitHub App's PEM private key from this file" },
    {
        name: 'report-file',
        type: 'string',
        value: 'PATH',
        help: "where to write the JSON report (default: beside the state file as PATH.report.json, else report.json in the temporary directory's webhook-redelivery-UID/, overwritten each run)"
    },
    { name: 'metrics-file', type: 'string', value: 'PATH', help: "write the counts per hook for Prometheus (node_exporter's textfile collector: a .prom file in its directory)" },
    { name: 'json', type: 'boolean', help: `print the action's outputs (${OUTPUTS.map(output => output.name).join(', ')}) and what failed the run (failures) as JSON on stdout` },
    { name: 'debug', type: 'boolean', help: 'log every decision on stderr' },
    { name: 'help', type: 'boolean', short: 'h', help: 'this text' },
    { name: 'version', type: 'boolean', short: 'v', help: 'the version' }
];
/** The inputs that are flags: all but the secrets, since command lines are visible to every user of the machine. */
const INPUT_FLAGS = INPUTS.filter(input => !SECRET_INPUTS.has(input.name));
function parseCliArgs(argv) {
    const flags = {};
    for (const { name, type, short } of CLI_FLAGS)
        flags[name] = short ? { type, short } : { type };
    for (const input of INPUT_FLAGS)
        flags[input.name] = { type: 'string' };
    const args = [];
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i];
        const next = argv[i + 1];
        if (arg === '--dry-run' && (next === undefined || next.startsWith('-'))) {
            // `--dry-run` alone means true, like a switch.
            args.push('--dry-run=true');
        }
        else if (arg.startsWith('--') && flags[arg.slice(2)]?.type === 'string' && next !== undefined && /^-\d/.test(next)) {
            // `--max-attempts -1`: a value, not a flag, so that the input's own check can explain it.
            args.push(`${arg}=${next}`);
            i++;
        }
        else {
            args.push(arg);
        }
    }
    for (const arg of args) {
        const name = /^--(token|private-key)(=|$)/.exec(arg)?.[1];
        if (name) {
            const where = name === 'token' ? 'the GITHUB_TOKEN environment variable' : 'the GITHUB_APP_PRIVATE_KEY environment variable or --private-key-file';
            return { ok: false, error: `--${name} is not accepted on the command line, where other users can see it: use ${where}.` };
        }
    }
    let parsed;
    try {
        parsed = (0,external_node_util_.parseArgs)({ args, options: flags, strict: true, allowPositionals: false, tokens: true });
    }
    catch (error) {
        return { ok: false, error: `${explainParseError(error)} Run with --help for the flags.` };
    }
    // node:util keeps the last of a repeated flag: `--hook-id 1 --hook-id 2` would quietly drop 1.
    const seen = new Set();
    for (const token of parsed.tokens ?? []) {
        if (token.kind !== 'option')
            continue;
        if (seen.has(token.name)) {
            const list = ['hook-id', 'repository', 'events'].includes(token.name) ? `: give one comma-separated list, such as --${token.name} a,b` : ': give it once';
            return { ok: false, error: `--${token.name} is given more than once${list}.` };
        }
        seen.add(token.name);
    }
    const values = parsed.values;
    for (const flag of ['state-file', 'private-key-file', 'report-file']) {
        if (values[flag] === '')
            return { ok: false, error: `--${flag} needs a path.` };
    }
    const inputs = {};
    for (const name of INPUT_NAMES) {
        const value = values[name];
        if (typeof value === 'string')
            inputs[name] = value;
    }
    return {
        ok: true,
        options: {
            inputs,
            stateFile: values['state-file'],
            privateKeyFile: values['private-key-file'],
            reportFile: values['report-file'],
            metricsFile: values['metrics-file'],
            json: values.json === true,
            help: values.help === true,
            version: values.version === true,
            debug: values.debug === true
        }
    };
}
/** node:util's messages speak of options and positionals: say it in this command's words. */
function explainParseError(error) {
    const quoted = /'([^']+)'/.exec(error.message)?.[1] ?? '';
    const flag = quoted.split(' ')[0];
    switch (error.code) {
        case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
            return `${flag} is not a flag of webhook-redelivery.`;
        case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
            return `unexpected argument "${quoted}": every value follows its --flag.`;
        case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
            if (/does not take an argument/.test(error.message))
                return `${flag} takes no value.`;
            if (/ambiguous/.test(error.message))
                return `${flag} needs a value; to give one that starts with "-", write ${flag}=VALUE.`;
            return `${flag} needs a value.`;
        default:
            return `${error.message}.`;
    }
}
/**
 * Messages of the engine name inputs as the action does (`Input "hook-id"`, `"app-id"`,
 * `max-redeliveries`); on the command line they are flags, and the secrets are environment variables.
 */
function inputsToFlags(message, options = {}) {
    const quoted = message.replace(INPUT_MENTION, (_, name) => flagOf(name)).replace(QUOTED_INPUT, (_, name) => flagOf(name));
    // Log lines carry hook labels (an organization may be called dry-run): only quoted names there.
    if (options.quotedOnly)
        return quoted;
    return quoted.replace(BARE_HYPHENATED_INPUT, (_, name) => flagOf(name)).replace(INPUT_AFTER_VERB, (_, word, name) => `${word} ${flagOf(name)}`);
}
// Built once: inputsToFlags runs on every line the CLI prints.
const INPUT_NAME_ALTERNATIVES = INPUT_NAMES.join('|');
const HYPHENATED_INPUT_NAMES = INPUT_NAMES.filter(name => name.includes('-')).join('|');
const INPUT_MENTION = new RegExp(`Input "(${INPUT_NAME_ALTERNATIVES})"`, 'g');
// A quoted input name, unless it is a value: `target-type is "org"`, `got "org"`.
const QUOTED_INPUT = new RegExp(`(?<!(?:is|got|type) )"(${INPUT_NAME_ALTERNATIVES})"`, 'g');
const BARE_HYPHENATED_INPUT = new RegExp(`(?<![\\w"/.-])(${HYPHENATED_INPUT_NAMES})(?![\\w"/-]|\\.\\w)`, 'g');
const INPUT_AFTER_VERB = new RegExp(`\\b(with|give|when) (${INPUT_NAME_ALTERNATIVES})\\b`, 'g');
function flagOf(name) {
    if (name === 'token')
        return 'GITHUB_TOKEN';
    if (name === 'private-key')
        return 'GITHUB_APP_PRIVATE_KEY (or --private-key-file)';
    return `--${name}`;
}
const HELP_WIDTH = 80;
/** `--name VALUE` and its text, wrapped and indented under it. */
function helpEntry(flag, text) {
    const lines = [];
    let line = '';
    for (const word of text.split(/\s+/)) {
        if (line && 6 + line.length + 1 + word.length > HELP_WIDTH) {
            lines.push(line);
            line = word;
        }
        else
            line = line ? `${line} ${word}` : word;
    }
    if (line)
        lines.push(line);
    return [`  ${flag}`, ...lines.map(l => `      ${l}`)].join('\n');
}
/** action.yml's description of an input, in the command line's words: its inputs are flags here. */
function describeInput(input) {
    const notes = [input.required ? 'Required.' : '', input.default ? `Default: ${input.default}.` : '', input.name === 'dry-run' ? '--dry-run alone means true.' : ''].filter(Boolean);
    return inputsToFlags([input.description.replace(/`/g, ''), ...notes].join(' '));
}
const HELP = `webhook-redelivery: find failed GitHub webhook deliveries and redeliver them.

Usage:
  webhook-redelivery --target-type org --org acme --hook-id 123 --state-file ./state.json

The inputs of the action, as flags (described as in its action.yml). Outside a workflow run,
"the workflow's repository" is $GITHUB_REPOSITORY and the runner's GITHUB_API_URL is
$GITHUB_API_URL.

${INPUT_FLAGS.map(input => helpEntry(`${input.flag} VALUE`, describeInput(input))).join('\n')}

Flags of the command line:

${CLI_FLAGS.map(flag => helpEntry(`${flag.short ? `-${flag.short}, ` : ''}--${flag.name}${flag.value ? ` ${flag.value}` : ''}`, flag.help)).join('\n')}

Secrets come from the environment, never from flags:
  GITHUB_TOKEN                 token for org/repo hooks and the state variable
  GITHUB_APP_PRIVATE_KEY       the app's PEM private key (or --private-key-file PATH)

Exit codes: 0 done, 1 errors or bad input, 130/143 interrupted by SIGINT/SIGTERM
(the run stops before its next redelivery and still saves the bookmark and the report).
`;

;// CONCATENATED MODULE: ./src/core/metrics.ts

/**
 * The run's counts in the Prometheus text exposition format (0.0.4), for node_exporter's
 * textfile collector. Every value describes the last run, so every metric is a gauge: the
 * file is replaced by each run, and a counter would reset every time.
 */
const metrics_PREFIX = 'webhook_redelivery_';
/** The metrics text for a finished run. */
function renderMetrics(run, context) {
    const families = new Map();
    const add = (name, help, labels, value) => {
        let family = families.get(name);
        if (!family)
            families.set(name, (family = { name: metrics_PREFIX + name, help, samples: [] }));
        family.samples.push({ labels, value });
    };
    // Each hook's rows, found once: a fleet has a thousand hooks.
    const rowsOf = new Map();
    for (const row of run.rows) {
        const key = rowsKey(row.hookId, row.hook);
        const rows = rowsOf.get(key);
        if (rows)
            rows.push(row);
        else
            rowsOf.set(key, [row]);
    }
    for (const hook of run.hooks) {
        const labels = { target: context.target, hook_id: hookId(hook), hook: hook.hook.label };
        const rows = rowsOf.get(rowsKey(hook.hook.id ?? null, hook.hook.label)) ?? [];
        add('scanned_attempts', 'Delivery attempts the last run examined.', labels, hook.scanned);
        add('failed_deliveries', 'Distinct deliveries the last run found failing and due.', labels, hook.failed);
        add('redelivered_deliveries', 'Redelivery requests GitHub accepted in the last run.', labels, hook.redelivered);
        add('redelivery_errors', 'Redelivery requests that failed after retries in the last run; tried again next run.', labels, hook.errors);
        // Every skip reason, so each hook's series exist (at 0) before the first skip of a kind.
        const skipped = new Map(SKIP_REASONS.map(reason => [reason, 0]));
        for (const row of rows)
            if (row.result === 'skipped' && row.reason)
                skipped.set(row.reason, (skipped.get(row.reason) ?? 0) + 1);
        for (const [reason, count] of skipped) {
            add('skipped_deliveries', 'Failing deliveries the last run did not redeliver, by reason.', { ...labels, reason }, count);
        }
        add('given_up_deliveries', 'Deliveries the last run gave up (attempts used up, or past what GitHub can redeliver).', labels, hook.givenUp);
        add('receiver_down', "1 when the last run found the hook's receiver down (a ping or probe could not reach it): its failures wait and cost no attempt.", labels, hook.receiverDown?.verdict === 'down' ? 1 : 0);
        add('scan_failed', '1 when the last run could not scan the hook.', labels, hook.scanError ? 1 : 0);
        add('oldest_waiting_failure_age_seconds', 'Age, at the end of the last run, of the oldest failing delivery not yet redelivered successfully nor given up; 0 when none waits.', labels, oldestWaitingAgeSeconds(rows, run.finishedAt));
        const lastSuccess = Math.max(hook.lastSuccessAt ?? -Infinity, context.lastSuccessBefore?.get(hookId(hook)) ?? -Infinity);
        if (Number.isFinite(lastSuccess)) {
            add('last_success_timestamp_seconds', 'Newest successful delivery seen for the hook, in seconds since the epoch.', labels, Math.floor(lastSuccess / 1000));
        }
    }
    const runLabels = { target: context.target };
    add('last_run_timestamp_seconds', "When the last run finished (GitHub's clock), in seconds since the epoch.", runLabels, Math.floor(run.finishedAt / 1000));
    add('last_run_success', '1 when the last run finished without errors.', runLabels, run.failures.length === 0 ? 1 : 0);
    add('last_run_dry_run', '1 when the last run was a dry run: nothing was redelivered.', runLabels, run.dryRun ? 1 : 0);
    return renderFamilies(families.values());
}
/** The file for a run that could not finish: only the run-level gauges, so an alert on them fires. */
function renderFailedRunMetrics(context) {
    const labels = { target: context.target };
    return renderFamilies([
        {
            name: `${metrics_PREFIX}last_run_timestamp_seconds`,
            help: "When the last run finished (GitHub's clock), in seconds since the epoch.",
            samples: [{ labels, value: Math.floor(context.finishedAt / 1000) }]
        },
        { name: `${metrics_PREFIX}last_run_success`, help: '1 when the last run finished without errors.', samples: [{ labels, value: 0 }] }
    ]);
}
/**
 * The last-success times a previous file of ours recorded for this target, so a quiet run, which
 * lists no new success, does not make the series vanish. Lines it does not understand are ignored.
 */
function lastSuccessFromPreviousMetrics(text, target) {
    const found = new Map();
    const name = `${metrics_PREFIX}last_success_timestamp_seconds{`;
    for (const line of text.split('\n')) {
        if (!line.startsWith(name))
            continue;
        const parsed = parseLabels(line, name.length);
        if (!parsed || parsed.labels.target !== target || parsed.labels.hook_id === undefined)
            continue;
        const seconds = Number(line.slice(parsed.end).trim().split(' ')[0]);
        if (Number.isFinite(seconds) && seconds > 0)
            found.set(parsed.labels.hook_id, seconds * 1000);
    }
    return found;
}
/** Reads `name="value",...}` from `start`, undoing the escapes; undefined when malformed. */
function parseLabels(line, start) {
    const labels = {};
    let i = start;
    while (i < line.length) {
        if (line[i] === '}')
            return { labels, end: i + 1 };
        const eq = line.indexOf('="', i);
        if (eq < 0)
            return undefined;
        const name = line.slice(i, eq);
        let value = '';
        let j = eq + 2;
        for (; j < line.length && line[j] !== '"'; j++) {
            if (line[j] === '\\') {
                j++;
                value += line[j] === 'n' ? '\n' : line[j];
            }
            else
                value += line[j];
        }
        if (j >= line.length)
            return undefined;
        labels[name] = value;
        i = j + 1;
        if (line[i] === ',')
            i++;
    }
    return undefined;
}
/** The hook's label value: its id, or `app` for the app's single hook. */
function hookId(hook) {
    return hook.hook.id ?? hook.hook.key;
}
/** A report row belongs to the hook of the same id and label. */
function rowsKey(hookId, label) {
    return `${hookId ?? ''}\u0000${label}`;
}
/** Failures still waiting: everything but what was finished for good (given up, filtered, refused). */
function oldestWaitingAgeSeconds(rows, now) {
    let oldest = Infinity;
    for (const row of rows) {
        if (row.result === 'skipped' && row.reason !== undefined && FINAL_SKIPS.has(row.reason))
            continue;
        oldest = Math.min(oldest, Date.parse(row.firstDeliveredAt));
    }
    return Number.isFinite(oldest) ? Math.max(0, Math.floor((now - oldest) / 1000)) : 0;
}
function renderFamilies(families) {
    const lines = [];
    for (const family of families) {
        lines.push(`# HELP ${family.name} ${escapeHelp(family.help)}`, `# TYPE ${family.name} gauge`);
        for (const { labels, value } of family.samples)
            lines.push(`${family.name}{${renderLabels(labels)}} ${value}`);
    }
    return lines.join('\n') + '\n';
}
function renderLabels(labels) {
    return Object.entries(labels)
        .map(([name, value]) => `${name}="${escapeLabelValue(value)}"`)
        .join(',');
}
/** The format escapes backslash, double quote and line feed in label values. */
function escapeLabelValue(value) {
    return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}
/** HELP text escapes backslash and line feed (a quote stays as it is). */
function escapeHelp(text) {
    return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

;// CONCATENATED MODULE: ./src/cli/metrics-file.ts




/** `--metrics-file`: the run's counts for node_exporter's textfile collector, replaced atomically by each run. */
class MetricsFile {
    path;
    target;
    log;
    redact;
    constructor(path, target, log, redact) {
        this.path = path;
        this.target = target;
        this.log = log;
        this.redact = redact;
        // The collector reads only *.prom files; anything else is silently never scraped.
        if (!path.endsWith('.prom'))
            log.warning(`--metrics-file ${path}: node_exporter's textfile collector reads only files ending in .prom.`);
    }
    write(run) {
        this.save(renderMetrics(run, { target: this.target, lastSuccessBefore: lastSuccessFromPreviousMetrics(this.previous(), this.target) }));
    }
    /** The run could not finish: the run-level gauges say so, and an alert on them fires. */
    failed(at) {
        this.save(renderFailedRunMetrics({ target: this.target, finishedAt: at }));
    }
    previous() {
        try {
            return (0,external_node_fs_namespaceObject.readFileSync)(this.path, 'utf8');
        }
        catch {
            return '';
        }
    }
    // The redeliveries are done and the bookmark saved: metrics that cannot be written are a warning, not a failed run.
    save(text) {
        try {
            (0,external_node_fs_namespaceObject.mkdirSync)((0,external_node_path_namespaceObject.dirname)(this.path), { recursive: true });
            // Readable by the collector, which usually runs as another user.
            writeFileAtomically(this.path, this.redact(text), 0o644);
        }
        catch (error) {
            this.log.warning(`Could not write the metrics file ${this.path}: ${error.message}`);
        }
    }
}

;// CONCATENATED MODULE: ./src/cli/main.ts














const defaultStreams = {
    stdout: text => process.stdout.write(text),
    stderr: text => process.stderr.write(text),
    stderrIsTerminal: process.stderr.isTTY === true
};
/** Exit codes of a run interrupted by a signal: 128 + its number, as shells report it. */
const INTERRUPTED_EXIT_CODES = { SIGINT: 130, SIGTERM: 143 };
/**
 * Runs the command line; returns the exit code (0 done, 1 errors or bad input, 130/143
 * interrupted). `interrupt` is aborted, with the signal's name as reason, on SIGINT/SIGTERM.
 */
async function main(argv, env, streams = defaultStreams, interrupt) {
    const secrets = [];
    const redact = (text) => redactSecrets(text, secrets);
    // Errors and warnings leave through here: secrets blanked, inputs named as the flags they are here.
    const say = (message) => inputsToFlags(redact(message));
    const fail = (message) => {
        streams.stderr(`error: ${say(message)}\n`);
        return 1;
    };
    const parsed = parseCliArgs(argv);
    if (!parsed.ok)
        return fail(parsed.error);
    const options = parsed.options;
    if (options.help) {
        streams.stdout(HELP);
        return 0;
    }
    if (options.version) {
        streams.stdout(`${VERSION}\n`);
        return 0;
    }
    const inputs = { ...options.inputs };
    if (env.GITHUB_TOKEN)
        inputs.token = env.GITHUB_TOKEN;
    if (options.privateKeyFile) {
        try {
            inputs['private-key'] = (0,external_node_fs_namespaceObject.readFileSync)(options.privateKeyFile, 'utf8');
        }
        catch (error) {
            return fail(`--private-key-file: cannot read ${options.privateKeyFile}: ${error.message}`);
        }
    }
    else if (env.GITHUB_APP_PRIVATE_KEY) {
        inputs['private-key'] = env.GITHUB_APP_PRIVATE_KEY;
    }
    secrets.push(...secretInputs(inputs));
    if (options.stateFile && inputs['state-variable']) {
        return fail('--state-file and --state-variable both keep the bookmark: give one.');
    }
    const clash = sharedFile(options);
    if (clash)
        return fail(clash);
    const result = parseConfig(inputs, { GITHUB_API_URL: env.GITHUB_API_URL, GITHUB_REPOSITORY: env.GITHUB_REPOSITORY });
    if (!result.ok) {
        for (const message of result.errors)
            streams.stderr(`error: ${say(message)}\n`);
        // A reader of --json gets one object whenever the flags were understood: here, why nothing ran.
        if (options.json)
            streams.stdout(JSON.stringify({ failures: result.errors.map(say) }) + '\n');
        return 1;
    }
    const { config } = result;
    for (const warning of result.warnings)
        streams.stderr(`warning: ${say(warning)}\n`);
    const log = {
        info: message => streams.stderr(`${inputsToFlags(redact(message), { quotedOnly: true })}\n`),
        warning: message => streams.stderr(`warning: ${say(message)}\n`),
        debug: message => {
            if (options.debug)
                streams.stderr(`debug: ${redact(message)}\n`);
        }
    };
    const metrics = options.metricsFile ? new MetricsFile((0,external_node_path_namespaceObject.resolve)(options.metricsFile), describeTarget(config.target), log, redact) : undefined;
    let lock;
    // Once no other run holds the lock, a run that ends in an error is one the metrics must report.
    let started = false;
    try {
        let store;
        if (options.stateFile) {
            const path = (0,external_node_path_namespaceObject.resolve)(options.stateFile);
            const problem = unusableFilePath('--state-file', options.stateFile);
            if (problem)
                return fail(problem);
            (0,external_node_fs_namespaceObject.mkdirSync)((0,external_node_path_namespaceObject.dirname)(path), { recursive: true });
            // Beside the file a symlink leads to: two links to one state file share one lock.
            lock = new FileLock(`${linkTarget(path)}.lock`);
            lock.acquire();
            store = new FileStore(path);
        }
        started = true;
        if (streams.stderrIsTerminal)
            streams.stderr(`Scanning ${describeTarget(config.target)}...\n`);
        const run = await redeliverFailedDeliveries(config, {
            log,
            mask: secret => {
                if (!secrets.includes(secret))
                    secrets.push(secret);
            },
            store,
            signal: interrupt
        });
        // The redeliveries are done and the bookmark saved: a report that cannot be written is a warning, not a failed run.
        let reportPath = '';
        try {
            // Beside the state file under cron, else in the user's own directory: runs never pile up directories.
            reportPath = options.reportFile ? (0,external_node_path_namespaceObject.resolve)(options.reportFile) : options.stateFile ? `${(0,external_node_path_namespaceObject.resolve)(options.stateFile)}.report.json` : defaultReportPath(env.TMPDIR || (0,external_node_os_namespaceObject.tmpdir)());
            const problem = options.reportFile ? unusableFilePath('--report-file', options.reportFile) : undefined;
            if (problem)
                throw new Error(problem);
            (0,external_node_fs_namespaceObject.mkdirSync)((0,external_node_path_namespaceObject.dirname)(reportPath), { recursive: true });
            (0,external_node_fs_namespaceObject.writeFileSync)(reportPath, redact(JSON.stringify(buildReport(config.target, run), null, 2)) + '\n');
        }
        catch (error) {
            log.warning(`Could not write the report ${reportPath}: ${error.message}`);
            reportPath = '';
        }
        metrics?.write(run);
        // The action's output names, as `--json` promises, and what failed the run: the counts alone can read as success.
        const outputs = { ...outputsOf(run.totals, reportPath), failures: run.failures.map(redact) };
        if (options.json)
            streams.stdout(JSON.stringify(outputs) + '\n');
        else {
            const t = run.totals;
            const notScanned = run.hooks.filter(h => h.scanError).length;
            const scanGaps = notScanned > 0 ? ` ${notScanned} of ${plural(run.hooks.length, 'hook')} could not be scanned.` : '';
            streams.stdout(`${run.dryRun ? 'Dry run: ' : ''}scanned ${plural(t.scanned, 'attempt')}; ${t.failed} failing: ${t.redelivered} redelivered, ${t.skipped} skipped, ${plural(t.errors, 'error')}${t.givenUp > 0 ? `; ${t.givenUp} given up` : ''}${t.receiversDown > 0 ? `; ${plural(t.receiversDown, 'receiver')} down` : ''}.${scanGaps}${reportPath ? `\nReport: ${reportPath}` : ''}\n`);
        }
        const failures = stepFailures(run, config.failOn);
        for (const failure of run.failures)
            if (!failures.includes(failure))
                streams.stderr(`warning: ${say(failure)}\n`);
        for (const failure of failures)
            streams.stderr(`error: ${say(failure)}\n`);
        if (interrupt?.aborted)
            return INTERRUPTED_EXIT_CODES[String(interrupt.reason)] ?? 1;
        return failures.length > 0 ? 1 : 0;
    }
    catch (error) {
        if (started)
            metrics?.failed(Date.now());
        const message = stoppedBecause(error);
        // A reader of --json gets one object on every run that got going: here, only why it stopped.
        if (options.json)
            streams.stdout(JSON.stringify({ failures: [say(message)] }) + '\n');
        return fail(message);
    }
    finally {
        lock?.release();
    }
}
/**
 * Why a file cannot be written at `given` (a --flag's path), or undefined: a directory
 * there, or a regular file where a directory of its path must be.
 */
function unusableFilePath(flag, given) {
    const path = (0,external_node_path_namespaceObject.resolve)(given);
    if (statOrUndefined(path)?.isDirectory())
        return `${flag} ${given} is a directory: give the path of a file (in it, or elsewhere).`;
    for (let dir = (0,external_node_path_namespaceObject.dirname)(path); dir !== (0,external_node_path_namespaceObject.dirname)(dir); dir = (0,external_node_path_namespaceObject.dirname)(dir)) {
        const stat = statOrUndefined(dir);
        if (!stat)
            continue;
        if (!stat.isDirectory())
            return `${flag} ${given} cannot be created: ${dir} is a file, not a directory.`;
        return undefined;
    }
    return undefined;
}
function statOrUndefined(path) {
    try {
        return (0,external_node_fs_namespaceObject.statSync)(path);
    }
    catch {
        return undefined;
    }
}
/**
 * A file the run writes must not be one it keeps or reads: a report written over the state
 * file would replace the bookmark every run. Paths are compared as the files they lead to.
 */
function sharedFile(options) {
    const file = (path) => {
        try {
            return linkTarget(path);
        }
        catch {
            return (0,external_node_path_namespaceObject.resolve)(path);
        }
    };
    const kept = [];
    if (options.stateFile) {
        kept.push({ flag: '--state-file', path: file(options.stateFile), what: 'the bookmark' });
        kept.push({ flag: '--state-file', path: `${file(options.stateFile)}.lock`, what: 'the lock beside the state file' });
    }
    if (options.privateKeyFile)
        kept.push({ flag: '--private-key-file', path: file(options.privateKeyFile), what: 'the private key' });
    const written = [
        ...(options.reportFile ? [{ flag: '--report-file', path: file(options.reportFile), what: 'the report' }] : []),
        ...(options.stateFile ? [{ flag: '--state-file', path: file(options.stateFile), what: 'the bookmark' }] : [])
    ];
    for (const out of written) {
        const other = kept.find(k => k.path === out.path && k.what !== out.what);
        if (other) {
            return `${out.flag} and ${other.flag} lead to the same file (${out.path}): ${out.what} would overwrite ${other.what}. Give ${out.flag} another path.`;
        }
    }
    return undefined;
}


/***/ }),

/***/ 2613:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("assert");

/***/ }),

/***/ 2053:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("events");

/***/ }),

/***/ 8611:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("http");

/***/ }),

/***/ 5692:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("https");

/***/ }),

/***/ 9278:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("net");

/***/ }),

/***/ 4589:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:assert");

/***/ }),

/***/ 6698:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:async_hooks");

/***/ }),

/***/ 4573:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:buffer");

/***/ }),

/***/ 7540:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:console");

/***/ }),

/***/ 7598:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:crypto");

/***/ }),

/***/ 3053:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:diagnostics_channel");

/***/ }),

/***/ 610:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:dns");

/***/ }),

/***/ 8474:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:events");

/***/ }),

/***/ 7067:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:http");

/***/ }),

/***/ 2467:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:http2");

/***/ }),

/***/ 7030:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:net");

/***/ }),

/***/ 643:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:perf_hooks");

/***/ }),

/***/ 1792:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:querystring");

/***/ }),

/***/ 7075:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:stream");

/***/ }),

/***/ 1692:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:tls");

/***/ }),

/***/ 3136:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:url");

/***/ }),

/***/ 7975:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:util");

/***/ }),

/***/ 3429:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:util/types");

/***/ }),

/***/ 5919:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:worker_threads");

/***/ }),

/***/ 8522:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:zlib");

/***/ }),

/***/ 3193:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("string_decoder");

/***/ }),

/***/ 4756:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("tls");

/***/ }),

/***/ 9023:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("util");

/***/ }),

/***/ 6919:
/***/ ((__unused_webpack_module, exports) => {

var __webpack_unused_export__;

/*!
 * content-type
 * Copyright(c) 2015 Douglas Christopher Wilson
 * MIT Licensed
 */
__webpack_unused_export__ = ({ value: true });
__webpack_unused_export__ = format;
exports.qg = parse;
const TEXT_REGEXP = /^[\u0009\u0020-\u007e\u0080-\u00ff]*$/;
const TOKEN_REGEXP = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/**
 * RegExp to match chars that must be quoted-pair in RFC 9110 sec 5.6.4
 */
const QUOTE_REGEXP = /[\\"]/g;
/**
 * RegExp to match type in RFC 9110 sec 8.3.1
 *
 * media-type = type "/" subtype
 * type       = token
 * subtype    = token
 */
const TYPE_REGEXP = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+\/[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/**
 * Null object perf optimization. Faster than `Object.create(null)` and `{ __proto__: null }`.
 */
const NullObject = /* @__PURE__ */ (() => {
    const C = function () { };
    C.prototype = Object.create(null);
    return C;
})();
/**
 * Format an object into a `Content-Type` header.
 */
function format(obj) {
    const { type, parameters } = obj;
    if (!type || !TYPE_REGEXP.test(type)) {
        throw new TypeError(`Invalid type: ${type}`);
    }
    let result = type;
    if (parameters) {
        for (const param of Object.keys(parameters)) {
            if (!TOKEN_REGEXP.test(param)) {
                throw new TypeError(`Invalid parameter name: ${param}`);
            }
            result += `; ${param}=${qstring(parameters[param])}`;
        }
    }
    return result;
}
/**
 * Parse a `Content-Type` header.
 */
function parse(header, options) {
    const stopChar = options?.comma === true ? COMMA : 65536; // Sentinel for "no stop char".
    const len = header.length;
    let index = skipOWS(header, options?.start ?? 0, len);
    const valueStart = index;
    index = skipValue(header, index, len, stopChar);
    const valueEnd = trailingOWS(header, valueStart, index);
    const type = header.slice(valueStart, valueEnd).toLowerCase();
    if (options?.parameters === false) {
        return { type, index, parameters: new NullObject() };
    }
    return parseParameters(header, type, index, len, stopChar);
}
const SP = 32; // " "
const HTAB = 9; // "\t"
const SEMI = 59; // ";"
const EQ = 61; // "="
const DQUOTE = 34; // '"'
const BSLASH = 92; // "\\"
const COMMA = 44; // ","
/**
 * Parses the parameters of a `Content-Type` header starting at the given index.
 */
function parseParameters(header, type, index, len, stopChar) {
    const parameters = new NullObject();
    parameter: while (index < len) {
        if (header.charCodeAt(index) === stopChar)
            break;
        index = skipOWS(header, index + 1 /* Skip over ; */, len);
        const keyStart = index;
        while (index < len) {
            const code = header.charCodeAt(index);
            if (code === stopChar)
                break parameter;
            if (code === SEMI)
                continue parameter;
            if (code === EQ) {
                const keyEnd = trailingOWS(header, keyStart, index);
                const key = header.slice(keyStart, keyEnd).toLowerCase();
                index = skipOWS(header, index + 1, len);
                if (index < len && header.charCodeAt(index) === DQUOTE) {
                    index++;
                    let value = "";
                    while (index < len) {
                        const code = header.charCodeAt(index++);
                        if (code === DQUOTE) {
                            index = skipValue(header, index, len, stopChar);
                            if (parameters[key] === undefined)
                                parameters[key] = value;
                            break;
                        }
                        if (code === BSLASH && index < len) {
                            value += header[index++];
                            continue;
                        }
                        value += String.fromCharCode(code);
                    }
                    continue parameter;
                }
                const valueStart = index;
                index = skipValue(header, index, len, stopChar);
                if (parameters[key] === undefined) {
                    const valueEnd = trailingOWS(header, valueStart, index);
                    parameters[key] = header.slice(valueStart, valueEnd);
                }
                continue parameter;
            }
            index++;
        }
    }
    return { type, index, parameters };
}
/**
 * Skip over characters until a semicolon or other exit character.
 */
function skipValue(str, index, len, stopChar) {
    while (index < len) {
        const code = str.charCodeAt(index);
        if (code === SEMI || code === stopChar)
            break;
        index++;
    }
    return index;
}
/**
 * Skip optional whitespace (OWS) in an HTTP header value.
 *
 * OWS is defined in RFC 9110 sec 5.6.3 as SP (" ") or HTAB ("\t").
 */
function skipOWS(header, index, len) {
    while (index < len) {
        const char = header.charCodeAt(index);
        if (char !== SP && char !== HTAB)
            break;
        index++;
    }
    return index;
}
/**
 * Trim optional whitespace (OWS) from the end of a substring.
 *
 * OWS is defined in RFC 9110 sec 5.6.3 as SP (" ") or HTAB ("\t").
 */
function trailingOWS(header, start, end) {
    while (end > start) {
        const char = header.charCodeAt(end - 1);
        if (char !== SP && char !== HTAB)
            break;
        end--;
    }
    return end;
}
/**
 * Serialize a parameter value.
 */
function qstring(str) {
    if (TOKEN_REGEXP.test(str))
        return str;
    if (TEXT_REGEXP.test(str))
        return `"${str.replace(QUOTE_REGEXP, "\\$&")}"`;
    throw new TypeError(`Invalid parameter value: ${str}`);
}
//# sourceMappingURL=index.js.map

/***/ }),

/***/ 9783:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   s: () => (/* binding */ getProxyUrl)
/* harmony export */ });
/* unused harmony export checkBypass */
function getProxyUrl(reqUrl) {
    const usingSsl = reqUrl.protocol === 'https:';
    if (checkBypass(reqUrl)) {
        return undefined;
    }
    const proxyVar = (() => {
        if (usingSsl) {
            return process.env['https_proxy'] || process.env['HTTPS_PROXY'];
        }
        else {
            return process.env['http_proxy'] || process.env['HTTP_PROXY'];
        }
    })();
    if (proxyVar) {
        try {
            return new DecodedURL(proxyVar);
        }
        catch (_a) {
            if (!proxyVar.startsWith('http://') && !proxyVar.startsWith('https://'))
                return new DecodedURL(`http://${proxyVar}`);
        }
    }
    else {
        return undefined;
    }
}
function checkBypass(reqUrl) {
    if (!reqUrl.hostname) {
        return false;
    }
    const reqHost = reqUrl.hostname;
    if (isLoopbackAddress(reqHost)) {
        return true;
    }
    const noProxy = process.env['no_proxy'] || process.env['NO_PROXY'] || '';
    if (!noProxy) {
        return false;
    }
    // Determine the request port
    let reqPort;
    if (reqUrl.port) {
        reqPort = Number(reqUrl.port);
    }
    else if (reqUrl.protocol === 'http:') {
        reqPort = 80;
    }
    else if (reqUrl.protocol === 'https:') {
        reqPort = 443;
    }
    // Format the request hostname and hostname with port
    const upperReqHosts = [reqUrl.hostname.toUpperCase()];
    if (typeof reqPort === 'number') {
        upperReqHosts.push(`${upperReqHosts[0]}:${reqPort}`);
    }
    // Compare request host against noproxy
    for (const upperNoProxyItem of noProxy
        .split(',')
        .map(x => x.trim().toUpperCase())
        .filter(x => x)) {
        if (upperNoProxyItem === '*' ||
            upperReqHosts.some(x => x === upperNoProxyItem ||
                x.endsWith(`.${upperNoProxyItem}`) ||
                (upperNoProxyItem.startsWith('.') &&
                    x.endsWith(`${upperNoProxyItem}`)))) {
            return true;
        }
    }
    return false;
}
function isLoopbackAddress(host) {
    const hostLower = host.toLowerCase();
    return (hostLower === 'localhost' ||
        hostLower.startsWith('127.') ||
        hostLower.startsWith('[::1]') ||
        hostLower.startsWith('[0:0:0:0:0:0:0:1]'));
}
class DecodedURL extends URL {
    constructor(url, base) {
        super(url, base);
        this._decodedUsername = decodeURIComponent(super.username);
        this._decodedPassword = decodeURIComponent(super.password);
    }
    get username() {
        return this._decodedUsername;
    }
    get password() {
        return this._decodedPassword;
    }
}
//# sourceMappingURL=proxy.js.map

/***/ }),

/***/ 1015:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   G: () => (/* binding */ RequestError)
/* harmony export */ });
class RequestError extends Error {
  name;
  /**
   * http status code
   */
  status;
  /**
   * Request options that lead to the error.
   */
  request;
  /**
   * Response object if a response was received
   */
  response;
  constructor(message, statusCode, options) {
    super(message, { cause: options.cause });
    this.name = "HttpError";
    this.status = Number.parseInt(statusCode);
    if (Number.isNaN(this.status)) {
      this.status = 0;
    }
    /* v8 ignore else -- @preserve -- Bug with vitest coverage where it sees an else branch that doesn't exist */
    if ("response" in options) {
      this.response = options.response;
    }
    const requestCopy = Object.assign({}, options.request);
    if (options.request.headers.authorization) {
      requestCopy.headers = Object.assign({}, options.request.headers, {
        authorization: options.request.headers.authorization.replace(
          /(?<! ) .*$/,
          " [REDACTED]"
        )
      });
    }
    requestCopy.url = requestCopy.url.replace(/\bclient_secret=\w+/g, "client_secret=[REDACTED]").replace(/\baccess_token=\w+/g, "access_token=[REDACTED]");
    this.request = requestCopy;
  }
}



/***/ }),

/***/ 4434:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __nccwpck_require__) => {


// EXPORTS
__nccwpck_require__.d(__webpack_exports__, {
  E: () => (/* binding */ request)
});

// EXTERNAL MODULE: ./node_modules/universal-user-agent/index.js
var universal_user_agent = __nccwpck_require__(6396);
;// CONCATENATED MODULE: ./node_modules/@octokit/endpoint/dist-bundle/index.js
// pkg/dist-src/defaults.js


// pkg/dist-src/version.js
var VERSION = "0.0.0-development";

// pkg/dist-src/defaults.js
var userAgent = `octokit-endpoint.js/${VERSION} ${(0,universal_user_agent/* getUserAgent */.$)()}`;
var DEFAULTS = {
  method: "GET",
  baseUrl: "https://api.github.com",
  headers: {
    accept: "application/vnd.github.v3+json",
    "user-agent": userAgent
  },
  mediaType: {
    format: ""
  }
};

// pkg/dist-src/util/lowercase-keys.js
function lowercaseKeys(object) {
  if (!object) {
    return {};
  }
  return Object.keys(object).reduce((newObj, key) => {
    newObj[key.toLowerCase()] = object[key];
    return newObj;
  }, {});
}

// pkg/dist-src/util/is-plain-object.js
function isPlainObject(value) {
  if (typeof value !== "object" || value === null) return false;
  if (Object.prototype.toString.call(value) !== "[object Object]") return false;
  const proto = Object.getPrototypeOf(value);
  if (proto === null) return true;
  const Ctor = Object.prototype.hasOwnProperty.call(proto, "constructor") && proto.constructor;
  return typeof Ctor === "function" && Ctor instanceof Ctor && Function.prototype.call(Ctor) === Function.prototype.call(value);
}

// pkg/dist-src/util/merge-deep.js
function mergeDeep(defaults, options) {
  const result = Object.assign({}, defaults);
  Object.keys(options).forEach((key) => {
    if (isPlainObject(options[key])) {
      if (!(key in defaults)) Object.assign(result, { [key]: options[key] });
      else result[key] = mergeDeep(defaults[key], options[key]);
    } else {
      Object.assign(result, { [key]: options[key] });
    }
  });
  return result;
}

// pkg/dist-src/util/remove-undefined-properties.js
function removeUndefinedProperties(obj) {
  for (const key in obj) {
    if (obj[key] === void 0) {
      delete obj[key];
    }
  }
  return obj;
}

// pkg/dist-src/merge.js
function merge(defaults, route, options) {
  if (typeof route === "string") {
    let [method, url] = route.split(" ");
    options = Object.assign(url ? { method, url } : { url: method }, options);
  } else {
    options = Object.assign({}, route);
  }
  options.headers = lowercaseKeys(options.headers);
  removeUndefinedProperties(options);
  removeUndefinedProperties(options.headers);
  const mergedOptions = mergeDeep(defaults || {}, options);
  if (options.url === "/graphql") {
    if (defaults && defaults.mediaType.previews?.length) {
      mergedOptions.mediaType.previews = defaults.mediaType.previews.filter(
        (preview) => !mergedOptions.mediaType.previews.includes(preview)
      ).concat(mergedOptions.mediaType.previews);
    }
    mergedOptions.mediaType.previews = (mergedOptions.mediaType.previews || []).map((preview) => preview.replace(/-preview/, ""));
  }
  return mergedOptions;
}

// pkg/dist-src/util/add-query-parameters.js
function addQueryParameters(url, parameters) {
  const separator = /\?/.test(url) ? "&" : "?";
  const names = Object.keys(parameters);
  if (names.length === 0) {
    return url;
  }
  return url + separator + names.map((name) => {
    if (name === "q") {
      return "q=" + parameters.q.split("+").map(encodeURIComponent).join("+");
    }
    return `${name}=${encodeURIComponent(parameters[name])}`;
  }).join("&");
}

// pkg/dist-src/util/extract-url-variable-names.js
var urlVariableRegex = /\{[^{}}]+\}/g;
function removeNonChars(variableName) {
  return variableName.replace(/(?:^\W+)|(?:(?<!\W)\W+$)/g, "").split(/,/);
}
function extractUrlVariableNames(url) {
  const matches = url.match(urlVariableRegex);
  if (!matches) {
    return [];
  }
  return matches.map(removeNonChars).reduce((a, b) => a.concat(b), []);
}

// pkg/dist-src/util/omit.js
function omit(object, keysToOmit) {
  const result = { __proto__: null };
  for (const key of Object.keys(object)) {
    if (keysToOmit.indexOf(key) === -1) {
      result[key] = object[key];
    }
  }
  return result;
}

// pkg/dist-src/util/url-template.js
function encodeReserved(str) {
  return str.split(/(%[0-9A-Fa-f]{2})/g).map(function(part) {
    if (!/%[0-9A-Fa-f]/.test(part)) {
      part = encodeURI(part).replace(/%5B/g, "[").replace(/%5D/g, "]");
    }
    return part;
  }).join("");
}
function encodeUnreserved(str) {
  return encodeURIComponent(str).replace(/[!'()*]/g, function(c) {
    return "%" + c.charCodeAt(0).toString(16).toUpperCase();
  });
}
function encodeValue(operator, value, key) {
  value = operator === "+" || operator === "#" ? encodeReserved(value) : encodeUnreserved(value);
  if (key) {
    return encodeUnreserved(key) + "=" + value;
  } else {
    return value;
  }
}
function isDefined(value) {
  return value !== void 0 && value !== null;
}
function isKeyOperator(operator) {
  return operator === ";" || operator === "&" || operator === "?";
}
function getValues(context, operator, key, modifier) {
  var value = context[key], result = [];
  if (isDefined(value) && value !== "") {
    if (typeof value === "string" || typeof value === "number" || typeof value === "bigint" || typeof value === "boolean") {
      value = value.toString();
      if (modifier && modifier !== "*") {
        value = value.substring(0, parseInt(modifier, 10));
      }
      result.push(
        encodeValue(operator, value, isKeyOperator(operator) ? key : "")
      );
    } else {
      if (modifier === "*") {
        if (Array.isArray(value)) {
          value.filter(isDefined).forEach(function(value2) {
            result.push(
              encodeValue(operator, value2, isKeyOperator(operator) ? key : "")
            );
          });
        } else {
          Object.keys(value).forEach(function(k) {
            if (isDefined(value[k])) {
              result.push(encodeValue(operator, value[k], k));
            }
          });
        }
      } else {
        const tmp = [];
        if (Array.isArray(value)) {
          value.filter(isDefined).forEach(function(value2) {
            tmp.push(encodeValue(operator, value2));
          });
        } else {
          Object.keys(value).forEach(function(k) {
            if (isDefined(value[k])) {
              tmp.push(encodeUnreserved(k));
              tmp.push(encodeValue(operator, value[k].toString()));
            }
          });
        }
        if (isKeyOperator(operator)) {
          result.push(encodeUnreserved(key) + "=" + tmp.join(","));
        } else if (tmp.length !== 0) {
          result.push(tmp.join(","));
        }
      }
    }
  } else {
    if (operator === ";") {
      if (isDefined(value)) {
        result.push(encodeUnreserved(key));
      }
    } else if (value === "" && (operator === "&" || operator === "?")) {
      result.push(encodeUnreserved(key) + "=");
    } else if (value === "") {
      result.push("");
    }
  }
  return result;
}
function parseUrl(template) {
  return {
    expand: expand.bind(null, template)
  };
}
function expand(template, context) {
  var operators = ["+", "#", ".", "/", ";", "?", "&"];
  template = template.replace(
    /\{([^\{\}]+)\}|([^\{\}]+)/g,
    function(_, expression, literal) {
      if (expression) {
        let operator = "";
        const values = [];
        if (operators.indexOf(expression.charAt(0)) !== -1) {
          operator = expression.charAt(0);
          expression = expression.substr(1);
        }
        expression.split(/,/g).forEach(function(variable) {
          var tmp = /([^:\*]*)(?::(\d+)|(\*))?/.exec(variable);
          values.push(getValues(context, operator, tmp[1], tmp[2] || tmp[3]));
        });
        if (operator && operator !== "+") {
          var separator = ",";
          if (operator === "?") {
            separator = "&";
          } else if (operator !== "#") {
            separator = operator;
          }
          return (values.length !== 0 ? operator : "") + values.join(separator);
        } else {
          return values.join(",");
        }
      } else {
        return encodeReserved(literal);
      }
    }
  );
  if (template === "/") {
    return template;
  } else {
    return template.replace(/\/$/, "");
  }
}

// pkg/dist-src/parse.js
function parse(options) {
  let method = options.method.toUpperCase();
  let url = (options.url || "/").replace(/:([a-z]\w+)/g, "{$1}");
  let headers = Object.assign({}, options.headers);
  let body;
  let parameters = omit(options, [
    "method",
    "baseUrl",
    "url",
    "headers",
    "request",
    "mediaType"
  ]);
  const urlVariableNames = extractUrlVariableNames(url);
  url = parseUrl(url).expand(parameters);
  if (!/^http/.test(url)) {
    url = options.baseUrl + url;
  }
  const omittedParameters = Object.keys(options).filter((option) => urlVariableNames.includes(option)).concat("baseUrl");
  const remainingParameters = omit(parameters, omittedParameters);
  const isBinaryRequest = /application\/octet-stream/i.test(headers.accept);
  if (!isBinaryRequest) {
    if (options.mediaType.format) {
      headers.accept = headers.accept.split(/,/).map(
        (format) => format.replace(
          /application\/vnd(\.\w+)(\.v3)?(\.\w+)?(\+json)?$/,
          `application/vnd$1$2.${options.mediaType.format}`
        )
      ).join(",");
    }
    if (url.endsWith("/graphql")) {
      if (options.mediaType.previews?.length) {
        const previewsFromAcceptHeader = headers.accept.match(/(?<![\w-])[\w-]+(?=-preview)/g) || [];
        headers.accept = previewsFromAcceptHeader.concat(options.mediaType.previews).map((preview) => {
          const format = options.mediaType.format ? `.${options.mediaType.format}` : "+json";
          return `application/vnd.github.${preview}-preview${format}`;
        }).join(",");
      }
    }
  }
  if (["GET", "HEAD"].includes(method)) {
    url = addQueryParameters(url, remainingParameters);
  } else {
    if ("data" in remainingParameters) {
      body = remainingParameters.data;
    } else {
      if (Object.keys(remainingParameters).length) {
        body = remainingParameters;
      }
    }
  }
  if (!headers["content-type"] && typeof body !== "undefined") {
    headers["content-type"] = "application/json; charset=utf-8";
  }
  if (["PATCH", "PUT"].includes(method) && typeof body === "undefined") {
    body = "";
  }
  return Object.assign(
    { method, url, headers },
    typeof body !== "undefined" ? { body } : null,
    options.request ? { request: options.request } : null
  );
}

// pkg/dist-src/endpoint-with-defaults.js
function endpointWithDefaults(defaults, route, options) {
  return parse(merge(defaults, route, options));
}

// pkg/dist-src/with-defaults.js
function withDefaults(oldDefaults, newDefaults) {
  const DEFAULTS2 = merge(oldDefaults, newDefaults);
  const endpoint2 = endpointWithDefaults.bind(null, DEFAULTS2);
  return Object.assign(endpoint2, {
    DEFAULTS: DEFAULTS2,
    defaults: withDefaults.bind(null, DEFAULTS2),
    merge: merge.bind(null, DEFAULTS2),
    parse
  });
}

// pkg/dist-src/index.js
var endpoint = withDefaults(null, DEFAULTS);


// EXTERNAL MODULE: ./node_modules/@octokit/request/node_modules/content-type/dist/index.js
var dist = __nccwpck_require__(6919);
;// CONCATENATED MODULE: ./node_modules/json-with-bigint/json-with-bigint.js
const intRegex = /^-?\d+$/;
const noiseValue = /^-?\d+n+$/; // Noise - strings that match the custom format before being converted to it
const originalStringify = JSON.stringify;
const originalParse = JSON.parse;
const customFormat = /^-?\d+n$/;

const bigIntsStringify = /([\[:])?"(-?\d+)n"($|\s*[,\}\]])/g;
const noiseStringify = /([\[:])?("-?\d+n+)n("$|"\s*[,\}\]])/g;

/**
 * @typedef {(this: any, key: string | number | undefined, value: any) => any} Replacer
 * @typedef {(key: string | number | undefined, value: any, context?: { source: string }) => any} Reviver
 */

/**
 * Checks if a value is unstringifiable according to native JSON.stringify rules.
 *
 * @param {any} val The value to check.
 * @returns {boolean} True if the value is undefined, a function, or a symbol.
 */
const isUnstringifiable = (val) =>
  val === undefined || typeof val === "function" || typeof val === "symbol";

/**
 * Checks if a value is a native JSON.rawJSON object (Node.js 22+).
 *
 * @param {any} val The value to check.
 * @returns {boolean} True if the value is a RawJSON instance.
 */
const isRawJSON = (val) =>
  val !== null &&
  typeof val === "object" &&
  val.constructor &&
  val.constructor.name === "RawJSON";

/**
 * Iteratively converts a JS value to a JSON string.
 * Used as a fallback when the native JSON.stringify hits the Maximum Call Stack size.
 * Fully compliant with JSON formatting (space), replacers, and toJSON behaviors.
 *
 * @param {any} rootValue The value to stringify.
 * @param {Replacer | Array<string | number> | null} [replacer] User's custom replacer function.
 * @param {string | number} [spaceParam] Indentation for pretty-printing.
 * @returns {string | undefined} The generated JSON string.
 */
const stringifyIteratively = (rootValue, replacer, spaceParam) => {
  let space = "";

  if (typeof spaceParam === "number") {
    space = " ".repeat(Math.min(10, Math.max(0, Math.floor(spaceParam))));
  } else if (typeof spaceParam === "string") {
    space = spaceParam.slice(0, 10);
  }

  const isFunctionReplacer = typeof replacer === "function";
  const propertyList = Array.isArray(replacer)
    ? new Set(replacer.map(String))
    : null;

  /**
   * Prepares a value for stringification by resolving toJSON, handling BigInts,
   * applying custom replacers, and unwrapping primitive objects.
   *
   * @param {object|Array} parent The parent object or array holding the value.
   * @param {string} key The key associated with the value.
   * @param {any} val The raw value to process.
   * @returns {any} The processed value ready for stringification.
   */
  const prepareVal = (parent, key, val) => {
    const isObject = val !== null && typeof val === "object";
    const hasToJSON = isObject && typeof val.toJSON === "function";

    if (hasToJSON) {
      val = val.toJSON(key);
    }

    const isNoise = typeof val === "string" && noiseValue.test(val);

    if (isNoise) return val + "n";

    const isBigInt = typeof val === "bigint";

    if (isBigInt) {
      const supportsRawJSON = "rawJSON" in JSON;

      if (supportsRawJSON) return JSON.rawJSON(val.toString());

      return val.toString() + "n";
    }

    if (isFunctionReplacer) {
      val = replacer.call(parent, key, val);
    }

    const isPostReplacerObject = val !== null && typeof val === "object";

    if (isPostReplacerObject) {
      const isPrimitiveWrapper =
        val instanceof Number ||
        val instanceof String ||
        val instanceof Boolean;

      if (isPrimitiveWrapper) {
        val = val.valueOf();
      }
    }

    return val;
  };

  const rootProcessed = prepareVal({ "": rootValue }, "", rootValue);

  if (isUnstringifiable(rootProcessed)) {
    return undefined;
  }

  const isRootPrimitive =
    rootProcessed === null || typeof rootProcessed !== "object";
  const isRootNativeRawJSON = isRawJSON(rootProcessed);

  if (isRootPrimitive || isRootNativeRawJSON) {
    return originalStringify(rootProcessed);
  }

  const chunks = [];
  let level = 0;

  const stack = [
    {
      parent: { "": rootProcessed },
      key: "",
      val: rootProcessed,
      isArray: Array.isArray(rootProcessed),
      keys: Array.isArray(rootProcessed) ? null : Object.keys(rootProcessed),
      index: 0,
      first: true,
    },
  ];

  const visited = new WeakSet([rootProcessed]);

  while (stack.length > 0) {
    const node = stack[stack.length - 1];

    if (node.index === 0) {
      chunks.push(node.isArray ? "[" : "{");
      level++;
    }

    let isDone = false;

    if (node.isArray) {
      if (node.index < node.val.length) {
        if (!node.first) chunks.push(",");

        if (space) chunks.push("\n" + space.repeat(level));

        const childRaw = node.val[node.index];
        const childVal = prepareVal(node.val, String(node.index), childRaw);

        if (isUnstringifiable(childVal)) {
          chunks.push("null");
          node.first = false;
          node.index++;
        } else {
          const isComplexObject =
            childVal !== null && typeof childVal === "object";
          const isNativeRaw = isRawJSON(childVal);

          if (isComplexObject && !isNativeRaw) {
            if (visited.has(childVal)) {
              throw new TypeError("Converting circular structure to JSON");
            }

            visited.add(childVal);

            stack.push({
              parent: node.val,
              key: String(node.index),
              val: childVal,
              isArray: Array.isArray(childVal),
              keys: Array.isArray(childVal) ? null : Object.keys(childVal),
              index: 0,
              first: true,
            });

            node.first = false;
            node.index++;
          } else {
            chunks.push(originalStringify(childVal));
            node.first = false;
            node.index++;
          }
        }
      } else {
        isDone = true;
      }
    } else {
      while (node.index < node.keys.length) {
        const k = node.keys[node.index++];

        const isFilteredOutByArray = propertyList && !propertyList.has(k);

        if (isFilteredOutByArray) continue;

        const childRaw = node.val[k];
        const childVal = prepareVal(node.val, k, childRaw);

        if (isUnstringifiable(childVal)) continue;

        if (!node.first) chunks.push(",");

        if (space) {
          chunks.push("\n" + space.repeat(level) + originalStringify(k) + ": ");
        } else {
          chunks.push(originalStringify(k) + ":");
        }

        const isComplexObject =
          childVal !== null && typeof childVal === "object";
        const isNativeRaw = isRawJSON(childVal);

        if (isComplexObject && !isNativeRaw) {
          if (visited.has(childVal)) {
            throw new TypeError("Converting circular structure to JSON");
          }

          visited.add(childVal);

          stack.push({
            parent: node.val,
            key: k,
            val: childVal,
            isArray: Array.isArray(childVal),
            keys: Array.isArray(childVal) ? null : Object.keys(childVal),
            index: 0,
            first: true,
          });

          node.first = false;

          break; // Stop current loop level to process the newly pushed stack node
        } else {
          chunks.push(originalStringify(childVal));
          node.first = false;
        }
      }

      const isNodeFullyProcessed =
        node.index >= node.keys.length && stack[stack.length - 1] === node;

      if (isNodeFullyProcessed) {
        isDone = true;
      }
    }

    if (isDone) {
      level--;

      if (!node.first && space) chunks.push("\n" + space.repeat(level));

      chunks.push(node.isArray ? "]" : "}");
      visited.delete(node.val);
      stack.pop();
    }
  }

  return chunks.join("");
};

/**
 * Converts a JavaScript value to a JSON string.
 *
 * Supports serialization of BigInt values using two strategies:
 * 1. Custom format "123n" → "123" (universal fallback)
 * 2. Native JSON.rawJSON() (Node.js 22+, fastest) when available
 *
 * All other values are serialized exactly like native JSON.stringify().
 *
 * @param {*} value The value to convert to a JSON string.
 * @param {Replacer | Array<string | number> | null} [replacer]
 * A function that alters the behavior of the stringification process,
 * or an array of strings/numbers to indicate properties to exclude.
 * @param {string | number} [space]
 * A string or number to specify indentation or pretty-printing.
 * @returns {string} The JSON string representation.
 */
const JSONStringify = (value, replacer, space) => {
  try {
    const supportsRawJSON = "rawJSON" in JSON;

    if (supportsRawJSON) {
      return originalStringify(
        value,
        (key, val) => {
          if (typeof val === "bigint") return JSON.rawJSON(val.toString());

          const hasFunctionReplacer = typeof replacer === "function";

          if (hasFunctionReplacer) return replacer(key, val);

          const isKeyInArrayReplacer =
            Array.isArray(replacer) && replacer.includes(key);

          if (isKeyInArrayReplacer) return val;

          return val;
        },
        space,
      );
    }

    if (!value) return originalStringify(value, replacer, space);

    const convertedToCustomJSON = originalStringify(
      value,
      (key, val) => {
        const isNoise = typeof val === "string" && noiseValue.test(val);

        if (isNoise) return val.toString() + "n"; // Mark noise values with additional "n" to offset the deletion of one "n" during the processing

        if (typeof val === "bigint") return val.toString() + "n";

        const hasFunctionReplacer = typeof replacer === "function";

        if (hasFunctionReplacer) return replacer(key, val);

        const isKeyInArrayReplacer =
          Array.isArray(replacer) && replacer.includes(key);

        if (isKeyInArrayReplacer) return val;

        return val;
      },
      space,
    );

    const processedJSON = convertedToCustomJSON.replace(
      bigIntsStringify,
      "$1$2$3",
    ); // Delete one "n" off the end of every BigInt value

    const denoisedJSON = processedJSON.replace(noiseStringify, "$1$2$3"); // Remove one "n" off the end of every noisy string

    return denoisedJSON;
  } catch (error) {
    if (error instanceof RangeError) {
      const convertedJSON = stringifyIteratively(value, replacer, space);

      if (convertedJSON === undefined) return undefined;

      const supportsRawJSON = "rawJSON" in JSON;

      if (supportsRawJSON) return convertedJSON;

      const processedJSON = convertedJSON.replace(bigIntsStringify, "$1$2$3");

      return processedJSON.replace(noiseStringify, "$1$2$3");
    }

    throw error;
  }
};

const featureCache = new Map();

/**
 * Detects if the current JSON.parse implementation supports the context.source feature.
 *
 * Uses toString() fingerprinting to cache results and automatically detect runtime
 * replacements of JSON.parse (polyfills, mocks, etc.).
 *
 * @returns {boolean} true if context.source is supported, false otherwise.
 */
const isContextSourceSupported = () => {
  const parseFingerprint = JSON.parse.toString();

  if (featureCache.has(parseFingerprint)) {
    return featureCache.get(parseFingerprint);
  }

  try {
    const result = JSON.parse(
      "1",
      (_, __, context) => !!context?.source && context.source === "1",
    );
    featureCache.set(parseFingerprint, result);

    return result;
  } catch {
    featureCache.set(parseFingerprint, false);

    return false;
  }
};

/**
 * Reviver function that converts custom-format BigInt strings back to BigInt values.
 * Also handles "noise" strings that accidentally match the BigInt format.
 *
 * @param {string | number | undefined} key The object key.
 * @param {*} value The value being parsed.
 * @param {object} [context] Parse context (if supported by JSON.parse).
 * @param {Reviver} [userReviver] User's custom reviver function.
 * @returns {any} The transformed value.
 */
const convertMarkedBigIntsReviver = (key, value, context, userReviver) => {
  const isCustomFormatBigInt =
    typeof value === "string" && customFormat.test(value);

  if (isCustomFormatBigInt) return BigInt(value.slice(0, -1));

  const isNoiseValue = typeof value === "string" && noiseValue.test(value);
  if (isNoiseValue) return value.slice(0, -1);

  const hasUserReviver = typeof userReviver === "function";

  if (!hasUserReviver) return value;

  return userReviver(key, value, context);
};

/**
 * Fast JSON.parse implementation (~2x faster than classic fallback).
 * Uses JSON.parse's context.source feature to detect integers and convert
 * large numbers directly to BigInt without string manipulation.
 *
 * Does not support legacy custom format from v1 of this library.
 *
 * @param {string} text JSON string to parse.
 * @param {Reviver} [reviver] Transform function to apply to each value.
 * @returns {any} Parsed JavaScript value.
 */
const JSONParseV2 = (text, reviver) => {
  return JSON.parse(text, (key, value, context) => {
    const isNumber = typeof value === "number";
    const isOutOfBounds =
      value > Number.MAX_SAFE_INTEGER || value < Number.MIN_SAFE_INTEGER;
    const isBigNumber = isNumber && isOutOfBounds;
    const isInt = context && intRegex.test(context.source);
    const isBigInt = isBigNumber && isInt;

    if (isBigInt) return BigInt(context.source);

    const hasCustomReviver = typeof reviver === "function";

    if (!hasCustomReviver) return value;

    return reviver(key, value, context);
  });
};

const MAX_INT = Number.MAX_SAFE_INTEGER.toString();
const MAX_DIGITS = MAX_INT.length;
const stringsOrLargeNumbers =
  /"(?:[^"\\]|\\.)*"|-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/g;
const noiseValueWithQuotes = /^"-?\d+n+"$/; // Noise - strings that match the custom format before being converted to it

/**
 * Iteratively traverses the parsed object bottom-up (post-order),
 * emulating the native JSON.parse reviver behavior.
 * This avoids Call Stack overflows (RangeError) on deeply nested structures.
 *
 * @param {any} parsed The natively parsed JSON object.
 * @param {Reviver} [userReviver] User's custom reviver function.
 * @returns {any} The fully processed object.
 */
const applyReviverIteratively = (parsed, userReviver) => {
  const rootHolder = { "": parsed };
  const stack = [{ parent: rootHolder, key: "", visited: false }];

  while (stack.length > 0) {
    const node = stack[stack.length - 1];

    if (!node.visited) {
      node.visited = true;

      const value = node.parent[node.key];
      const isComplexObject = value !== null && typeof value === "object";

      if (isComplexObject) {
        const keys = Object.keys(value);

        for (let i = keys.length - 1; i >= 0; i--) {
          stack.push({ parent: value, key: keys[i], visited: false });
        }
      }
    } else {
      const { parent, key } = node;
      let value = parent[key];

      if (typeof value === "string") {
        const isCustomFormatBigInt = customFormat.test(value);

        if (isCustomFormatBigInt) {
          value = BigInt(value.slice(0, -1));
        } else {
          const isNoise = noiseValue.test(value);

          if (isNoise) value = value.slice(0, -1);
        }
      }

      const hasUserReviver = typeof userReviver === "function";

      if (hasUserReviver) {
        value = userReviver.call(parent, key, value);
      }

      const isDeleted = value === undefined;

      if (isDeleted) {
        delete parent[key];
      } else {
        parent[key] = value;
      }

      stack.pop();
    }
  }

  return rootHolder[""];
};

/**
 * Pre-processes the JSON string to mark large numbers with an 'n' suffix.
 *
 * @param {string} text The raw JSON string.
 * @returns {string} The serialized string with marked BigInts.
 */
const serializeBigInts = (text) => {
  return text.replace(
    stringsOrLargeNumbers,
    (match, digits, fractional, exponential) => {
      const isString = match[0] === '"';
      const isNoise = isString && noiseValueWithQuotes.test(match);

      if (isNoise) return match.substring(0, match.length - 1) + 'n"'; // Mark noise values with additional "n" to offset the deletion of one "n" during the processing

      const hasFractionalOrExponential = fractional || exponential;

      // With a fixed number of digits, we can correctly use lexicographical comparison to do a numeric comparison
      const isLessThanMaxSafeInt =
        digits &&
        (digits.length < MAX_DIGITS ||
          (digits.length === MAX_DIGITS && digits <= MAX_INT));

      const isStandardValue =
        isString || hasFractionalOrExponential || isLessThanMaxSafeInt;

      if (isStandardValue) return match;

      return '"' + match + 'n"';
    },
  );
};

/**
 * Converts a JSON string into a JavaScript value.
 *
 * Supports parsing of large integers using two strategies:
 * 1. Classic fallback: Marks large numbers with "123n" format, then converts to BigInt
 * 2. Fast path (JSONParseV2): Uses context.source feature (~2x faster) when available
 *
 * All other JSON values are parsed exactly like native JSON.parse().
 *
 * @param {string} text A valid JSON string.
 * @param {Reviver} [reviver]
 * A function that transforms the results. This function is called for each member
 * of the object. If a member contains nested objects, the nested objects are
 * transformed before the parent object is.
 * @returns {any} The parsed JavaScript value.
 * @throws {SyntaxError} If text is not valid JSON.
 */
const JSONParse = (text, reviver) => {
  if (!text) return originalParse(text, reviver);

  try {
    if (isContextSourceSupported()) return JSONParseV2(text, reviver); // Shortcut to a faster (2x) and simpler version

    // Find and mark big numbers with "n"
    const serializedData = serializeBigInts(text);

    return originalParse(serializedData, (key, value, context) =>
      convertMarkedBigIntsReviver(key, value, context, reviver),
    );
  } catch (error) {
    if (error instanceof RangeError) {
      const serializedData = serializeBigInts(text);
      const parsed = originalParse(serializedData);

      return applyReviverIteratively(parsed, reviver);
    }

    throw error;
  }
};



// EXTERNAL MODULE: ./node_modules/@octokit/request-error/dist-src/index.js
var dist_src = __nccwpck_require__(1015);
;// CONCATENATED MODULE: ./node_modules/@octokit/request/dist-bundle/index.js
// pkg/dist-src/index.js


// pkg/dist-src/defaults.js


// pkg/dist-src/version.js
var dist_bundle_VERSION = "10.0.16";

// pkg/dist-src/defaults.js
var defaults_default = {
  headers: {
    "user-agent": `octokit-request.js/${dist_bundle_VERSION} ${(0,universal_user_agent/* getUserAgent */.$)()}`
  }
};

// pkg/dist-src/fetch-wrapper.js



// pkg/dist-src/is-plain-object.js
function dist_bundle_isPlainObject(value) {
  if (typeof value !== "object" || value === null) return false;
  if (Object.prototype.toString.call(value) !== "[object Object]") return false;
  const proto = Object.getPrototypeOf(value);
  if (proto === null) return true;
  const Ctor = Object.prototype.hasOwnProperty.call(proto, "constructor") && proto.constructor;
  return typeof Ctor === "function" && Ctor instanceof Ctor && Function.prototype.call(Ctor) === Function.prototype.call(value);
}

// pkg/dist-src/fetch-wrapper.js

var noop = () => "";
async function fetchWrapper(requestOptions) {
  const fetch = requestOptions.request?.fetch || globalThis.fetch;
  if (!fetch) {
    throw new Error(
      "fetch is not set. Please pass a fetch implementation as new Octokit({ request: { fetch }}). Learn more at https://github.com/octokit/octokit.js/#fetch-missing"
    );
  }
  const log = requestOptions.request?.log || console;
  const parseSuccessResponseBody = requestOptions.request?.parseSuccessResponseBody !== false;
  const body = dist_bundle_isPlainObject(requestOptions.body) || Array.isArray(requestOptions.body) ? JSONStringify(requestOptions.body) : requestOptions.body;
  const requestHeaders = Object.fromEntries(
    Object.entries(requestOptions.headers).map(([name, value]) => [
      name,
      String(value)
    ])
  );
  let fetchResponse;
  try {
    fetchResponse = await fetch(requestOptions.url, {
      method: requestOptions.method,
      body,
      redirect: requestOptions.request?.redirect,
      headers: requestHeaders,
      signal: requestOptions.request?.signal,
      // duplex must be set if request.body is ReadableStream or Async Iterables.
      // See https://fetch.spec.whatwg.org/#dom-requestinit-duplex.
      ...requestOptions.body && { duplex: "half" }
    });
  } catch (error) {
    let message = "Unknown Error";
    if (error instanceof Error) {
      if (error.name === "AbortError") {
        error.status = 500;
        throw error;
      }
      message = error.message;
      if (error.name === "TypeError" && "cause" in error) {
        if (error.cause instanceof Error) {
          message = error.cause.message;
        } else if (typeof error.cause === "string") {
          message = error.cause;
        }
      }
    }
    const requestError = new dist_src/* RequestError */.G(message, 500, {
      request: requestOptions
    });
    requestError.cause = error;
    throw requestError;
  }
  const status = fetchResponse.status;
  const url = fetchResponse.url;
  const responseHeaders = {};
  for (const [key, value] of fetchResponse.headers) {
    responseHeaders[key] = value;
  }
  const octokitResponse = {
    url,
    status,
    headers: responseHeaders,
    data: ""
  };
  if ("deprecation" in responseHeaders) {
    const matches = responseHeaders.link && responseHeaders.link.match(/<([^<>]+)>; rel="deprecation"/);
    const deprecationLink = matches && matches.pop();
    log.warn(
      `[@octokit/request] "${requestOptions.method} ${requestOptions.url}" is deprecated. It is scheduled to be removed on ${responseHeaders.sunset}${deprecationLink ? `. See ${deprecationLink}` : ""}`
    );
  }
  if (status === 204 || status === 205) {
    return octokitResponse;
  }
  if (requestOptions.method === "HEAD") {
    if (status < 400) {
      return octokitResponse;
    }
    throw new dist_src/* RequestError */.G(fetchResponse.statusText, status, {
      response: octokitResponse,
      request: requestOptions
    });
  }
  if (status === 304) {
    octokitResponse.data = await getResponseData(fetchResponse);
    throw new dist_src/* RequestError */.G("Not modified", status, {
      response: octokitResponse,
      request: requestOptions
    });
  }
  if (status >= 400) {
    octokitResponse.data = await getResponseData(fetchResponse);
    throw new dist_src/* RequestError */.G(toErrorMessage(octokitResponse.data), status, {
      response: octokitResponse,
      request: requestOptions
    });
  }
  octokitResponse.data = parseSuccessResponseBody ? await getResponseData(fetchResponse) : fetchResponse.body;
  return octokitResponse;
}
async function getResponseData(response) {
  const contentType = response.headers.get("content-type");
  if (!contentType) {
    return response.text().catch(noop);
  }
  const mimetype = (0,dist/* parse */.qg)(contentType);
  if (isJSONResponse(mimetype)) {
    let text = "";
    try {
      text = await response.text();
      return JSONParse(text);
    } catch (err) {
      return text;
    }
  } else if (mimetype.type.startsWith("text/") || // `application/octet-stream` is the canonical "arbitrary binary" type
  // (RFC 2046) and must never be decoded as text, even when the response
  // carries a (misleading) `charset=utf-8` parameter — see #751.
  mimetype.parameters.charset?.toLowerCase() === "utf-8" && mimetype.type !== "application/octet-stream") {
    return response.text().catch(noop);
  } else {
    return response.arrayBuffer().catch(
      /* v8 ignore next -- @preserve */
      () => new ArrayBuffer(0)
    );
  }
}
function isJSONResponse(mimetype) {
  return mimetype.type === "application/json" || mimetype.type === "application/scim+json";
}
function toErrorMessage(data) {
  if (typeof data === "string") {
    return data;
  }
  if (data instanceof ArrayBuffer) {
    return "Unknown error";
  }
  if (typeof data === "object" && data !== null && "message" in data) {
    const objectData = data;
    const suffix = "documentation_url" in objectData ? ` - ${objectData.documentation_url}` : "";
    return Array.isArray(objectData.errors) ? `${objectData.message}: ${objectData.errors.map((v) => JSON.stringify(v)).join(", ")}${suffix}` : `${objectData.message}${suffix}`;
  }
  return `Unknown error: ${JSON.stringify(data)}`;
}

// pkg/dist-src/with-defaults.js
function dist_bundle_withDefaults(oldEndpoint, newDefaults) {
  const endpoint2 = oldEndpoint.defaults(newDefaults);
  const newApi = function(route, parameters) {
    const endpointOptions = endpoint2.merge(route, parameters);
    if (!endpointOptions.request || !endpointOptions.request.hook) {
      return fetchWrapper(endpoint2.parse(endpointOptions));
    }
    const request2 = (route2, parameters2) => {
      return fetchWrapper(
        endpoint2.parse(endpoint2.merge(route2, parameters2))
      );
    };
    Object.assign(request2, {
      endpoint: endpoint2,
      defaults: dist_bundle_withDefaults.bind(null, endpoint2)
    });
    return endpointOptions.request.hook(request2, endpointOptions);
  };
  return Object.assign(newApi, {
    endpoint: endpoint2,
    defaults: dist_bundle_withDefaults.bind(null, endpoint2)
  });
}

// pkg/dist-src/index.js
var request = dist_bundle_withDefaults(endpoint, defaults_default);

/* v8 ignore next -- @preserve */
/* v8 ignore else -- @preserve */


/***/ }),

/***/ 6396:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   $: () => (/* binding */ getUserAgent)
/* harmony export */ });
function getUserAgent() {
  if (typeof navigator === "object" && "userAgent" in navigator) {
    return navigator.userAgent;
  }

  if (typeof process === "object" && process.version !== undefined) {
    return `Node.js/${process.version.substr(1)} (${process.platform}; ${
      process.arch
    })`;
  }

  return "<environment undetectable>";
}


/***/ })

/******/ });
/************************************************************************/
/******/ // The module cache
/******/ var __webpack_module_cache__ = {};
/******/ 
/******/ // The require function
/******/ function __nccwpck_require__(moduleId) {
/******/ 	// Check if module is in cache
/******/ 	var cachedModule = __webpack_module_cache__[moduleId];
/******/ 	if (cachedModule !== undefined) {
/******/ 		return cachedModule.exports;
/******/ 	}
/******/ 	// Create a new module (and put it into the cache)
/******/ 	var module = __webpack_module_cache__[moduleId] = {
/******/ 		// no module.id needed
/******/ 		// no module.loaded needed
/******/ 		exports: {}
/******/ 	};
/******/ 
/******/ 	// Execute the module function
/******/ 	var threw = true;
/******/ 	try {
/******/ 		__webpack_modules__[moduleId](module, module.exports, __nccwpck_require__);
/******/ 		threw = false;
/******/ 	} finally {
/******/ 		if(threw) delete __webpack_module_cache__[moduleId];
/******/ 	}
/******/ 
/******/ 	// Return the exports of the module
/******/ 	return module.exports;
/******/ }
/******/ 
/******/ // expose the modules object (__webpack_modules__)
/******/ __nccwpck_require__.m = __webpack_modules__;
/******/ 
/************************************************************************/
/******/ /* webpack/runtime/asset-relocator-loader */
/******/ if (typeof __nccwpck_require__ !== 'undefined') __nccwpck_require__.ab = decodeURIComponent(new URL('.', import.meta.url).pathname).slice(import.meta.url.match(/^file:\/\/\/\w:/) ? 1 : 0, -1) + "/";
/******/ 
/******/ /* webpack/runtime/async module */
/******/ (() => {
/******/ 	var webpackQueues = typeof Symbol === "function" ? Symbol("webpack queues") : "__webpack_queues__";
/******/ 	var webpackExports = typeof Symbol === "function" ? Symbol("webpack exports") : "__webpack_exports__";
/******/ 	var webpackError = typeof Symbol === "function" ? Symbol("webpack error") : "__webpack_error__";
/******/ 	var resolveQueue = (queue) => {
/******/ 		if(queue && queue.d < 1) {
/******/ 			queue.d = 1;
/******/ 			queue.forEach((fn) => (fn.r--));
/******/ 			queue.forEach((fn) => (fn.r-- ? fn.r++ : fn()));
/******/ 		}
/******/ 	}
/******/ 	var wrapDeps = (deps) => (deps.map((dep) => {
/******/ 		if(dep !== null && typeof dep === "object") {
/******/ 			if(dep[webpackQueues]) return dep;
/******/ 			if(dep.then) {
/******/ 				var queue = [];
/******/ 				queue.d = 0;
/******/ 				dep.then((r) => {
/******/ 					obj[webpackExports] = r;
/******/ 					resolveQueue(queue);
/******/ 				}, (e) => {
/******/ 					obj[webpackError] = e;
/******/ 					resolveQueue(queue);
/******/ 				});
/******/ 				var obj = {};
/******/ 				obj[webpackQueues] = (fn) => (fn(queue));
/******/ 				return obj;
/******/ 			}
/******/ 		}
/******/ 		var ret = {};
/******/ 		ret[webpackQueues] = x => {};
/******/ 		ret[webpackExports] = dep;
/******/ 		return ret;
/******/ 	}));
/******/ 	__nccwpck_require__.a = (module, body, hasAwait) => {
/******/ 		var queue;
/******/ 		hasAwait && ((queue = []).d = -1);
/******/ 		var depQueues = new Set();
/******/ 		var exports = module.exports;
/******/ 		var currentDeps;
/******/ 		var outerResolve;
/******/ 		var reject;
/******/ 		var promise = new Promise((resolve, rej) => {
/******/ 			reject = rej;
/******/ 			outerResolve = resolve;
/******/ 		});
/******/ 		promise[webpackExports] = exports;
/******/ 		promise[webpackQueues] = (fn) => (queue && fn(queue), depQueues.forEach(fn), promise["catch"](x => {}));
/******/ 		module.exports = promise;
/******/ 		body((deps) => {
/******/ 			currentDeps = wrapDeps(deps);
/******/ 			var fn;
/******/ 			var getResult = () => (currentDeps.map((d) => {
/******/ 				if(d[webpackError]) throw d[webpackError];
/******/ 				return d[webpackExports];
/******/ 			}))
/******/ 			var promise = new Promise((resolve) => {
/******/ 				fn = () => (resolve(getResult));
/******/ 				fn.r = 0;
/******/ 				var fnQueue = (q) => (q !== queue && !depQueues.has(q) && (depQueues.add(q), q && !q.d && (fn.r++, q.push(fn))));
/******/ 				currentDeps.map((dep) => (dep[webpackQueues](fnQueue)));
/******/ 			});
/******/ 			return fn.r ? promise : getResult();
/******/ 		}, (err) => ((err ? reject(promise[webpackError] = err) : outerResolve(exports)), resolveQueue(queue)));
/******/ 		queue && queue.d < 0 && (queue.d = 0);
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/compat get default export */
/******/ (() => {
/******/ 	// getDefaultExport function for compatibility with non-harmony modules
/******/ 	__nccwpck_require__.n = (module) => {
/******/ 		var getter = module && module.__esModule ?
/******/ 			() => (module['default']) :
/******/ 			() => (module);
/******/ 		__nccwpck_require__.d(getter, { a: getter });
/******/ 		return getter;
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/create fake namespace object */
/******/ (() => {
/******/ 	var getProto = Object.getPrototypeOf ? (obj) => (Object.getPrototypeOf(obj)) : (obj) => (obj.__proto__);
/******/ 	var leafPrototypes;
/******/ 	// create a fake namespace object
/******/ 	// mode & 1: value is a module id, require it
/******/ 	// mode & 2: merge all properties of value into the ns
/******/ 	// mode & 4: return value when already ns object
/******/ 	// mode & 16: return value when it's Promise-like
/******/ 	// mode & 8|1: behave like require
/******/ 	__nccwpck_require__.t = function(value, mode) {
/******/ 		if(mode & 1) value = this(value);
/******/ 		if(mode & 8) return value;
/******/ 		if(typeof value === 'object' && value) {
/******/ 			if((mode & 4) && value.__esModule) return value;
/******/ 			if((mode & 16) && typeof value.then === 'function') return value;
/******/ 		}
/******/ 		var ns = Object.create(null);
/******/ 		__nccwpck_require__.r(ns);
/******/ 		var def = {};
/******/ 		leafPrototypes = leafPrototypes || [null, getProto({}), getProto([]), getProto(getProto)];
/******/ 		for(var current = mode & 2 && value; typeof current == 'object' && !~leafPrototypes.indexOf(current); current = getProto(current)) {
/******/ 			Object.getOwnPropertyNames(current).forEach((key) => (def[key] = () => (value[key])));
/******/ 		}
/******/ 		def['default'] = () => (value);
/******/ 		__nccwpck_require__.d(ns, def);
/******/ 		return ns;
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/define property getters */
/******/ (() => {
/******/ 	// define getter functions for harmony exports
/******/ 	__nccwpck_require__.d = (exports, definition) => {
/******/ 		for(var key in definition) {
/******/ 			if(__nccwpck_require__.o(definition, key) && !__nccwpck_require__.o(exports, key)) {
/******/ 				Object.defineProperty(exports, key, { enumerable: true, get: definition[key] });
/******/ 			}
/******/ 		}
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/ensure chunk */
/******/ (() => {
/******/ 	__nccwpck_require__.f = {};
/******/ 	// This file contains only the entry chunk.
/******/ 	// The chunk loading function for additional chunks
/******/ 	__nccwpck_require__.e = (chunkId) => {
/******/ 		return Promise.all(Object.keys(__nccwpck_require__.f).reduce((promises, key) => {
/******/ 			__nccwpck_require__.f[key](chunkId, promises);
/******/ 			return promises;
/******/ 		}, []));
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/get javascript chunk filename */
/******/ (() => {
/******/ 	// This function allow to reference async chunks
/******/ 	__nccwpck_require__.u = (chunkId) => {
/******/ 		// return url for filenames based on template
/******/ 		return "" + chunkId + ".index.js";
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/hasOwnProperty shorthand */
/******/ (() => {
/******/ 	__nccwpck_require__.o = (obj, prop) => (Object.prototype.hasOwnProperty.call(obj, prop))
/******/ })();
/******/ 
/******/ /* webpack/runtime/make namespace object */
/******/ (() => {
/******/ 	// define __esModule on exports
/******/ 	__nccwpck_require__.r = (exports) => {
/******/ 		if(typeof Symbol !== 'undefined' && Symbol.toStringTag) {
/******/ 			Object.defineProperty(exports, Symbol.toStringTag, { value: 'Module' });
/******/ 		}
/******/ 		Object.defineProperty(exports, '__esModule', { value: true });
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/import chunk loading */
/******/ (() => {
/******/ 	// no baseURI
/******/ 	
/******/ 	// object to store loaded and loading chunks
/******/ 	// undefined = chunk not loaded, null = chunk preloaded/prefetched
/******/ 	// [resolve, Promise] = chunk loading, 0 = chunk loaded
/******/ 	var installedChunks = {
/******/ 		792: 0
/******/ 	};
/******/ 	
/******/ 	var installChunk = (data) => {
/******/ 		var {ids, modules, runtime} = data;
/******/ 		// add "modules" to the modules object,
/******/ 		// then flag all "ids" as loaded and fire callback
/******/ 		var moduleId, chunkId, i = 0;
/******/ 		for(moduleId in modules) {
/******/ 			if(__nccwpck_require__.o(modules, moduleId)) {
/******/ 				__nccwpck_require__.m[moduleId] = modules[moduleId];
/******/ 			}
/******/ 		}
/******/ 		if(runtime) runtime(__nccwpck_require__);
/******/ 		for(;i < ids.length; i++) {
/******/ 			chunkId = ids[i];
/******/ 			if(__nccwpck_require__.o(installedChunks, chunkId) && installedChunks[chunkId]) {
/******/ 				installedChunks[chunkId][0]();
/******/ 			}
/******/ 			installedChunks[ids[i]] = 0;
/******/ 		}
/******/ 	
/******/ 	}
/******/ 	
/******/ 	__nccwpck_require__.f.j = (chunkId, promises) => {
/******/ 			// import() chunk loading for javascript
/******/ 			var installedChunkData = __nccwpck_require__.o(installedChunks, chunkId) ? installedChunks[chunkId] : undefined;
/******/ 			if(installedChunkData !== 0) { // 0 means "already installed".
/******/ 	
/******/ 				// a Promise means "currently loading".
/******/ 				if(installedChunkData) {
/******/ 					promises.push(installedChunkData[1]);
/******/ 				} else {
/******/ 					if(true) { // all chunks have JS
/******/ 						// setup Promise in chunk cache
/******/ 						var promise = import("./" + __nccwpck_require__.u(chunkId)).then(installChunk, (e) => {
/******/ 							if(installedChunks[chunkId] !== 0) installedChunks[chunkId] = undefined;
/******/ 							throw e;
/******/ 						});
/******/ 						var promise = Promise.race([promise, new Promise((resolve) => (installedChunkData = installedChunks[chunkId] = [resolve]))])
/******/ 						promises.push(installedChunkData[1] = promise);
/******/ 					}
/******/ 				}
/******/ 			}
/******/ 	};
/******/ 	
/******/ 	// no prefetching
/******/ 	
/******/ 	// no preloaded
/******/ 	
/******/ 	// no external install chunk
/******/ 	
/******/ 	// no on chunks loaded
/******/ })();
/******/ 
/************************************************************************/
/******/ 
/******/ // startup
/******/ // Load entry module and return exports
/******/ // This entry module used 'module' so it can't be inlined
/******/ var __webpack_exports__ = __nccwpck_require__(5581);
/******/ __webpack_exports__ = await __webpack_exports__;
/******/ 

//# sourceMappingURL=index.js.map