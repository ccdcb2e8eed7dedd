// Easy-reading mode (长辈模式, 适老化): large text, targets of at least
// 44×44 px, high contrast, plain words and fewer layers. It is a class on
// <html> (pm-easy; the styles are in style.css's easy-reading block),
// remembered in localStorage when the reader flips the toggle, and kept in
// the URL state as easy=1 (state.js), which wins over the stored choice.

import { t } from './i18n.js'
import { precisionOf } from './draw.js'

const KEY = 'pm-easy'
const root = document.documentElement

// FEW_LAYERS are the layers the map opens with in easy-reading mode and on
// a small screen (when the link names no layers): the metro lines, the
// city's largest works and the easiest way to find one's bearings, and the
// old residential compounds being renovated, the project that touches
// older residents' own homes. Left out: stations (they repeat the lines),
// junctions and water pipes (technical works hard to read at a glance),
// schools and the 一刻钟 choropleth (its colour fill over every district
// hides the basemap's street names). Each stays one tap away in 图层.
export const FEW_LAYERS = ['metro-lines', 'old-communities']

// fewerLayers picks the default layers: FEW_LAYERS when easy or small.
export function fewerLayers(all, small) {
  return easyOn() || small ? FEW_LAYERS : all
}

export function easyOn() {
  return root.classList.contains('pm-easy')
}

function stored() {
  try {
    return localStorage.getItem(KEY) === '1'
  } catch {
    return false
  }
}

function store(on) {
  try {
    if (on) localStorage.setItem(KEY, '1')
    else localStorage.removeItem(KEY)
  } catch {
    // private mode: the URL still carries easy=1
  }
}

// initEasy sets the mode on opening: the URL's easy= when it has one,
// else the reader's stored choice.
export function initEasy(fromHash) {
  setEasy(fromHash ?? stored())
}

// setEasy switches the mode (without storing it) and relabels the toggle.
export function setEasy(on) {
  root.classList.toggle('pm-easy', !!on)
  renderEasyButton()
}

export function renderEasyButton() {
  const b = document.getElementById('pm-btn-easy')
  if (!b) return
  b.setAttribute('aria-pressed', easyOn() ? 'true' : 'false')
  b.textContent = t('easyButton')
  b.title = t('easyLabel')
}

// wireEasy makes the toggle flip, store the choice and call changed().
export function wireEasy(changed) {
  const b = document.getElementById('pm-btn-easy')
  if (!b) return
  b.addEventListener('click', () => {
    setEasy(!easyOn())
    store(easyOn())
    changed()
  })
}

// precisionText says how well a place is known: in plain words in
// easy-reading mode (no "precision", "town-level" spelled out).
export function precisionText(p) {
  const precision = precisionOf(p)
  const table = easyOn() ? t('plainPrecision') : t('precision')
  return table[precision] || precision
}
