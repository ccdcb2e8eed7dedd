// Leaflet and its marker-cluster plugin. Leaflet's UMD build sets window.L,
// which the plugin extends, so this module imports both in that order and
// every other module takes L from here.
import L from 'leaflet'
import 'leaflet.markercluster'
import 'leaflet/dist/leaflet.css'
import 'leaflet.markercluster/dist/MarkerCluster.css'

export default L
