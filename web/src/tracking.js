// Planned against reported, as HTML: the tracking status (glyph and
// word), the plan's expectation in words that say it is a plan, two bars
// (planned fraction, reported fraction) and the latest report's date,
// agency, source and evidence link. Used by the popup, the project list
// and the project card. All server text goes through esc: sources and
// notes are written by people.

import { t, pick } from './i18n.js'
import { esc, pct } from './util.js'
import { glyph, trackingOf, plannedOf, reportedOf, plannedText, scheduleStart, TRACKING } from './status.js'

// statusLineHTML is a status's glyph and word.
export function statusLineHTML(status, extra = '') {
  return `<div class="pm-status status-${status}" data-status="${status}">${glyph(status, false, 24)}<span>${esc(t('track')[status])}</span>${extra}</div>`
}

// barsHTML draws the planned and the reported fraction one above the other;
// with no report the second row says so in words.
export function barsHTML({ planned, reported, status }) {
  const row = (label, inner, value) =>
    `<div class="pm-pvr-row"><span class="pm-pvr-label">${esc(label)}</span>${inner}<span class="pm-pvr-val">${value}</span></div>`
  let h = '<div class="pm-pvr">'
  if (planned != null) {
    const p = pct(planned)
    h += row(t('plannedLabel'), `<span class="pm-bar pm-bar-plan" role="img" aria-label="${esc(t('barPlanned')(p))}"><span style="width:${p}%"></span></span>`, `${p}%`)
  }
  if (reported != null) {
    const r = pct(reported)
    h += row(t('reportedLabel'), `<span class="pm-bar pm-bar-rep status-${status}" role="img" aria-label="${esc(t('barReported')(r))}"><span style="width:${r}%"></span></span>`, `${r}%`)
  } else {
    h += row(t('reportedLabel'), `<span class="pm-pvr-none">${esc(t('noReportShort'))}</span>`, '')
  }
  return h + '</div>'
}

