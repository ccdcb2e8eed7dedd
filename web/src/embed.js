// Embedding: what the "嵌入 / Embed" dialog (embeddialog.js) shares with
// the page, and the badge the bare map shows inside an article's iframe
// (#…&embed=1): plan, data date, 获取数据 / Get the data and a link to
// the full map.

import { t, lang } from './i18n.js'
import { esc } from './util.js'

// RATIOS are the frame shapes offered: height as a percentage of the width.
export const RATIOS = [
  ['3:2', 66],
  ['4:3', 75],
  ['1:1', 100],
  ['16:9', 56.25],
]

export { isEmbedHash, isEmbedView } from './embedview.js'

// mapDir is the directory the map is served from (the full map and the
// embed view share it).
const mapDir = () => location.origin + location.pathname.replace(/[^/]*$/, '')

// pageURL is the full map's address with a hash.
export function pageURL(hash) {
  return mapDir() + hash
}

// attr escapes a URL for a double-quoted attribute. "&" stays as it is:
// every "&" in our hashes is followed by "key=", which HTML never decodes,
// so the code stays readable.
const attr = (s) => String(s).replace(/"/g, '%22').replace(/</g, '%3C').replace(/>/g, '%3E')

// planName is the plan's short name for the badge: the document the
// notice issues (《2024年为民实事实施方案》), after the city.
export function planName(plan) {
  if (!plan) return t('title')
  if (lang() === 'en') {
    const m = /on issuing the (.+)$/.exec(plan.title_en || '')
    return m ? `${plan.city_en || ''}: ${m[1]}`.replace(/^: /, '') : plan.title_en || plan.title || t('title')
  }
  const m = /印发(.+?)的通知/.exec(plan.title || '')
  return m ? `${plan.city || ''}《${m[1]}》` : plan.title || t('title')
}

// badgeHTML is the embedded map's caption: the plan, the data date, that
// the statuses are as reported (and the filter, if one is on), a link,
// and getData: the downloads of the layers shown (downloads.js).
export function badgeHTML({ plan, date, fullURL, filtersNote = '', getData = '' }) {
  const note = [t('statusNoteShort'), filtersNote].filter(Boolean).join(' · ')
  return (
    `<div class="pm-ebadge-name" title="${esc(plan ? (lang() === 'en' && plan.title_en) || plan.title : '')}">${esc(planName(plan))}</div>` +
    `<div class="pm-ebadge-row"><span class="pm-ebadge-date">${esc(t('dataDate'))} ${esc(date)}</span>` +
    `<a class="pm-ebadge-open" href="${attr(fullURL)}" target="_blank" rel="noopener">${esc(t('openFull'))} ↗</a></div>` +
    `<div class="pm-ebadge-note" title="${esc(t('statusNote'))}">${esc(note)}</div>` +
    getData
  )
}

// copyText copies text to the clipboard: the async Clipboard API where the
// page may use it, else the selected textarea and execCommand('copy').
export async function copyText(text, textarea) {
  try {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(text)
      return true
    }
  } catch {
    // denied (no focus, no permission): fall back below
  }
  if (textarea) {
    textarea.focus()
    textarea.select()
    textarea.setSelectionRange(0, textarea.value.length)
  }
  try {
    return document.execCommand('copy')
  } catch {
    return false
  }
}
