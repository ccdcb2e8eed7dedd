// The 分享 / Share button: copies the address of the view's share card
// (/share?<the map's state>, internal/api/share.go), which link previews
// show with the static map of the view and which sends people on to the
// map. The page is reached through app: { ready(), updateHash(), hash() }.

import { t } from './i18n.js'
import { copyText } from './embed.js'

const $ = (sel) => document.querySelector(sel)

// shareURL is the share card's address for a map hash (#map=…&lang=…).
export function shareURL(hash) {
  const dir = location.origin + location.pathname.replace(/[^/]*$/, '')
  return `${dir}share?${String(hash).replace(/^#/, '')}`
}

export function shareButton(app) {
  let timer = 0

  function render() {
    const b = $('#pm-btn-share')
    b.querySelector('.pm-btxt').textContent = t('share')
    b.setAttribute('aria-label', t('shareLabel'))
    b.title = t('shareLabel')
  }

  async function share() {
    if (!app.ready()) return
    app.updateHash()
    const url = shareURL(app.hash())
    const b = $('#pm-btn-share')
    b.dataset.url = url
    // The fallback copies a selected text field, never the page's selection.
    const field = document.createElement('textarea')
    field.value = url
    field.setAttribute('readonly', '')
    field.className = 'pm-share-field'
    document.body.appendChild(field)
    const ok = await copyText(url, field)
    field.remove()
    b.focus()
    $('#pm-share-status').textContent = ok ? t('shareCopied') : t('shareCopyFailed')(url)
    b.querySelector('.pm-btxt').textContent = ok ? t('copied') : t('share')
    clearTimeout(timer)
    timer = setTimeout(() => {
      b.querySelector('.pm-btxt').textContent = t('share')
      $('#pm-share-status').textContent = ''
    }, ok ? 2500 : 15000)
  }

  function wire() {
    $('#pm-btn-share').addEventListener('click', share)
  }

  return { render, wire }
}
