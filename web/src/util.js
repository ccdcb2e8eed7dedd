// Small helpers: HTML escaping, calendar days as YYYY-MM-DD strings, and
// fetch with a busy counter that the browser test waits on.

const ESC = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }

// esc makes any value safe to put in HTML text or a quoted attribute.
export function esc(v) {
  return String(v ?? '').replace(/[&<>"']/g, (c) => ESC[c])
}

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/

// validDate reports whether s is a real calendar day written YYYY-MM-DD.
export function validDate(s) {
  const m = DATE_RE.exec(s || '')
  if (!m) return false
  const d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]))
  return d.getUTCFullYear() === +m[1] && d.getUTCMonth() === +m[2] - 1 && d.getUTCDate() === +m[3]
}

function ymd(y, m, d) {
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`
}

// monthEnd returns the last day of month m (1–12) of year y.
export function monthEnd(y, m) {
  return ymd(y, m, new Date(Date.UTC(y, m, 0)).getUTCDate())
}

// dateSteps returns the slider's stops from..to: the first day, the last
// day of each month after it, the last day, and any of extra (today, the
// default date) that fall between.
export function dateSteps(from, to, extra = []) {
  const steps = new Set([from])
  if (validDate(from) && validDate(to) && from < to) {
    for (let y = +from.slice(0, 4), m = +from.slice(5, 7); ; m++) {
      if (m > 12) {
        y++
        m = 1
      }
      const e = monthEnd(y, m)
      if (e >= to) break
      if (e > from) steps.add(e)
    }
    steps.add(to)
    for (const d of extra) if (validDate(d) && d > from && d < to) steps.add(d)
  }
  return [...steps].sort()
}

// stepIndex returns the index of the last step on or before date.
export function stepIndex(steps, date) {
  let i = 0
  for (let k = 0; k < steps.length; k++) if (steps[k] <= date) i = k
  return i
}

// pct turns a 0..1 fraction into a whole percentage.
export function pct(f) {
  return Math.round(Math.max(0, Math.min(1, +f || 0)) * 100)
}

// num formats a number for display; fractions keep two significant
// decimals below 1, one below 100 and none above.
export function num(v, lang) {
  if (typeof v !== 'number' || !isFinite(v)) return String(v ?? '')
  const a = Math.abs(v)
  const opts = Number.isInteger(v) ? {} : { maximumFractionDigits: a < 1 ? 2 : a < 100 ? 1 : 0 }
  return v.toLocaleString(lang === 'en' ? 'en-GB' : 'zh-CN', opts)
}

let busy = 0
const root = document.documentElement

function setBusy(delta) {
  busy += delta
  root.dataset.busy = busy > 0 ? '1' : '0'
  document.dispatchEvent(new CustomEvent('pm-busy', { detail: busy }))
}

// getJSON fetches a same-origin JSON document; the page is "busy" while any
// request is in flight (html[data-busy="1"]).
export async function getJSON(url) {
  setBusy(1)
  try {
    const res = await fetch(url, { headers: { Accept: 'application/json, application/geo+json' } })
    if (!res.ok) throw new Error(`${res.status} ${res.statusText} (${url})`)
    return await res.json()
  } finally {
    setBusy(-1)
  }
}

// isBusy reports whether a request is in flight.
export function isBusy() {
  return busy > 0
}

export function debounce(fn, ms) {
  let timer = 0
  return (...args) => {
    clearTimeout(timer)
    timer = setTimeout(() => fn(...args), ms)
  }
}
