// Bundles src/app.js (Leaflet, markercluster, our code and all CSS) into
// dist/app.js + dist/app.css, src/head.js (run before the page is drawn)
// into dist/head.js, and copies src/index.html to dist/. Output is
// deterministic: same sources, same bytes. Run with `npm run build`.
import * as esbuild from 'esbuild'
import { copyFile, mkdir } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import path from 'node:path'

const here = path.dirname(fileURLToPath(import.meta.url))

// Leaflet's CSS points at marker and layer-switcher images we never use
// (markers are SVG divIcons): they become empty data: URLs, so the bundle
// needs no image files and the browser never asks for one.
const noImages = {
  name: 'no-images',
  setup(build) {
    build.onResolve({ filter: /\.(png|gif|svg)$/ }, (args) => ({ path: args.path, namespace: 'no-images' }))
    build.onLoad({ filter: /.*/, namespace: 'no-images' }, () => ({ contents: '', loader: 'dataurl' }))
  },
}

await mkdir(path.join(here, 'dist'), { recursive: true })
const result = await esbuild.build({
  absWorkingDir: here,
  entryPoints: { app: 'src/app.js', head: 'src/head.js' },
  outdir: 'dist',
  bundle: true,
  minify: true,
  format: 'iife',
  target: ['es2020', 'chrome87', 'safari15', 'ios15', 'firefox78', 'edge88'],
  charset: 'utf8',
  legalComments: 'eof',
  sourcemap: false,
  plugins: [noImages],
  logLevel: 'warning',
  metafile: true,
})
await copyFile(path.join(here, 'src/index.html'), path.join(here, 'dist/index.html'))

for (const [file, { bytes }] of Object.entries(result.metafile.outputs)) {
  console.log(`${file}  ${(bytes / 1024).toFixed(1)} KiB`)
}
