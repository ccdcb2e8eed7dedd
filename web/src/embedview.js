// The embed view: the bare map for an article's iframe. It has a path of
// its own (/embed), which the server lets other sites frame; #…&embed=1
// asks for the bare map on any path. Kept apart from embed.js, without
// imports, so that head.js stays a few bytes.

// EMBED_PATH is the embed view's path, relative to the map's.
export const EMBED_PATH = 'embed'

// isEmbedHash reports whether a location hash asks for the bare map.
export function isEmbedHash(hash) {
  return /(^#?|&)embed=1(&|$)/.test(hash || '')
}

// isEmbedView reports whether a location is the embed view.
export function isEmbedView(loc) {
  return isEmbedHash(loc.hash) || new RegExp('/' + EMBED_PATH + '$').test(loc.pathname)
}
