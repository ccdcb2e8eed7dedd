// Runs in <head>, before the page is drawn, so that the embed view never
// flashes the full layout. A file, not an inline script: the CSP allows none.
import { isEmbedView } from './embedview.js'

if (isEmbedView(location)) document.documentElement.className = 'pm-embed'
