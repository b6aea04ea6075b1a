/** Scales every later setTimeout of half a second or more by `scale` (0 < scale < 1); returns the undo. */
export function shortenWaits(scale: number): () => void
