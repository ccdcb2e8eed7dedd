// The plan switcher: a select in the header naming each plan by its city
// and year, shown only when /api/config lists more than one plan. The
// chosen plan lives in the URL hash (plan=<id>); every request to the API
// then carries plan= (withPlan), and choosing another plan reloads the
// page on it, since its city, layers and projects are all different.

import { t, pick } from './i18n.js'
import { esc } from './util.js'

// plansOf returns the plans /api/config lists (objects with id, year and
// city); an older server listing bare ids gives none.
export function plansOf(cfg) {
  return ((cfg && cfg.plans) || []).filter((p) => p && typeof p === 'object' && p.id)
}

// planParam is the plan every request names: the one the URL chose, else,
// when there is a choice, the one the server opened on (so that a link
// keeps showing the same plan after a newer one is added); '' when the
// server has one plan only.
export function planParam(cfg, fromHash) {
  if (fromHash) return fromHash
  return plansOf(cfg).length > 1 ? cfg.plan || '' : ''
}

// withPlan adds plan= to a same-origin API or OGC URL that names none.
export function withPlan(url, plan) {
  if (!plan) return url
  const u = new URL(url, location.href)
  if (u.origin !== location.origin || !/^\/(api|ogc)\//.test(u.pathname) || u.searchParams.has('plan')) return url
  u.searchParams.set('plan', plan)
  return /^[a-z]+:/i.test(url) ? u.href : u.pathname + u.search + u.hash
}

// planName is a plan's name in the switcher: its city and year.
export function planName(p) {
  return t('planName')(pick(p.city || {}, 'name') || p.id, p.year)
}

// planTitle is the page's title for the plan config opened on.
export function planTitle(cfg) {
  const city = cfg && cfg.city
  if (!city || !cfg.year) return t('title')
  return t('planTitle')(pick(city, 'name'), cfg.year)
}

// planSwitchHTML is the select's options, the current plan selected.
export function planSwitchHTML(plans, current) {
  return plans
    .map((p) => `<option value="${esc(p.id)}"${p.id === current ? ' selected' : ''}>${esc(planName(p))}</option>`)
    .join('')
}

// planSwitch puts the select at the start of nav when cfg lists more than
// one plan; onChoose(id) is called with the plan chosen. It returns a
// render function that redraws the labels (after a language switch).
export function planSwitch(nav, cfg, onChoose) {
  const plans = plansOf(cfg)
  if (!nav || plans.length < 2) return () => {}
  const sel = document.createElement('select')
  sel.id = 'pm-plan'
  sel.className = 'pm-plan'
  nav.prepend(sel)
  sel.addEventListener('change', () => {
    if (sel.value && sel.value !== cfg.plan) onChoose(sel.value)
  })
  const render = () => {
    sel.innerHTML = planSwitchHTML(plans, cfg.plan)
    sel.setAttribute('aria-label', t('planSwitchLabel'))
    sel.title = t('planSwitchLabel')
  }
  render()
  return render
}

// wantsPlan reports whether the URL names another plan than the page
// shows, and one the server has: the page must then reload on it.
export function wantsPlan(cfg, plan) {
  return !!plan && !!cfg && plan !== cfg.plan && plansOf(cfg).some((p) => p.id === plan)
}

// defaultLayers are the layers a plan opens with: those of preferred it
// has (Xi'an's), else, for a plan of another city, all its project layers.
export function defaultLayers(collections, preferred) {
  const ids = new Set(collections.map((c) => c.id))
  const known = preferred.filter((id) => ids.has(id))
  return known.length ? preferred : collections.filter((c) => c.project).map((c) => c.id)
}
