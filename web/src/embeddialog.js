// The 嵌入 / Embed dialog: the reporter chooses a project or the layers
// shown, the frame (the project's area or the current view, as a bbox),
// the language, a fixed date or the latest, the shape and the kind of
// code (iframe, MapLibre, Leaflet; see embedsnippets.js); a live preview
// shows the embed at a phone's and a desktop's width (embedpreview.js).
// The page is reached only through app: { ready(), updateHash(),
// currentState(), date(), projects(), projectLayers(n), members(ids),
// layerTitles(ids), viewBBox(), getJSON(url), basemap() }.

import { t, lang, STRINGS } from './i18n.js'
import { formatHash } from './state.js'
import { RATIOS, pageURL, copyText } from './embed.js'
import { KINDS, embedSrc, embedState, snippet } from './embedsnippets.js'
import { embedPreview, PREVIEW_WIDTHS } from './embedpreview.js'
import { projectBBox } from './embedbounds.js'
import { wireDialog } from './dialog.js'
import { esc } from './util.js'

const $ = (sel) => document.querySelector(sel)
const mapDir = () => location.origin + location.pathname.replace(/[^/]*$/, '')
const radio = (name) => (document.querySelector(`input[name="pm-embed-${name}"]:checked`) || {}).value

// pickIn is pick() in a language other than the page's.
const pickIn = (obj, field, l) => (obj ? (l === 'en' && obj[field + '_en']) || obj[field] || '' : '')

