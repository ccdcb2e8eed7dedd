// Filters that act on the project list and on the map together (AND): a
// category (the chips), a district and a tracking status. They live in
// the URL (state.js: cat=, district=, status=).
//
// The map asks the server for what it shows: items?district=&status=,
// so it never downloads what it hides; a category hides the layers of the
// other categories. The list asks /api/projects?district= which projects
// reach a district (a share or a site there, by the same store filter),
// and filters by category and status itself.

import { t, pick } from './i18n.js'
import { esc } from './util.js'
import { glyph } from './status.js'

// districtOptions lists the districts of the base layer's features, in
// their order: [{code, name, name_en}].
export function districtOptions(features) {
  const out = []
  for (const f of features || []) {
    const p = f.properties || {}
    if (p.district && !out.some((d) => d.code === p.district)) out.push({ code: p.district, name: p.name || p.district, name_en: p.name_en || '' })
  }
  return out
}

// inCategory tells whether a layer (its info) is shown under category cat
// (0: all); base layers (no category) always are.
export const inCategory = (info, cat) => !cat || !info || !info.category || info.category === cat

// districtParam is the items' query for a district ('' for none).
export const districtParam = (district) => (district ? `&district=${encodeURIComponent(district)}` : '')

// projectsInDistrict fetches the numbers of the projects that reach a
// district, as a Set; null for no district.
export async function projectsInDistrict(getJSON, district, date) {
  if (!district) return null
  const res = await getJSON(`/api/projects?asof=${date}${districtParam(district)}`)
  return new Set((res.projects || []).map((p) => p.number))
}

// statusName is a tracking status in plain words.
export const statusName = (s) => (s === 'unreported' ? t('noReportYet') : t('scoreLabels')[s] || s)

// activeFilters lists the filters on, each {key, name, label} (label
// names the kind too: 区县：临潼区); names: {category(n), district(code)}
// give their names.
export function activeFilters(f, names) {
  const out = []
  const add = (key, name, kind, extra) => out.push({ key, name, label: t(kind)(name), ...extra })
  if (f.cat) {
    const c = names.category(f.cat)
    add('cat', c ? pick(c, 'name') : String(f.cat), 'catFilter')
  }
  if (f.district) {
    const d = names.district(f.district)
    add('district', d ? pick(d, 'name') : f.district, 'districtFilter')
  }
  if (f.status) add('status', statusName(f.status), 'statusFilter', { status: f.status })
  return out
}

// filtersSentence names the filters on in one line ('' when none is
// on), e.g. 仅显示：区县：临潼区；状态：落后.
export const filtersSentence = (list) => (list.length ? t('filterOn')(list.map((a) => a.name).join(t('filterSep'))) : '')

// activeFiltersHTML shows the filters on (仅显示：临潼区 × 落后 ×), each
// with a button that removes it, and one that clears them all ('' when
// none is on).
export function activeFiltersHTML(list) {
  if (!list.length) return ''
  let h = `<div class="pm-active" role="group" aria-label="${esc(t('activeFilters'))}"><span class="pm-active-title">${esc(t('filterOn')(''))}</span>`
  for (const a of list) {
    const sym = a.status ? `<span class="status-${a.status} pm-inline-glyph">${glyph(a.status, false, 18)}</span>` : ''
    h += `<button type="button" class="pm-active-chip" data-clear="${a.key}" aria-label="${esc(t('removeFilter')(a.label))}">${sym}<span>${esc(a.name)}</span><span aria-hidden="true"> ×</span></button>`
  }
  return h + `<button type="button" class="pm-linkbtn pm-active-clear" data-clear="all">${esc(t('clearFilters'))}</button></div>`
}

// districtSelectHTML is the district chooser.
export function districtSelectHTML(options, district) {
  const opt = (code, label) => `<option value="${esc(code)}"${code === district ? ' selected' : ''}>${esc(label)}</option>`
  return (
    `<label class="pm-district-pick"><span>${esc(t('districtLabel'))}</span><select id="pm-district">` +
    opt('', t('allDistricts')) +
    options.map((d) => opt(d.code, pick(d, 'name'))).join('') +
    '</select></label>'
  )
}

// cleared is the change that removes the filter key ('cat', 'district',
// 'status' or 'all').
export function cleared(key) {
  if (key === 'all') return { cat: 0, district: '', status: '' }
  return { [key]: key === 'cat' ? 0 : '' }
}

// categoryCounts counts, per category number, the projects that pass the
// other filters (keep).
export function categoryCounts(projects, keep) {
  const n = new Map()
  for (const p of projects) if (keep(p)) n.set(p.category, (n.get(p.category) || 0) + 1)
  return n
}

// markDistrict outlines the chosen district's polygon (base layer index:
// fid → {feature}) and no other.
export function markDistrict(index, district) {
  for (const [fid, e] of index || []) {
    const on = !!district && (e.feature.properties || {}).district === district
    for (const el of document.querySelectorAll(`path.pm-district[data-id="${CSS.escape(fid)}"]`)) el.classList.toggle('pm-district-on', on)
  }
}
