// `node --import tools/shorten-waits-preload.mjs dist/index.js`, with SHORTEN_WAITS=<scale>:
// the spawned action or CLI waits `scale` times as long as GitHub asks (see shorten-waits.mjs).
import { shortenWaits } from './shorten-waits.mjs'

shortenWaits(Number(process.env.SHORTEN_WAITS))
