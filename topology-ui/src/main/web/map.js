// The map: nodes at their lat/lon (canvas circle markers), the city's district outlines; no tiles
// unless a tile URL is given (the machines a city runs on may have no internet).
import L from "leaflet";
import "leaflet/dist/leaflet.css";
import { get } from "./api.js";
import { city, onCityChange } from "./city.js";

const COLOURS = { ONLINE: "#1f8a4c", OFFLINE: "#c0392b", REGISTERED: "#9aa0a6" };
let map = null;
let markers = new Map();
let tiles = null;
let selectHandler = () => {};
export function onMapNodeSelected(fn) { selectHandler = fn; }

export async function showMap(container) {
  if (!map) {
    map = L.map(container, { preferCanvas: true, zoomControl: true, attributionControl: false }).setView([38.19, 15.55], 13);
    container.style.background = "#eef1f5";
    const tileUrl = new URLSearchParams(location.search).get("tiles");
    if (tileUrl) setTiles(tileUrl);
    try {
      const { districts } = await get("/city/districts");
      for (const d of districts || []) {
        L.polygon(d.outline, { color: "#5d6678", weight: 1.5, fillOpacity: 0.05, dashArray: "4 3" })
          .bindTooltip(d.name, { permanent: true, direction: "center", className: "district-label" }).addTo(map);
      }
    } catch { /* no districts from this controller: nodes only */ }
    drawAll();
  }
  map.invalidateSize();
}

export function setTiles(url) {
  if (!map) return;
  if (tiles) { tiles.remove(); tiles = null; }
  if (url) tiles = L.tileLayer(url, { maxZoom: 19 }).addTo(map);
}

function draw(n) {
  if (!n.location || typeof n.location.lat !== "number") return;
  let m = markers.get(n.id);
  const colour = COLOURS[n.status] || "#9aa0a6";
  if (!m) {
    m = L.circleMarker([n.location.lat, n.location.lon], { radius: n.kind === "VM" ? 7 : 5, weight: 1, color: "#1d2330", fillColor: colour, fillOpacity: 0.9 })
      .bindTooltip(`${n.name} (${n.status})`).on("click", () => selectHandler(n.id)).addTo(map);
    markers.set(n.id, m);
  } else {
    m.setLatLng([n.location.lat, n.location.lon]).setStyle({ fillColor: colour }).setTooltipContent(`${n.name} (${n.status})`);
  }
}

function drawAll() {
  for (const m of markers.values()) m.remove();
  markers = new Map();
  const pts = [];
  for (const n of city.nodes.values()) {
    draw(n);
    if (n.location && typeof n.location.lat === "number") pts.push([n.location.lat, n.location.lon]);
  }
  if (pts.length) map.fitBounds(pts, { padding: [30, 30], maxZoom: 16 });
}

onCityChange((kind, detail) => {
  if (!map) return;
  if (kind === "reset") drawAll();
  else if (kind === "node" || kind === "node-added") draw(detail);
  else if (kind === "node-removed") { const m = markers.get(detail.id); if (m) { m.remove(); markers.delete(detail.id); } }
});
