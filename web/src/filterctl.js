// The filters' controller: it owns how a change of category, district or
// status reaches the page (filters.js draws and fetches). The page reaches
// it, and it reaches the page, only through app:
//
//   state()              {cat, district, status} as now
//   apply(f, inDistrict) store the new filters (and the district's projects)
//   changed()            redraw the list, the badge, the URL and the layers
//   getJSON(url), date(), category(n)
//   base()               the base layer {data, index} (district outlines)
//   panel()              the panel's #pm-filters element
//   note()               the map's filter note element, or null (embed)
//   fit(bounds)          frame bounds on the map

import { projectsInDistrict, districtOptions, districtSelectHTML, activeFilters, activeFiltersHTML, filtersSentence, cleared, markDistrict } from './filters.js'

export function filterController(app) {
  let chain = Promise.resolve()
  const options = () => districtOptions(((app.base() || {}).data || {}).features)
  const names = { category: (n) => app.category(n), district: (code) => options().find((d) => d.code === code) }

  // lookup is [district, the projects reaching it]; a district the server
  // refuses (a link's typo, another city's) is dropped: ['', null].
  const lookup = (code) => projectsInDistrict(app.getJSON, code, app.date()).then((set) => [set ? code : '', set], () => ['', null])

  async function applyNow(f) {
    const now = app.state()
    if (f.cat === now.cat && f.district === now.district && f.status === now.status) return
    let district = now.district
    let inDistrict
    if (f.district !== now.district) [district, inDistrict] = await lookup(f.district)
    app.apply({ cat: app.category(f.cat) ? f.cat : 0, district, status: f.status || '' }, inDistrict)
    app.changed()
  }

  const ctl = {
    lookup,
    // set applies a change ({cat?, district?, status?}), one after the
    // other, each on the filters as the one before left them.
    set: (change) => (chain = chain.then(() => applyNow({ ...app.state(), ...change })).catch((e) => console.error(e))),
    // note names the filters on, for a picture's footer or an embed's badge.
    note: () => filtersSentence(activeFilters(app.state(), names)),
    // render draws the district chooser, the filters on (panel and map
    // note) and the chosen district's outline.
    render() {
      const st = app.state()
      const bar = activeFiltersHTML(activeFilters(st, names))
      markDistrict((app.base() || {}).index, st.district)
      app.panel().innerHTML = districtSelectHTML(options(), st.district) + bar
      const el = app.note()
      if (!el) return
      el.hidden = !bar
      el.innerHTML = bar
    },
    // fit frames the chosen district.
    fit() {
      const code = app.state().district
      const e = [...(((app.base() || {}).index || new Map()).values())].find((e) => (e.feature.properties || {}).district === code)
      if (code && e && e.bounds) app.fit(e.bounds)
    },
    // wire listens to the panel's chooser and clear buttons, and to those
    // of the map note (el) when given.
    wire(el) {
      const clear = (e) => {
        const b = e.target.closest('[data-clear]')
        if (b) ctl.set(cleared(b.dataset.clear))
      }
      if (el) return el.addEventListener('click', clear)
      app.panel().addEventListener('change', (e) => e.target.id === 'pm-district' && ctl.set({ district: e.target.value }).then(ctl.fit))
      app.panel().addEventListener('click', clear)
    },
  }
  return ctl
}
