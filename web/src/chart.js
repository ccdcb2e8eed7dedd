// The plan's cumulative curve with the reported points, as a small inline
// SVG: planned fraction (a step at each milestone, as the server counts
// it) against the date, each report a dot at its reported fraction, a
// retracted one a grey ring with a cross, and a line at the chosen date.
// The y axis is the fraction; a schedule with a metric labels its top with
// the target figure (4,700 piles).

import { t, lang } from './i18n.js'
import { esc, num, pct } from './util.js'

// plannedAt mirrors domain.Schedule.Progress: the share of the final
// figure of the schedule's metric reached by d, or of its milestones due
// by d; 0 before the schedule starts. (The server's figures are what the
// bars show; this only draws the curve.)
export function plannedAt(sc, d) {
  const ms = [...(sc.milestones || [])].sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0))
  if (!ms.length) return 0
  const start = ms.reduce((s, m) => {
    const b = m.start || m.date.slice(0, 8) + '01'
    return !s || b < s ? b : s
  }, '')
  if (d < start) return 0
  let p = null
  if (sc.metric) {
    let final = 0
    let reached = 0
    for (const m of ms) {
      const v = m.quantities && m.quantities[sc.metric]
      if (typeof v !== 'number') continue
      final = v
      if (m.date <= d) reached = v
    }
    if (final > 0) p = Math.min(1, reached / final)
  }
  if (p == null) p = ms.filter((m) => m.date <= d).length / ms.length
  return p
}

// curveOf is the planned fraction of a set of schedules (their mean) at
// every date it can change: [{date, f}], ascending.
export function curveOf(schedules) {
  const dates = new Set()
  for (const sc of schedules) {
    for (const m of sc.milestones || []) {
      dates.add(m.date)
      dates.add(m.start || m.date.slice(0, 8) + '01')
    }
  }
  const out = []
  for (const d of [...dates].sort()) {
    const f = schedules.reduce((a, sc) => a + plannedAt(sc, d), 0) / schedules.length
    if (!out.length || out[out.length - 1].f !== f) out.push({ date: d, f })
  }
  return out
}

const DAY = 86400000
const dayOf = (d) => Date.parse(d + 'T00:00:00Z') / DAY

// chartSVG draws the chart. schedules: what the plan says; reports: the
// history (retracted ones included); from..to: the x axis; target: {value,
// unit} labels the top of a metric's axis.
export function chartSVG({ schedules, reports, asof, from, to, target, name, caption }) {
  const W = 320
  const H = 150
  // Room on the left for the y labels: "100%", or a target such as "4,700个".
  const top = target ? `${num(target.value, lang())}${target.unit || ''}` : '100%'
  const L = Math.max(38, 10 + [...top].reduce((w, ch) => w + (ch.charCodeAt(0) > 0x2e80 ? 12 : 7), 0))
  const R = 10
  const T = 12
  const B = 26
  const x0 = dayOf(from)
  const x1 = Math.max(dayOf(to), x0 + 1)
  const X = (d) => L + ((Math.min(Math.max(dayOf(d), x0), x1) - x0) / (x1 - x0)) * (W - L - R)
  const Y = (f) => T + (1 - Math.max(0, Math.min(1, f))) * (H - T - B)
  let g = ''
  // grid and y labels
  for (const f of [0, 0.5, 1]) {
    g += `<line x1="${L}" x2="${W - R}" y1="${Y(f)}" y2="${Y(f)}" class="pm-ch-grid"/>`
    const label = f === 1 ? top : `${pct(f)}%`
    g += `<text x="${L - 4}" y="${Y(f) + 4}" text-anchor="end" class="pm-ch-tick">${esc(label)}</text>`
  }
  // x labels: the first of every third month in the span
  const y0 = +from.slice(0, 4)
  const y1 = +to.slice(0, 4)
  for (let y = y0; y <= y1; y++) {
    for (const m of [1, 4, 7, 10]) {
      const d = `${y}-${String(m).padStart(2, '0')}-01`
      if (d < from || d > to) continue
      // The year only where the span crosses into another.
      const year = m === 1 && y0 !== y1
      const label = lang() === 'en' ? ['Jan', 'Apr', 'Jul', 'Oct'][(m - 1) / 3] + (year ? ` ${y}` : '') : year ? `${y}年1月` : `${m}月`
      g += `<line x1="${X(d)}" x2="${X(d)}" y1="${H - B}" y2="${H - B + 4}" class="pm-ch-axis"/>`
      g += `<text x="${X(d)}" y="${H - 8}" text-anchor="${m === 1 && X(d) < L + 20 ? 'start' : 'middle'}" class="pm-ch-tick">${esc(label)}</text>`
    }
  }
  g += `<line x1="${L}" x2="${W - R}" y1="${H - B}" y2="${H - B}" class="pm-ch-axis"/>`
  // the plan: a step line with a light area under it
  const curve = curveOf(schedules)
  if (curve.length) {
    let d = `M${X(from)} ${Y(0)}`
    for (const c of curve) d += `H${X(c.date)}V${Y(c.f)}`
    d += `H${X(to)}`
    g += `<path d="${d}V${Y(0)}Z" class="pm-ch-plan-area"/><path d="${d}" class="pm-ch-plan"/>`
  }
  // the chosen date
  if (asof >= from && asof <= to) {
    g += `<line x1="${X(asof)}" x2="${X(asof)}" y1="${T - 4}" y2="${H - B}" class="pm-ch-now"/>`
  }
  // the reports: kept ones joined oldest to newest, retracted ones apart
  const kept = reports.filter((r) => !r.retraction && typeof r.progress === 'number').sort((a, b) => (a.reported_on < b.reported_on ? -1 : 1))
  if (kept.length > 1) g += `<path d="${kept.map((r, i) => `${i ? 'L' : 'M'}${X(r.reported_on)} ${Y(r.progress)}`).join('')}" class="pm-ch-rep-line"/>`
  for (const r of reports) {
    if (typeof r.progress !== 'number') continue
    const cx = X(r.reported_on)
    const cy = Y(r.progress)
    const title = `<title>${esc(`${r.reported_on} · ${pct(r.progress)}%${r.retraction ? ' · ' + t('retractedNoReason') : ''}`)}</title>`
    if (r.retraction) {
      g += `<g class="pm-ch-retracted">${title}<circle cx="${cx}" cy="${cy}" r="5"/><path d="M${cx - 3.5} ${cy - 3.5}l7 7M${cx + 3.5} ${cy - 3.5}l-7 7"/></g>`
    } else {
      g += `<g class="pm-ch-rep">${title}<circle cx="${cx}" cy="${cy}" r="5.5"/></g>`
    }
  }
  const label = t('chartLabel')(name || '')
  return (
    `<figure class="pm-chart">${caption ? `<div class="pm-ch-name">${esc(caption)}</div>` : ''}<svg viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(label)}">${g}</svg>` +
    `<figcaption><span class="pm-ch-key pm-ch-key-plan"></span>${esc(t('chartPlanned'))}` +
    `<span class="pm-ch-key pm-ch-key-rep"></span>${esc(t('chartReported'))}` +
    (reports.some((r) => r.retraction) ? `<span class="pm-ch-key pm-ch-key-ret"></span>${esc(t('chartRetracted'))}` : '') +
    `</figcaption></figure>`
  )
}
