// One node: inventory, desired vs reported with the generation gap, sensors with a sparkline of the
// recent window, overlays, labels, the policies' decisions.
import { get } from "./api.js";
import { city, onCityChange, overlayColour } from "./city.js";
import { h, clear } from "./dom.js";

let panel = null;
let current = null;
let sensorCharts = new Map();

export function openNode(container, id) {
  panel = container;
  current = id;
  panel.hidden = false;
  render();
}

async function render() {
  const id = current;
  const n = city.nodes.get(id);
  clear(panel);
  panel.dataset.nodeId = id;
  panel.append(h("div", { class: "panel-head" },
    h("h3", {}, n ? n.name : id),
    h("button", { class: "quiet", type: "button", onclick: () => { panel.hidden = true; current = null; } }, "×")));
  if (!n) return;
  panel.append(h("p", {}, h("span", { class: `status ${n.status}`, "data-status": n.status }, n.status), ` ${n.kind} · ${id}`,
    n.controllerId ? ` · mastered by ${n.controllerId}` : ""));
  const gap = (n.desiredGeneration ?? 0) - (n.appliedGeneration ?? 0);
  panel.append(h("table", { class: "kv" },
    row("district", n.district || "–"),
    row("desired generation", n.desiredGeneration ?? "–"),
    row("applied generation", n.appliedGeneration ?? "–"),
    row("generation gap", h("span", { class: gap ? "gap-open" : "", id: "node-gap" }, String(n.generationGap ?? gap)))));
  panel.append(h("h4", {}, "Overlays"), h("div", { id: "node-overlays" },
    ...(n.overlays.length ? n.overlays.map((o) => h("span", { class: "chip", "data-overlay": o, style: `border-color:${overlayColour(o)}` }, o)) : ["none"])));
  panel.append(h("h4", {}, "Labels"), h("div", {}, ...Object.entries(n.labels).map(([k, v]) => h("span", { class: "chip" }, `${k}=${v}`))));
  const body = h("div", {}, "loading…");
  panel.append(body);
  try {
    const [detail, desired, reported, decisions] = await Promise.all([
      get(`/nodes/${id}`), get(`/nodes/${id}/desired`).catch(() => null),
      get(`/nodes/${id}/reported`).catch(() => null), get(`/nodes/${id}/decisions`).catch(() => null)]);
    if (current !== id) return;
    clear(body);
    const sensors = new Set(n.sensors.map((s) => (typeof s === "string" ? s : s.name)));
    if (reported && reported.readings) Object.keys(reported.readings).forEach((s) => sensors.add(s));
    if (desired && desired.sampling) desired.sampling.forEach((s) => sensors.add(s.sensor));
    body.append(h("h4", {}, "Sensors"));
    sensorCharts = new Map();
    for (const s of [...sensors].sort()) {
      const svgHost = h("span", { class: "spark" });
      const last = reported && reported.readings && reported.readings[s];
      const valueEl = h("span", { class: "value" }, last ? `${last.value} ${last.unit || ""}` : "–");
      body.append(h("div", { class: "sensor", "data-sensor": s }, h("b", {}, s), " ", valueEl, svgHost));
      sensorCharts.set(s, { host: svgHost, valueEl, points: [] });
      get(`/nodes/${id}/readings?sensor=${encodeURIComponent(s)}`).then((pts) => {
        const c = sensorCharts.get(s);
        if (c && Array.isArray(pts)) { c.points = pts.slice(-120); sparkline(c); }
      }).catch(() => {});
    }
    body.append(h("h4", {}, "Desired vs reported"), h("div", { class: "two" },
      h("div", {}, h("i", {}, "desired"), h("pre", { id: "node-desired" }, JSON.stringify(desired, null, 1))),
      h("div", {}, h("i", {}, "reported"), h("pre", { id: "node-reported" }, JSON.stringify(reported && { appliedGeneration: reported.appliedGeneration, appliedAt: reported.appliedAt, readings: reported.readings }, null, 1)))));
    if (decisions) body.append(h("h4", {}, "Policies' decisions"), h("pre", {}, JSON.stringify(decisions, null, 1)));
    body.append(h("h4", {}, "Inventory"), h("pre", { id: "node-inventory" }, JSON.stringify(detail.inventory, null, 1)));
  } catch (e) {
    body.textContent = `Cannot load this node: ${e.message}`;
  }
}

function row(k, v) { return h("tr", {}, h("th", {}, k), h("td", {}, v)); }

function sparkline(c) {
  const W = 160, H = 32;
  const vals = c.points.map((p) => Number(p.value)).filter((v) => Number.isFinite(v));
  clear(c.host);
  if (vals.length < 2) return;
  const min = Math.min(...vals), max = Math.max(...vals), span = max - min || 1;
  const d = vals.map((v, i) => `${i ? "L" : "M"}${((i / (vals.length - 1)) * W).toFixed(1)},${(H - 2 - ((v - min) / span) * (H - 4)).toFixed(1)}`).join("");
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("width", W); svg.setAttribute("height", H); svg.setAttribute("viewBox", `0 0 ${W} ${H}`);
  const path = document.createElementNS(ns, "path");
  path.setAttribute("d", d); path.setAttribute("fill", "none"); path.setAttribute("stroke", "#2457c5"); path.setAttribute("stroke-width", "1.5");
  svg.append(path);
  c.host.append(svg);
}

onCityChange((kind, detail) => {
  if (!panel || panel.hidden || !current) return;
  if (kind === "reading" && detail.nodeId === current) {
    const c = sensorCharts.get(detail.sensor);
    if (c) {
      c.points.push(detail);
      if (c.points.length > 120) c.points.shift();
      c.valueEl.textContent = `${detail.value} ${detail.unit || ""}`;
      sparkline(c);
    }
  } else if ((kind === "node" || kind === "node-removed") && detail.id === current) {
    render();
  }
});
