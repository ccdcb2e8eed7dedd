// A place's or a project's report history, from /api/reports: newest
// first, each report with its date, status, measure, agency, source,
// evidence link and note; a retracted report stays in the list, struck
// through, with the reason. Above it, the chart of the plan's curve with
// the reported points (chart.js). Everything the server sends is escaped.

import { t, pick, lang } from './i18n.js'
import { esc, num, pct } from './util.js'
import { evidenceLink } from './tracking.js'
import { chartSVG } from './chart.js'

export const HISTORY_LIMIT = 50

// historyURL is the reports request of a place (site) or a project (and
// schedule), up to the chosen date: the history is what was known then,
// like everything else the map shows for that date.
export function historyURL({ site, project, schedule, until }) {
  const q = new URLSearchParams()
  if (site) q.set('site', site)
  else {
    if (!project) return ''
    q.set('project', String(project))
    if (schedule) q.set('schedule', schedule)
  }
  if (until) q.set('until', until)
  q.set('limit', String(HISTORY_LIMIT))
  return `/api/reports?${q}`
}

// placeholderHTML marks where the history goes until it has loaded.
export function placeholderHTML(url) {
  if (!url) return ''
  return `<section class="pm-history" data-history="${esc(url)}" aria-live="polite"><p class="pm-muted">${esc(t('historyLoading'))}</p></section>`
}

function metricOf(project, key) {
  return ((project && project.metrics) || []).find((m) => m.key === key) || null
}

function measureText(r, project, schedules) {
  if (typeof r.quantity === 'number') {
    const m = metricOf(project, r.metric)
    const unit = m ? (lang() === 'en' ? '' : m.unit || '') : ''
    const q = `${num(r.quantity, lang())}${unit}`
    if (m && typeof m.target === 'number') return lang() === 'en' ? `${q} of ${num(m.target, 'en')} ${pick(m, 'name')}` : `${pick(m, 'name')}${q}（目标${num(m.target, 'zh')}${unit}）`
    return q
  }
  if (typeof r.milestone === 'number') {
    const sc = schedules.find((s) => s.id === r.schedule) || (schedules.length === 1 ? schedules[0] : null)
    return t('measureMilestone')(r.milestone, sc && sc.milestones ? sc.milestones.length : 0)
  }
  return ''
}

// entryHTML is one report of the list.
export function entryHTML(r, { project, schedules, site }) {
  const retracted = !!r.retraction
  const words = t('reportStatus')
  const measure = measureText(r, project, schedules)
  let body =
    `<div class="pm-rep-head"><time datetime="${esc(r.reported_on)}">${esc(r.reported_on)}</time>` +
    `<b>${esc(words[r.status] || r.status || '')}</b><span>${esc(t('barReported')(pct(r.progress)))}</span></div>`
  if (measure) body += `<div>${esc(measure)}${r.exceeds_target ? ` · ${esc(t('exceeds'))}` : ''}</div>`
  if (r.reported_by) body += `<div><span class="pm-rep-k">${esc(t('reportedBy'))}${t('colon')}</span>${esc(r.reported_by)}</div>`
  if (r.source) body += `<div><span class="pm-rep-k">${esc(t('reportSource'))}${t('colon')}</span>${esc(r.source)}</div>`
  if (r.note) body += `<div class="pm-rep-note"><span class="pm-rep-k">${esc(t('reportNote'))}${t('colon')}</span>${esc(r.note)}</div>`
  const link = evidenceLink(r.evidence_url)
  if (link) body += `<div>${link}</div>`
  if (site && !r.site && r.schedule) {
    const sc = ((project && project.schedules) || []).find((s) => s.id === r.schedule)
    body += `<div class="pm-inherited">${esc(t('inherited')(sc ? pick(sc, 'name') : r.schedule))}</div>`
  }
  const cls = retracted ? 'pm-rep pm-rep-retracted' : 'pm-rep'
  let h = `<li class="${cls}" data-report="${esc(r.id)}">`
  h += retracted ? `<del class="pm-rep-body">${body}</del>` : `<div class="pm-rep-body">${body}</div>`
  if (retracted) {
    const reason = r.retraction.reason ? t('retracted')(r.retraction.reason) : t('retractedNoReason')
    h += `<p class="pm-rep-retraction">${esc(reason)}${r.retraction.retracted_by ? ` · ${esc(r.retraction.retracted_by)}` : ''}</p>`
  }
  return h + '</li>'
}

// chartHTML draws one chart. Its top is labelled with the target figure
// only for a whole schedule: one place of 16 intersections done is 100% of
// that place, not 16.
function chartHTML({ schedules, reports, project, asof, from, to, name, caption, site }) {
  const metricSchedule = schedules.length === 1 && schedules[0].metric ? schedules[0] : null
  if (!schedules.length || !(reports.length || metricSchedule)) return ''
  const m = metricSchedule && !site ? metricOf(project, metricSchedule.metric) : null
  const target = m && typeof m.target === 'number' ? { value: m.target, unit: lang() === 'en' ? '' : m.unit || '' } : null
  return chartSVG({ schedules, reports, asof, from, to, target, name, caption })
}

// historyHTML is the loaded history: the chart (when there are reports, or
// the schedule counts a metric) and the list. For a place (site set) the
// chart is the curve it follows with all its reports; for a project, one
// chart per schedule with the reports on that schedule (reports on single
// places are listed, not plotted: one place is not the whole).
export function historyHTML(res, ctx) {
  const { project, schedules, site, name } = ctx
  const reports = (res && res.reports) || []
  const matched = res && typeof res.numberMatched === 'number' ? res.numberMatched : reports.length
  let h = ''
  if (site) h += chartHTML({ ...ctx, reports, name })
  else {
    for (const sc of schedules) {
      const own = reports.filter((r) => !r.site && (r.schedule === sc.id || (!r.schedule && schedules.length === 1)))
      const several = schedules.length > 1
      h += chartHTML({ ...ctx, schedules: [sc], reports: own, name: several ? pick(sc, 'name') : name, caption: several ? pick(sc, 'name') : '' })
    }
  }
  h += `<h4>${esc(reports.length ? t('historyCount')(matched) : t('history'))}</h4>`
  if (!reports.length) return h + `<p class="pm-muted">${esc(t('historyEmpty'))}</p>`
  h += `<ol class="pm-reps">${reports.map((r) => entryHTML(r, { project, schedules, site })).join('')}</ol>`
  if (matched > reports.length) h += `<p class="pm-muted">${esc(t('historyMore')(matched - reports.length))}</p>`
  return h
}

// fillHistory loads the history of every placeholder inside el and writes
// it in. ctx gives what the entries need; getJSON is the page's fetch.
export async function fillHistory(el, ctx, getJSON) {
  if (!el) return
  for (const sec of el.querySelectorAll('[data-history]')) {
    const url = sec.dataset.history
    let html
    try {
      html = historyHTML(await getJSON(url), ctx)
    } catch (e) {
      console.error(e)
      html = `<p class="pm-muted">${esc(t('historyFailed'))}</p>`
    }
    // The popup may have been re-rendered meanwhile; write only into the
    // placeholder that asked.
    if (sec.isConnected) {
      sec.innerHTML = html
      sec.removeAttribute('data-history')
      sec.dataset.loaded = url
    }
  }
}
