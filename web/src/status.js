// Tracking status: what colours and shapes a marker. It comes from the
// reports (feature property `status`, project `status`), never from the
// plan: only a report makes anything "completed", and with no report a
// place is "unreported". The plan's expectation (`planned`,
// `planned_status`, `due`) is shown beside it, in words that say it is a
// plan (see plannedText).
//
// Every status has its own glyph shape as well as its colour, so the map
// reads without colour: ✓ in a disc reported completed, → in a disc on
// track, ! in a diamond behind, – in a ring not started, ❚❚ in a square
// suspended, ? in a grey ring unreported. Colours are CSS variables
// (--st-<status> in style.css), so recolouring is a class change.

import { t, lang } from './i18n.js'

export const TRACKING = ['completed', 'on_track', 'behind', 'not_started', 'suspended', 'unreported']
export const PLANNED = ['not_due', 'under_way', 'due']

// trackingOf returns the tracking status of feature properties or a
// project; anything else (no field, an older server's planned status)
// reads as unreported: a status never claims more than the data says.
export function trackingOf(o) {
  return TRACKING.includes(o && o.status) ? o.status : 'unreported'
}

// plannedOf returns the planned state of feature properties:
// {fraction, status, due}; fraction is null when the feature has no plan
// (a base-layer feature).
export function plannedOf(p) {
  if (!p) return { fraction: null, status: null, due: '' }
  const fraction = typeof p.planned === 'number' ? p.planned : typeof p.progress === 'number' ? p.progress : null
  const status = PLANNED.includes(p.planned_status) ? p.planned_status : PLANNED.includes(p.status) ? p.status : null
  return { fraction, status, due: typeof p.due === 'string' ? p.due : '' }
}

// reportedOf returns what the report that speaks for a feature says, or
// null when there is none.
export function reportedOf(p) {
  if (!p || typeof p.reported !== 'number') return null
  return {
    fraction: p.reported,
    status: p.reported_status || '',
    on: p.reported_on || '',
    by: p.reported_by || '',
    source: p.report_source || '',
    url: p.report_url || '',
    id: p.report_id ?? null,
    schedule: p.report_schedule || '',
  }
}

// glyph returns an inline SVG of a tracking status drawn in currentColor.
// approx (a place known only to its town, district or zone) puts a
// smaller glyph inside a dashed halo: the shape still tells the status,
// the halo tells that the place is approximate.
export function glyph(status, approx = false, size = 24) {
  let g
  switch (status) {
    case 'completed':
      g =
        '<circle cx="12" cy="12" r="9.5" fill="currentColor" stroke="#fff" stroke-width="1.5"/>' +
        '<path d="M7.6 12.4l3 3 5.8-6.4" fill="none" stroke="#fff" stroke-width="2.6" stroke-linecap="round" stroke-linejoin="round"/>'
      break
    case 'on_track':
      g =
        '<circle cx="12" cy="12" r="9.5" fill="currentColor" stroke="#fff" stroke-width="1.5"/>' +
        '<path d="M7 12h9M12.6 8.2 16.4 12l-3.8 3.8" fill="none" stroke="#fff" stroke-width="2.5" stroke-linecap="round" stroke-linejoin="round"/>'
      break
    case 'behind':
      g =
        '<path d="M12 1.5 22.5 12 12 22.5 1.5 12z" fill="currentColor" stroke="#fff" stroke-width="1.5" stroke-linejoin="round"/>' +
        '<path d="M12 7v6.2" stroke="#fff" stroke-width="2.6" stroke-linecap="round"/><circle cx="12" cy="16.8" r="1.5" fill="#fff"/>'
      break
    case 'not_started':
      g =
        '<circle cx="12" cy="12" r="8.5" fill="#fff" stroke="currentColor" stroke-width="3"/>' +
        '<path d="M8.4 12h7.2" stroke="currentColor" stroke-width="2.8" stroke-linecap="round"/>'
      break
    case 'suspended':
      g =
        '<rect x="2.5" y="2.5" width="19" height="19" rx="4" fill="currentColor" stroke="#fff" stroke-width="1.5"/>' +
        '<path d="M9.3 7.5v9M14.7 7.5v9" stroke="#fff" stroke-width="2.8" stroke-linecap="round"/>'
      break
    case 'unreported':
      g =
        '<circle cx="12" cy="12" r="8.8" fill="#fff" stroke="currentColor" stroke-width="2.2"/>' +
        '<path d="M9.5 9.7a2.6 2.6 0 1 1 3.7 2.4c-.8.4-1.2.9-1.2 1.7v.5" fill="none" stroke="currentColor" stroke-width="2.1" stroke-linecap="round"/>' +
        '<circle cx="12" cy="16.9" r="1.3" fill="currentColor"/>'
      break
    default:
      g = '<rect x="5" y="5" width="14" height="14" rx="3" fill="#fff" stroke="currentColor" stroke-width="3"/>'
  }
  if (approx) {
    g =
      '<circle cx="12" cy="12" r="11" fill="currentColor" fill-opacity=".12" stroke="currentColor" stroke-width="1.6" stroke-dasharray="3.2 2.2"/>' +
      `<g transform="translate(12 12) scale(.66) translate(-12 -12)">${g}</g>`
  }
  return `<svg viewBox="0 0 24 24" width="${size}" height="${size}" aria-hidden="true" focusable="false">${g}</svg>`
}

// ---------- dates in words ----------

const MONTHS_EN = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December']

function parts(d) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(d || '')
  return m ? { y: +m[1], m: +m[2], d: +m[3] } : null
}

const lastOfMonth = ({ y, m, d }) => new Date(Date.UTC(y, m, 0)).getUTCDate() === d

// byDate writes the day a plan says something is due as people say it:
// 2024年12月底 / end of December 2024 for a month's last day.
export function byDate(date) {
  const p = parts(date)
  if (!p) return date || ''
  const en = lang() === 'en'
  if (lastOfMonth(p)) return en ? `end of ${MONTHS_EN[p.m - 1]} ${p.y}` : `${p.y}年${p.m}月底`
  return en ? `${p.d} ${MONTHS_EN[p.m - 1]} ${p.y}` : `${p.y}年${p.m}月${p.d}日`
}

// monthOf writes the month of a date: 2024年3月 / March 2024.
export function monthOf(date) {
  const p = parts(date)
  if (!p) return date || ''
  return lang() === 'en' ? `${MONTHS_EN[p.m - 1]} ${p.y}` : `${p.y}年${p.m}月`
}

// scheduleStart is the first day of a set of schedules: the earliest start
// of a milestone's span, or the first of the month its first milestone is
// due in.
export function scheduleStart(schedules) {
  let start = ''
  for (const sc of schedules || []) {
    for (const m of sc.milestones || []) {
      const d = m.start || (m.date ? m.date.slice(0, 8) + '01' : '')
      if (d && (!start || d < start)) start = d
    }
  }
  return start
}

// plannedText says what the plan expects, as the plan's word, never as a
// fact: 计划：应于2024年12月底完成 / Scheduled to be done by end of December 2024.
export function plannedText(planned, start) {
  const due = planned.due ? byDate(planned.due) : ''
  const words = t('plannedWords')
  switch (planned.status) {
    case 'due':
      return due ? words.due(due) : words.dueNoDate
    case 'under_way':
      return due ? words.underWay(due) : words.underWayNoDate
    case 'not_due':
      return start && due ? words.notDue(monthOf(start), due) : due ? words.notDueNoStart(due) : words.notDueNoDate
  }
  return due ? words.byOnly(due) : ''
}
