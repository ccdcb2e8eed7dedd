// Screen-reader names of what the map draws: a marker or quota badge says
// its name, its tracking status in words (尚无报告 / no report yet when no
// report speaks for it) and how precisely it is placed; a cluster says how
// many places it holds, by status. A badge's or cluster's visible number
// is part of its name (WCAG 2.5.3, label in name).

import { t, pick } from './i18n.js'
import { TRACKING, trackingOf } from './status.js'

// statusWords is a tracking status as a screen reader says it.
export function statusWords(status) {
  return status === 'unreported' ? t('a11yNoReport') : t('track')[status] || t('a11yNoReport')
}

// precisionWords is how precisely a place is drawn, in words.
export function precisionWords(p) {
  const words = t('precision')
  return words[(p && p.precision) || 'exact'] || words.exact
}

// markerName is the accessible name of a feature's marker or badge; qty is
// the badge's visible quantity ('' for a marker).
export function markerName(p, qty = '') {
  const name = pick(p, 'name') || p.name || ''
  const sep = t('listSep')
  return [qty ? `${qty} ${name}` : name, statusWords(trackingOf(p)), precisionWords(p)].filter(Boolean).join(sep)
}

// clusterName is the accessible name of a cluster of n markers; counts
// maps a tracking status to its number of markers.
export function clusterName(n, counts) {
  const parts = TRACKING.filter((s) => counts[s]).map((s) => `${statusWords(s)} ${counts[s]}`)
  return `${t('a11yCluster')(n)}${t('listSep')}${parts.join(t('listSep'))}${t('listSep')}${t('a11yClusterHint')}`
}
