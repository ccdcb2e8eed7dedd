// The embed dialog's live preview: the embed view in an iframe at a
// phone's width (375 px) or a desktop's (1000 px, scaled down to fit the
// dialog), taking the height the embed asks for, as an article would.
//
// The frame always has an explicit width and height in CSS pixels, and
// the stage around it the scaled size: a preview never collapses to 0×0,
// whatever the dialog's layout when the width is switched.

import { HEIGHT_MESSAGE, wantedHeight } from './embedheight.js'

export const PREVIEW_WIDTHS = { phone: 375, desktop: 1000 }
// FALLBACK_W is the room assumed while the dialog is not laid out yet.
const FALLBACK_W = 540

export function embedPreview(stage, frame) {
  let mode = 'phone'
  let ratio = 0
  let height = 0 // as the embed reported it; 0 until it does
  let src = ''
  let timer = 0

  window.addEventListener('message', (e) => {
    const d = e.data
    if (e.source !== frame.contentWindow || !d || d.type !== HEIGHT_MESSAGE || !(d.height > 0)) return
    height = Math.round(d.height)
    layout()
  })

  function layout() {
    const w = PREVIEW_WIDTHS[mode]
    const room = (stage.parentElement && stage.parentElement.clientWidth) || FALLBACK_W
    const scale = Math.min(1, room / w)
    const h = height || wantedHeight(w, ratio)
    frame.style.width = `${w}px`
    frame.style.height = `${h}px`
    frame.style.transform = scale < 1 ? `scale(${scale})` : ''
    stage.style.width = `${Math.floor(w * scale)}px`
    stage.style.height = `${Math.ceil(h * scale)}px`
    stage.dataset.mode = mode
  }

  // show loads an embed address (after a moment, so that a run of
  // changes loads it once).
  function show(url, r) {
    ratio = r
    layout()
    if (url === src) return
    src = url
    clearTimeout(timer)
    timer = setTimeout(() => {
      height = 0
      frame.src = url
    }, 300)
  }

  function setMode(m) {
    if (!PREVIEW_WIDTHS[m]) return
    mode = m
    height = 0 // the embed reports its height at the new width
    layout()
  }

  function stop() {
    clearTimeout(timer)
    src = ''
    frame.src = 'about:blank'
  }

  return { show, setMode, layout, stop, mode: () => mode }
}
