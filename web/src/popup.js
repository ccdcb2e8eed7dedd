// Popup and project-card HTML: name as the plan writes it, project, the
// tracking status with the plan beside it (tracking.js), the report
// history (filled in when it has loaded, history.js), the milestone
// timeline with the date marked, and a plain-words precision note with
// its source.

import { t, pick, pickList, lang } from './i18n.js'
import { esc, num } from './util.js'
import { precisionOf, APPROX } from './draw.js'
import { precisionText } from './easyread.js'
import { featureTrackingHTML, projectTrackingHTML } from './tracking.js'
import { historyURL, placeholderHTML } from './history.js'

// ATTRS are the layer attributes shown in a popup, in order.
const ATTRS = ['quantity', 'per_100k', 'population_2020', 'units', 'line', 'lines', 'interchange', 'population', 'villages', 'as_written', 'note']

function attrValue(v) {
  if (v === true) return t('yes')
  if (v === false || v == null || v === '') return ''
  if (Array.isArray(v)) return v.map((x) => esc(typeof x === 'number' ? num(x, lang()) : x)).join('、')
  if (typeof v === 'number') return esc(num(v, lang()))
  if (typeof v === 'object') return ''
  return esc(v)
}

function span(m) {
  if (m.start && m.start !== m.date) {
    const a = m.start
    const b = m.date.slice(0, 4) === a.slice(0, 4) ? m.date.slice(5) : m.date
    return `${a} — ${b}`
  }
  return m.date
}

function nowItem(asof, today) {
  const what = asof === today ? t('today') : t('selectedDate')
  return `<li class="pm-tl-now"><span class="pm-tl-date">${esc(asof)}</span><span>▶ ${esc(what)}</span></li>`
}

// timelineHTML lists each schedule's milestones with the asof day placed
// between the ones reached and the ones still to come.
export function timelineHTML(schedules, asof, today) {
  const parts = []
  for (const sc of schedules) {
    const ms = [...(sc.milestones || [])].sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0))
    if (!ms.length) continue
    let items = ''
    let placed = false
    for (const m of ms) {
      if (!placed && asof < m.date) {
        items += nowItem(asof, today)
        placed = true
      }
      // A milestone whose date has passed is due by the plan: that says
      // nothing of whether it was reached (only a report does).
      const due = m.date <= asof
      items +=
        `<li class="${due ? 'pm-tl-due' : 'pm-tl-todo'}"><span class="pm-tl-date">${esc(span(m))}</span>` +
        `<span>${esc(pick(m, 'text') || '')}</span></li>`
    }
    if (!placed) items += nowItem(asof, today)
    const head = schedules.length > 1 ? `<h5>${esc(pick(sc, 'name'))}</h5>` : ''
    parts.push(`${head}<ol class="pm-tl" tabindex="0" aria-label="${esc(t('a11yTimeline'))}">${items}</ol>`)
  }
  return parts.join('')
}

// schedulesFor picks what a site follows: its own milestones, else the
// project schedule it names, else all of the project's schedules.
export function schedulesFor(props, project) {
  if (Array.isArray(props.milestones) && props.milestones.length) {
    return [{ id: props.id, name: props.name, name_en: props.name_en, milestones: props.milestones }]
  }
  const all = (project && project.schedules) || []
  if (props.schedule) {
    const sc = all.find((s) => s.id === props.schedule)
    if (sc) return [sc]
  }
  return all
}

function targetHTML(project) {
  const target = pick(project, 'target')
  if (!target) return ''
  if (target.length <= 90) return `<p class="pm-target">${esc(target)}</p>`
  return `<details class="pm-target"><summary>${esc(target.slice(0, 60))}…</summary><p>${esc(target)}</p></details>`
}

