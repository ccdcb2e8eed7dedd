// The 图片 / Picture dialog: a size (a preset or typed), with or without
// the legend, then the server's static map of the current view
// (picture.js) and a download. The dialog keeps its own state (the size
// chosen); the page is reached through app: { ready(), updateHash(),
// currentState(), date(), year(), plan(), layers(), bounds() }.

import { t } from './i18n.js'
import { esc } from './util.js'
import { planName } from './embed.js'
import { lang } from './i18n.js'
import { PRESETS, parseSide, pictureName, staticSize, staticURL, fetchPicture } from './picture.js'
import { wireDialog } from './dialog.js'

const $ = (sel) => document.querySelector(sel)

export function pictureDialog(app) {
  let opener = null
  let url = ''
  let busy = false
  // The size in pixels and whether the legend shows.
  let pic = { w: PRESETS[0].w, h: PRESETS[0].h, legend: true }

  function open() {
    if (!app.ready()) return
    app.updateHash()
    opener = document.activeElement
    $('#pm-pic-dlg').hidden = false
    $('#pm-pic-status').textContent = ''
    picMessage('#pm-pic-error', '')
    picMessage('#pm-pic-note', '')
    $('#pm-pic-result').hidden = true
    render()
    syncPicInputs()
    const preset = $('#pm-pic-preset')
    preset.focus()
  }

  function close() {
    const dlg = $('#pm-pic-dlg')
    if (dlg.hidden) return
    dlg.hidden = true
    if (opener && opener.focus) opener.focus()
    opener = null
  }

  function presetOf(w, h) {
    const p = PRESETS.find((p) => p.w === w && p.h === h)
    return p ? p.id : 'custom'
  }

  // render writes the dialog's text in the current language.
  function render() {
    if ($('#pm-pic-dlg').hidden) return
    $('#pm-pic-title').textContent = t('pictureTitle')
    $('#pm-pic-close').setAttribute('aria-label', t('close'))
    $('#pm-pic-help').textContent = t('pictureHelp')(app.date())
    $('#pm-pic-size-cap').textContent = t('pictureSize')
    const names = t('presets')
    // Keep what is chosen in the dialog (a language switch redraws it).
    const current = $('#pm-pic-preset').value || presetOf(pic.w, pic.h)
    $('#pm-pic-preset').innerHTML =
      PRESETS.map((p) => `<option value="${p.id}"${p.id === current ? ' selected' : ''}>${esc(names[p.id])} ${p.w}×${p.h}</option>`).join('') +
      `<option value="custom"${current === 'custom' ? ' selected' : ''}>${esc(names.custom)}</option>`
    $('#pm-pic-wcap').textContent = t('pictureWidth')
    $('#pm-pic-hcap').textContent = t('pictureHeight')
    $('#pm-pic-px').textContent = t('pixels')
    $('#pm-pic-legend-cap').textContent = t('pictureLegend')
    $('#pm-pic-make').textContent = t('pictureMake')
    $('#pm-pic-save').textContent = t('pictureSave')
    $('#pm-pic-tip').textContent = t('pictureTip')
  }

  // syncPicInputs shows the chosen size in the width and height boxes.
  function syncPicInputs() {
    $('#pm-pic-w').value = String(pic.w)
    $('#pm-pic-h').value = String(pic.h)
    $('#pm-pic-legend').checked = pic.legend
    $('#pm-pic-preset').value = presetOf(pic.w, pic.h)
  }

  function picMessage(id, text) {
    const el = $(id)
    el.textContent = text || ''
    el.hidden = !text
  }

  // readPicSize checks the width and height boxes; it marks a bad one and
  // says what is allowed.
  function readPicSize() {
    const wi = $('#pm-pic-w')
    const hi = $('#pm-pic-h')
    const w = parseSide(wi.value)
    const h = parseSide(hi.value)
    wi.setAttribute('aria-invalid', isNaN(w) ? 'true' : 'false')
    hi.setAttribute('aria-invalid', isNaN(h) ? 'true' : 'false')
    if (isNaN(w) || isNaN(h)) {
      picMessage('#pm-pic-error', t('pictureBadSize'))
      ;(isNaN(w) ? wi : hi).focus()
      return null
    }
    picMessage('#pm-pic-error', '')
    return { w, h }
  }

  async function run() {
    if (busy) return
    picMessage('#pm-pic-note', '')
    const size = readPicSize()
    if (!size) {
      $('#pm-pic-status').textContent = ''
      return
    }
    pic = { ...pic, ...size, legend: $('#pm-pic-legend').checked }
    $('#pm-pic-preset').value = presetOf(size.w, size.h)
    const make = $('#pm-pic-make')
    const dlg = $('#pm-pic-dlg')
    // aria-disabled, not disabled: the button keeps the focus, so Escape
    // and Tab still work in the dialog while the picture is made.
    make.setAttribute('aria-disabled', 'true')
    dlg.setAttribute('aria-busy', 'true')
    $('#pm-pic-status').textContent = t('pictureBusy')
    busy = true
    const st = app.currentState()
    const ask = staticSize(size.w, size.h)
    const src = staticURL({
      layers: app.layers(),
      bounds: app.bounds(),
      size: ask.size,
      scale: ask.scale,
      date: st.date,
      lang: lang(),
      plan: st.plan,
      title: planName(app.plan()),
      legend: pic.legend,
      status: st.status,
      district: st.district,
    })
    let blob
    try {
      blob = await fetchPicture(src)
    } catch (e) {
      $('#pm-pic-status').textContent = ''
      picMessage('#pm-pic-error', t('pictureFailed')((e && e.message) || String(e)))
      return
    } finally {
      busy = false
      make.removeAttribute('aria-disabled')
      dlg.removeAttribute('aria-busy')
    }
    const { w, h } = ask.out
    const name = pictureName(app.year(), st.date, w, h)
    if (url) URL.revokeObjectURL(url)
    url = URL.createObjectURL(blob)
    const link = $('#pm-pic-link')
    link.href = url
    link.download = name
    link.title = name
    link.dataset.width = String(w)
    link.dataset.height = String(h)
    link.dataset.src = src
    const img = $('#pm-pic-preview')
    img.src = url
    img.alt = `${planName(app.plan())} · ${t('dataDate')} ${st.date} (${w}×${h})`
    $('#pm-pic-result').hidden = false
    $('#pm-pic-status').textContent = t('pictureDone')(name, w, h)
    link.click()
  }

  function wire() {
    $('#pm-btn-pic').addEventListener('click', open)
    $('#pm-pic-close').addEventListener('click', close)
    $('#pm-pic-preset').addEventListener('change', (e) => {
      const p = PRESETS.find((p) => p.id === e.target.value)
      if (p) {
        pic = { ...pic, w: p.w, h: p.h }
        syncPicInputs()
        picMessage('#pm-pic-error', '')
        for (const id of ['#pm-pic-w', '#pm-pic-h']) $(id).setAttribute('aria-invalid', 'false')
      } else $('#pm-pic-w').focus()
    })
    for (const id of ['#pm-pic-w', '#pm-pic-h']) {
      $(id).addEventListener('input', () => {
        $('#pm-pic-preset').value = presetOf(+$('#pm-pic-w').value, +$('#pm-pic-h').value)
      })
    }
    $('#pm-pic-form').addEventListener('submit', (e) => {
      e.preventDefault()
      run()
    })
    wireDialog($('#pm-pic-dlg'), close)
  }

  return { open, close, render, wire }
}