// evidenceLink is a report's evidence URL as a link that opens in a new
// tab; only http(s) URLs become links.
export function evidenceLink(url) {
  if (!url || !/^https?:\/\//i.test(url)) return ''
  return `<a class="pm-evidence" href="${esc(url)}" target="_blank" rel="noopener noreferrer">${esc(t('evidence'))} ↗</a>`
}

// latestHTML is the box with the report that speaks for a place or project.
export function latestHTML({ on, by, source, url, inheritedFrom }) {
  let h = `<div class="pm-latest"><div class="pm-latest-head">${esc(t('latestReport'))}</div><dl class="pm-attrs">`
  if (on) h += `<dt>${esc(t('reportDate'))}</dt><dd>${esc(on)}</dd>`
  if (by) h += `<dt>${esc(t('reportedBy'))}</dt><dd>${esc(by)}</dd>`
  if (source) h += `<dt>${esc(t('reportSource'))}</dt><dd>${esc(source)}</dd>`
  h += '</dl>'
  const link = evidenceLink(url)
  if (link) h += `<p class="pm-latest-link">${link}</p>`
  if (inheritedFrom) h += `<p class="pm-inherited">${esc(t('inherited')(inheritedFrom))}</p>`
  return h + '</div>'
}

// featureTrackingHTML is the top of a feature's popup: status, plan,
// bars and the latest report. schedules are what the feature follows
// (for the plan's start date and the inherited schedule's name).
export function featureTrackingHTML(props, schedules, project) {
  const status = trackingOf(props)
  const planned = plannedOf(props)
  const rep = reportedOf(props)
  let h = statusLineHTML(status)
  const plan = plannedText(planned, scheduleStart(schedules))
  h += `<p class="pm-plan-text">${esc(plan)}${rep ? '' : `${plan ? ' · ' : ''}<b>${esc(t('noReport'))}</b>`}</p>`
  h += barsHTML({ planned: planned.fraction, reported: rep && rep.fraction, status })
  if (rep) {
    let inheritedFrom = ''
    if (rep.schedule) {
      const sc = ((project && project.schedules) || []).find((s) => s.id === rep.schedule)
      inheritedFrom = sc ? pick(sc, 'name') : rep.schedule
    }
    h += latestHTML({ on: rep.on, by: rep.by, source: rep.source, url: rep.url, inheritedFrom })
  }
  return h
}

// projectPlanned reads a project's (or schedule's) planned state.
export function projectPlanned(p) {
  const pl = (p && (p.planned || p.progress)) || {}
  return plannedOf({ planned: pl.planned, planned_status: pl.status, due: p && p.due })
}

// projectReported reads a project's reported state: {fraction, on, by,
// source, url, basis} or null.
export function projectReported(p) {
  const r = p && p.reported
  if (!r || typeof r.progress !== 'number') return null
  const rep = r.report || null
  return {
    fraction: r.progress,
    on: r.reported_on || (rep && rep.reported_on) || '',
    by: rep ? rep.reported_by : '',
    source: rep ? rep.source : '',
    url: rep ? rep.evidence_url : '',
    basis: r.basis || '',
  }
}

// sitesText says how a project's places stand: "74个地点中，31个报告已完成，43个未报告".
export function sitesText(sites) {
  if (!sites || !sites.total) return ''
  const counts = sites.counts || {}
  if ((counts.unreported || 0) >= sites.total) return t('sitesNone')(sites.total)
  const list = TRACKING.filter((s) => counts[s] > 0).map((s) => t('siteCounts')[s](counts[s]))
  return t('sitesRoll')(sites.total, list.join(t('listSep')))
}

// projectMetaHTML is a project's line in the list: glyph, status, planned
// and reported, and its places.
export function projectMetaHTML(p) {
  const status = trackingOf(p)
  const planned = projectPlanned(p)
  const rep = projectReported(p)
  const nums = [planned.fraction != null ? t('plannedPctShort')(pct(planned.fraction)) : '', rep ? t('reportedPctShort')(pct(rep.fraction)) : t('noReport')]
    .filter(Boolean)
    .join(' · ')
  let h =
    `<span class="pm-proj-meta status-${status}" data-status="${status}"><span class="pm-inline-glyph">${glyph(status, false, 20)}</span>` +
    `<b>${esc(t('track')[status])}</b><span class="pm-proj-nums">${esc(nums)}</span></span>` +
    `<span class="pm-bars2"><span class="pm-bar pm-bar-plan"><span style="width:${pct(planned.fraction)}%"></span></span>` +
    `<span class="pm-bar pm-bar-rep status-${status}"><span style="width:${rep ? pct(rep.fraction) : 0}%"></span></span></span>`
  const st = sitesText(p.sites)
  if (st) h += `<span class="pm-proj-sites">${esc(st)}</span>`
  return h
}

// projectTrackingHTML is the status part of the selected project's card:
// the project as a whole, then each of its schedules when it has several.
export function projectTrackingHTML(p) {
  const status = trackingOf(p)
  const planned = projectPlanned(p)
  const rep = projectReported(p)
  const start = scheduleStart(p.schedules)
  let h = statusLineHTML(status)
  const plan = plannedText(planned, start)
  h += `<p class="pm-plan-text">${esc(plan)}${rep ? '' : `${plan ? ' · ' : ''}<b>${esc(t('noReport'))}</b>`}</p>`
  h += barsHTML({ planned: planned.fraction, reported: rep && rep.fraction, status })
  if (rep && rep.basis && t('basis')[rep.basis]) h += `<p class="pm-muted">${esc(t('basis')[rep.basis])}</p>`
  const st = sitesText(p.sites)
  if (st) h += `<p class="pm-proj-sites">${esc(st)}</p>`
  if (rep && (rep.by || rep.source)) h += latestHTML(rep)
  const scs = (p.schedules || []).filter((s) => s.planned || s.status)
  if (scs.length > 1) {
    h += `<h4>${esc(t('scheduleStatus'))}</h4><ul class="pm-sched-list">`
    for (const sc of scs) {
      const s = trackingOf(sc)
      const pl = projectPlanned(sc)
      const r = sc.reported && typeof sc.reported.progress === 'number' ? sc.reported : null
      const nums = [pl.fraction != null ? t('plannedPctShort')(pct(pl.fraction)) : '', r ? t('reportedPctShort')(pct(r.progress)) : t('noReport')].filter(Boolean).join(' · ')
      h +=
        `<li data-status="${s}"><span class="pm-inline-glyph status-${s}">${glyph(s, false, 20)}</span><span><b>${esc(pick(sc, 'name'))}</b>` +
        `<br>${esc(t('track')[s])} · ${esc(nums)}${r ? ` · ${esc(r.reported_on)}` : ''}</span></li>`
    }
    h += '</ul>'
  }
  return h
}
