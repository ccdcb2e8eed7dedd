// The embed's height, told to the article around it. An article's iframe
// cannot know how tall the map wants to be at the width the article gives
// it; the embed page does: its width times the ratio chosen (ratio=, a
// percentage), within [MIN_H, MAX_H] so that the badge, the legend and a
// popup fit on a phone. It posts
//
//   {type: 'projectmap:height', height: <CSS px>}
//
// to its parent on load and on every resize; the snippet's script (see
// embedsnippets.js) sets the iframe's height from it.

export const HEIGHT_MESSAGE = 'projectmap:height'
export const DEFAULT_RATIO = 66
export const MIN_H = 320
export const MAX_H = 900

// wantedHeight is the height the embed asks for at a width.
export function wantedHeight(width, ratio = DEFAULT_RATIO) {
  const h = Math.round((width * (ratio || DEFAULT_RATIO)) / 100)
  return Math.max(MIN_H, Math.min(MAX_H, h))
}

// postHeight tells the parent the height wanted now; returns it.
export function postHeight(win, ratio) {
  const height = wantedHeight(win.innerWidth, ratio)
  if (win.parent && win.parent !== win) {
    win.parent.postMessage({ type: HEIGHT_MESSAGE, height }, '*')
  }
  return height
}

// reportHeight posts the height now, on load and after each resize. The
// height depends on the width only, so the iframe taking it ends there.
export function reportHeight(win, ratio) {
  let timer = 0
  const send = () => {
    win.document.documentElement.dataset.reportedHeight = String(postHeight(win, ratio))
  }
  send()
  win.addEventListener('load', send)
  win.addEventListener('resize', () => {
    clearTimeout(timer)
    timer = setTimeout(send, 100)
  })
}