// popupHTML is the content of a feature's popup.
export function popupHTML({ props, layerInfo, project, category, asof, today, downloads = '' }) {
  const en = lang() === 'en'
  const precision = precisionOf(props)
  let h = `<div class="pm-pop" data-id="${esc(props.id ?? '')}" data-layer="${esc(layerInfo ? layerInfo.id : '')}">`
  const layerTitle = layerInfo ? pick(layerInfo, 'title') : ''
  h += `<div class="pm-pop-layer">${esc(layerTitle)}${category ? ' · ' + esc(pick(category, 'name')) : ''}</div>`
  h += `<h3 lang="zh-CN">${esc(props.name || '')}</h3>`
  if (en && props.name_en && props.name_en !== props.name) h += `<div class="pm-pop-en" lang="en">${esc(props.name_en)}</div>`
  const where = [pick(props, 'district_name'), pick(props, 'zone_name')].filter(Boolean)
  if (where.length) h += `<div class="pm-pop-where">${esc(where.join(' · '))}</div>`
  const schedules = schedulesFor(props, project)
  if (props.project) {
    h += featureTrackingHTML(props, schedules, project)
    h += placeholderHTML(historyURL({ site: props.id, until: asof }))
  }

  let attrs = ''
  for (const k of ATTRS) {
    if (k === 'note' || k === 'as_written') continue
    const v = attrValue(props[k])
    if (v) attrs += `<dt>${esc(t('attrs')[k])}</dt><dd>${v}</dd>`
  }
  if (attrs) h += `<dl class="pm-attrs">${attrs}</dl>`

  if (project) {
    h += `<div class="pm-pop-project"><b>${esc(t('projectN')(project.number))} · ${esc(pick(project, 'title'))}</b>${targetHTML(project)}</div>${downloads}`
  }
  if (schedules.length) {
    h += `<h4>${esc(t('timeline'))}</h4>${timelineHTML(schedules, asof, today)}`
  }
  // The note is written in both languages (note, note_en); as_written is the plan's own words.
  const extra = ['as_written', 'note']
    .map((k) => [k, attrValue(k === 'note' ? pick(props, 'note') : props[k])])
    .map(([k, v]) => (v ? `<p class="pm-pop-${k === 'note' ? 'note' : 'written'}"><b>${esc(t('attrs')[k])}${t('colon')}</b>${v}</p>` : ''))
    .join('')
  if (extra) h += `<div class="pm-pop-extra">${extra}</div>`
  const precText = precisionText(props)
  h += `<p class="pm-precision${APPROX.has(precision) ? ' pm-approx-note' : ''}">${esc(precText)}</p>`
  const source = pick(props, 'source')
  if (source) h += `<p class="pm-source"><b>${esc(t('source'))}${t('colon')}</b>${esc(source)}</p>`
  h += '</div>'
  return h
}

// projectCardHTML is the selected project's card in the project panel.
export function projectCardHTML({ project, category, asof, today, hasSites }) {
  let h = `<div class="pm-card-head"><span class="pm-num">${project.number}</span><div><h3>${esc(pick(project, 'title'))}</h3>`
  if (category) h += `<div class="pm-card-cat">${esc(pick(category, 'name'))}</div>`
  h += `</div><button type="button" class="pm-card-close" data-action="deselect" aria-label="${esc(t('deselect'))}">×</button></div>`
  h += projectTrackingHTML(project)
  h += placeholderHTML(historyURL({ project: project.number, until: asof }))
  const target = pick(project, 'target')
  if (target) h += `<p><b>${esc(t('target'))}${t('colon')}</b>${esc(target)}</p>`
  if (project.agencies && project.agencies.length) h += `<p><b>${esc(t('agencies'))}${t('colon')}</b>${esc(project.agencies.join('、'))}</p>`
  if (hasSites) h += `<button type="button" class="pm-btn" data-action="show-project">${esc(t('showOnMap'))}</button>`
  else h += `<p class="pm-muted">${esc(t('noSites'))}</p>`
  const schedules = project.schedules || []
  h += `<h4>${esc(t('timeline'))}</h4>`
  h += schedules.length ? timelineHTML(schedules, asof, today) : `<p class="pm-muted">${esc(t('noSchedule'))}</p>`
  const notes = pickList(project, 'notes')
  if (notes.length) {
    h += `<details class="pm-notes"><summary>${esc(t('notes'))}</summary><ul>${notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul></details>`
  }
  return h
}