export function embedDialog(app) {
  let opener = null
  let preview = null
  let view = null // the map's view when the dialog opened
  const bboxes = new Map() // project → bbox, or a promise of it
  const o = { what: 'layers', project: 0, frame: 'view', date: 'fixed', lang: 'zh', ratio: RATIOS[0][1], kind: 'iframe' }

  const choices = () => app.projects().filter((p) => app.projectLayers(p.number).length > 0)

  function open() {
    if (!app.ready()) return
    app.updateHash()
    opener = document.activeElement
    const st = app.currentState()
    const list = choices()
    o.project = list.some((p) => p.number === st.project) ? st.project : o.project || (list[0] ? list[0].number : 0)
    o.what = st.project && o.project === st.project ? 'project' : 'layers'
    o.frame = o.what === 'project' ? 'project' : 'view'
    o.lang = lang()
    view = app.viewBBox()
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
    if (preview) preview.stop()
    if (opener && opener.focus) opener.focus()
    opener = null
  }

  // frameBBox is the frame chosen: a bbox, null while a project's is
  // fetched (render runs again when it comes).
  function frameBBox(project) {
    if (o.frame !== 'project' || !project) return view
    const b = bboxes.get(project)
    if (b && !(b instanceof Promise)) return b
    if (!b) {
      const p = projectBBox(app.getJSON, app.members(app.projectLayers(project)), project).then(
        (box) => bboxes.set(project, box || view),
        () => bboxes.set(project, view),
      )
      bboxes.set(project, p)
      p.then(render)
    }
    return null
  }

  // options are the snippet's options (embedsnippets.js), or null while
  // the frame is not known yet.
  function options() {
    const st = app.currentState()
    const project = o.what === 'project' ? o.project : 0
    const bbox = frameBBox(project)
    if (!bbox) return null
    const layers = project ? app.projectLayers(project) : st.layers
    if (!layers.length) return null
    const L = STRINGS[o.lang]
    const date = o.date === 'fixed' ? app.date() : ''
    const p = project && app.projects().find((x) => x.number === project)
    const what = p ? `${L.projectN(project)} ${pickIn(p, 'title', o.lang)}` : L.title
    return {
      base: mapDir(),
      layers,
      dataLayers: app.members(layers),
      project,
      bbox,
      lang: o.lang,
      date,
      plan: st.plan,
      ratio: o.ratio,
      title: `${what} · ${L.dataDate} ${date || L.latestWord}`,
      alt: L.embedAlt(what, date || L.latestWord),
      attribution: L.attribution,
      basemap: app.basemap(),
    }
  }

  function renderControls() {
    $('#pm-embed-h').textContent = t('embedTitle')
    $('#pm-embed-close').setAttribute('aria-label', t('close'))
    $('#pm-embed-help').textContent = t('embedHelp')
    $('#pm-embed-tip').textContent = t('embedTip')
    const caps = {
      'what-cap': 'embedWhat', 'what-project-cap': 'embedWhatProject', 'what-layers-cap': 'embedWhatLayers',
      'frame-cap': 'embedFrame', 'frame-project-cap': 'embedFrameProject', 'frame-view-cap': 'embedFrameView',
      'date-cap': 'embedDate', 'date-latest-cap': 'embedDateLatest', 'lang-cap': 'embedLang', 'ratio-cap': 'embedRatio',
      'kind-cap': 'embedKind', 'pv-cap': 'embedPreview', 'pv-phone': 'previewPhone', 'pv-desktop': 'previewDesktop',
      copy: 'copyCode', 'link-cap': 'viewLink',
    }
    for (const [id, key] of Object.entries(caps)) $(`#pm-embed-${id}`).textContent = t(key)
    $('#pm-embed-date-fixed-cap').textContent = t('embedDateFixed')(app.date())
    const list = choices()
    $('#pm-embed-project').innerHTML = list
      .map((p) => `<option value="${p.number}"${p.number === o.project ? ' selected' : ''}>${p.number} ${esc(pickIn(p, 'title', lang()))}</option>`)
      .join('')
    const shown = app.layerTitles(app.currentState().layers)
    $('#pm-embed-layers-list').textContent = shown.length ? shown.join('、') : t('embedNoLayers')
    $('#pm-embed-what-project').disabled = !list.length
    $(`#pm-embed-what-${o.what}`).checked = true
    $('#pm-embed-project').disabled = o.what !== 'project'
    $('#pm-embed-frame-project').disabled = o.what !== 'project'
    $(`#pm-embed-frame-${o.frame}`).checked = true
    $(`#pm-embed-date-${o.date}`).checked = true
    $('#pm-embed-lang').value = o.lang
    $('#pm-embed-ratio').innerHTML = RATIOS.map(([name, r]) => `<option value="${r}"${r === o.ratio ? ' selected' : ''}>${name}</option>`).join('')
    $('#pm-embed-kind').innerHTML = KINDS.map((k) => `<option value="${k}"${k === o.kind ? ' selected' : ''}>${esc(t('embedKinds')[k])}</option>`).join('')
  }

  function render() {
    if ($('#pm-embed-dlg').hidden) return
    renderControls()
    const opts = options()
    const code = $('#pm-embed-code')
    const copy = $('#pm-embed-copy')
    const link = $('#pm-embed-link')
    if (!opts) {
      code.value = o.what === 'layers' && !app.currentState().layers.length ? t('embedNoLayers') : t('embedFrameWait')
      copy.disabled = true
      return
    }
    copy.disabled = false
    code.value = snippet(o.kind, opts)
    code.dataset.kind = o.kind
    link.href = link.textContent = pageURL(formatHash({ ...embedState(opts), embed: false }))
    const w = PREVIEW_WIDTHS[preview.mode()]
    $('#pm-embed-preview').title = t('previewFrame')(w)
    for (const b of document.querySelectorAll('.pm-embed-pvbtn')) b.setAttribute('aria-pressed', String(b.dataset.preview === preview.mode()))
    preview.show(embedSrc(opts), o.ratio)
  }

  async function copyCode() {
    const code = $('#pm-embed-code')
    const ok = await copyText(code.value, code)
    $('#pm-embed-status').textContent = ok ? t('copied') : t('copyFailed')
    if (!ok) {
      code.focus()
      code.select()
    }
  }

  // readForm takes the choices from the controls.
  function readForm() {
    o.what = radio('what') || o.what
    o.project = +$('#pm-embed-project').value || o.project
    o.frame = o.what === 'project' ? radio('frame') || 'project' : 'view'
    o.date = radio('date') || o.date
    o.lang = $('#pm-embed-lang').value === 'en' ? 'en' : 'zh'
    o.ratio = +$('#pm-embed-ratio').value || RATIOS[0][1]
    o.kind = KINDS.includes($('#pm-embed-kind').value) ? $('#pm-embed-kind').value : 'iframe'
  }

  function wire() {
    preview = embedPreview($('#pm-embed-stage'), $('#pm-embed-preview'))
    $('#pm-btn-embed').addEventListener('click', open)
    $('#pm-embed-close').addEventListener('click', close)
    $('#pm-embed-copy').addEventListener('click', copyCode)
    $('#pm-embed-form').addEventListener('change', (e) => {
      const wasWhat = o.what
      readForm()
      // Choosing a project frames it; choosing the layers, the view.
      if (o.what !== wasWhat) o.frame = o.what === 'project' ? 'project' : 'view'
      $('#pm-embed-status').textContent = ''
      render()
      if (e.target && e.target.focus) e.target.focus()
    })
    $('#pm-embed-form').addEventListener('submit', (e) => e.preventDefault())
    for (const b of document.querySelectorAll('.pm-embed-pvbtn')) {
      b.addEventListener('click', () => {
        preview.setMode(b.dataset.preview)
        render()
      })
    }
    window.addEventListener('resize', () => preview && preview.layout())
    wireDialog($('#pm-embed-dlg'), close)
  }

  return { open, close, render, wire }
}

