// Downloads: real links to the API's whole-selection files
// (/ogc/collections/{id}/download?f=csv|json), for a layer, a project's
// sites in its layers, and the layers an embed shows. Each link names its
// layer and format for screen readers and carries `download`.

import { t, pick } from './i18n.js'
import { esc } from './util.js'

// FORMATS are the files offered: the f= value and the name shown.
export const FORMATS = [
  ['csv', 'CSV'],
  ['json', 'GeoJSON'],
]

// downloadURL is a layer's download on a date (none: the server's
// default), of one project's sites (0: all), of one district ('': all),
// of one tracking status ('': all) and plan ('': the default).
export function downloadURL(layer, f, { asof = '', project = 0, district = '', status = '', plan = '' } = {}) {
  const q = [`f=${f}`]
  if (asof) q.push(`asof=${asof}`)
  if (project) q.push(`project=${project}`)
  if (district) q.push(`district=${encodeURIComponent(district)}`)
  if (status) q.push(`status=${status}`)
  if (plan) q.push(`plan=${encodeURIComponent(plan)}`)
  return `/ogc/collections/${encodeURIComponent(layer)}/download?${q.join('&')}`
}

// linksHTML is one layer's links: "CSV GeoJSON", each labelled in full
// (what: the layer's or project's name).
export function linksHTML(layer, what, opts = {}) {
  return FORMATS.map(([f, name]) => {
    const href = downloadURL(layer, f, opts)
    const label = t('downloadLabel')(what, name)
    return `<a class="pm-dl-link" href="${esc(href)}" download data-format="${f}" aria-label="${esc(label)}" title="${esc(label)}">${name}</a>`
  }).join(' ')
}

// layerDownloadsHTML is the download row of a layer list entry: one pair
// of links per member layer (a group shows its members by name).
export function layerDownloadsHTML(layers, opts = {}) {
  const many = layers.length > 1
  return (
    `<span class="pm-dl" data-dl-layer="${esc(layers[0] ? layers[0].id : '')}"><span class="pm-dl-cap" aria-hidden="true">${esc(t('download'))}</span> ` +
    layers.map((c) => (many ? `<span class="pm-dl-part">${esc(pick(c, 'title'))}: ` : '') + linksHTML(c.id, pick(c, 'title'), opts) + (many ? '</span>' : '')).join(' ') +
    '</span>'
  )
}

// projectDownloadsHTML offers a project's sites in each of its layers.
// layers: [{id, title, title_en}] of the project.
export function projectDownloadsHTML(project, layers, opts = {}) {
  if (!project || !layers.length) return ''
  const what = (c) => `${t('projectN')(project.number)} ${pick(c, 'title')}`
  return (
    `<div class="pm-dl pm-dl-project" data-dl-project="${project.number}"><span class="pm-dl-cap">${esc(t('downloadProject'))}</span> ` +
    layers.map((c) => (layers.length > 1 ? `<span class="pm-dl-part">${esc(pick(c, 'title'))}: ` : '') + linksHTML(c.id, what(c), { ...opts, project: project.number }) + (layers.length > 1 ? '</span>' : '')).join(' ') +
    '</div>'
  )
}

// getDataHTML is the embed badge's 获取数据 / Get the data: a disclosure
// with the links of every layer shown, with the embed's filters (project,
// district, status): the data the map shows.
export function getDataHTML(layers, opts = {}) {
  if (!layers.length) return ''
  const what = (c) => (opts.project ? `${t('projectN')(opts.project)} ` : '') + pick(c, 'title')
  return (
    `<details class="pm-getdata"><summary>${esc(t('getData'))}</summary><ul>` +
    layers.map((c) => `<li><span>${esc(pick(c, 'title'))}</span> ${linksHTML(c.id, what(c), opts)}</li>`).join('') +
    '</ul></details>'
  )
}

// redate points every download link under root at another date (the
// layer list is not redrawn when the date changes).
export function redate(root, date) {
  for (const a of root.querySelectorAll('a.pm-dl-link')) {
    const u = new URL(a.getAttribute('href'), location.href)
    u.searchParams.set('asof', date)
    a.setAttribute('href', u.pathname + u.search)
  }
}

// layerInfos are the layer descriptions of ids (info: Map id → info).
export const layerInfos = (ids, info) => ids.map((id) => info.get(id)).filter(Boolean)
