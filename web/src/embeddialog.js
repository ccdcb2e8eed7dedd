// The 嵌入 / Embed dialog: the <iframe> code for the current view, in a
// chosen shape, with a copy button and a link to the view. The dialog
// keeps its own state (the shape); the page is reached through app:
// { ready(), updateHash(), currentState(), date() }.

import { t } from './i18n.js'
import { formatHash } from './state.js'
import { RATIOS, pageURL, embedURL, embedSnippet, copyText } from './embed.js'
import { wireDialog } from './dialog.js'

const $ = (sel) => document.querySelector(sel)

export function embedDialog(app) {
  let opener = null
  let ratio = RATIOS[0][1]

  function open() {
    if (!app.ready()) return
    app.updateHash()
    opener = document.activeElement
    $('#pm-embed-dlg').hidden = false
    $('#pm-embed-status').textContent = ''
    render()
    const code = $('#pm-embed-code')
    code.focus()
    code.select()
  }

  function close() {
    const dlg = $('#pm-embed-dlg')
    if (dlg.hidden) return
    dlg.hidden = true
    if (opener && opener.focus) opener.focus()
    opener = null
  }

  function render() {
    if ($('#pm-embed-dlg').hidden) return
    const st = app.currentState()
    $('#pm-embed-h').textContent = t('embedTitle')
    $('#pm-embed-close').setAttribute('aria-label', t('close'))
    $('#pm-embed-help').textContent = t('embedHelp')(app.date())
    $('#pm-embed-tip').textContent = t('embedTip')
    $('#pm-embed-ratio-cap').textContent = t('embedRatio')
    $('#pm-embed-ratio').innerHTML = RATIOS.map(([name, r]) => `<option value="${r}"${r === ratio ? ' selected' : ''}>${name}</option>`).join('')
    $('#pm-embed-code').value = embedSnippet({
      src: embedURL(formatHash({ ...st, embed: true })),
      title: `${t('title')} · ${t('dataDate')} ${app.date()}`,
      ratio: ratio,
    })
    $('#pm-embed-copy').textContent = t('copyCode')
    $('#pm-embed-link-cap').textContent = t('viewLink')
    const link = $('#pm-embed-link')
    link.href = link.textContent = pageURL(formatHash(st))
  }

  async function copy() {
    const code = $('#pm-embed-code')
    const ok = await copyText(code.value, code)
    $('#pm-embed-status').textContent = ok ? t('copied') : t('copyFailed')
    if (!ok) {
      code.focus()
      code.select()
    }
  }

  function wire() {
    $('#pm-btn-embed').addEventListener('click', open)
    $('#pm-embed-close').addEventListener('click', close)
    $('#pm-embed-copy').addEventListener('click', copy)
    $('#pm-embed-ratio').addEventListener('change', (e) => {
      ratio = +e.target.value || RATIOS[0][1]
      $('#pm-embed-status').textContent = ''
      render()
    })
    wireDialog($('#pm-embed-dlg'), close)
  }

  return { open, close, render, wire }
}
