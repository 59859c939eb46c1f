// The city graph: cytoscape, canvas renderer, positions computed here (a grid per controller, no
// force layout), status colours and kind shapes from the stylesheet, overlays as coloured links (small
// cities) and session links from a controller to the nodes it masters. Big cities skip labels and the
// per-node links so 10,000 nodes render in well under 3 s; updates are batched per animation frame.
import cytoscape from "cytoscape";
import { city, onCityChange, overlayColour } from "./city.js";

const BIG = 1500; // nodes; above this: no labels, no per-node links
const SPACING = 60;
let cy = null;
let pending = new Map();
let frame = 0;
let selectHandler = () => {};

export function onNodeSelected(fn) { selectHandler = fn; }

function style(big) {
  return [
    { selector: "node", style: {
      "background-color": "#8a8f99", width: 22, height: 22,
      label: big ? "" : "data(label)", "font-size": 9, "text-valign": "bottom", "text-margin-y": 3, color: "#333",
      "min-zoomed-font-size": 6 } },
    { selector: 'node[status = "ONLINE"]', style: { "background-color": "#1f8a4c" } },
    { selector: 'node[status = "OFFLINE"]', style: { "background-color": "#c0392b" } },
    { selector: 'node[status = "REGISTERED"]', style: { "background-color": "#9aa0a6" } },
    { selector: 'node[kind = "BOARD"]', style: { shape: "ellipse" } },
    { selector: 'node[kind = "VM"]', style: { shape: "round-rectangle", width: 28 } },
    { selector: 'node[kind = "SWITCH"]', style: { shape: "triangle" } },
    { selector: 'node[kind = "CONTROLLER"]', style: {
      shape: "hexagon", width: 44, height: 44, "background-color": "#1d2330", label: "data(label)", "font-size": 11 } },
    { selector: 'node[?leader]', style: { "border-width": 3, "border-color": "#d9a400" } },
    { selector: "edge", style: { width: 1, "line-color": "#c8ccd4", "curve-style": "haystack", opacity: 0.6 } },
    { selector: 'edge[kind = "overlay"]', style: { width: 2.5, "line-color": "data(colour)", opacity: 0.9 } },
    { selector: ".dim", style: { opacity: 0.15 } },
    { selector: ".hl", style: { "border-width": 4, "border-color": "#2457c5" } },
    { selector: "node:selected", style: { "border-width": 4, "border-color": "#ff9f1a" } },
  ];
}

function nodeData(n) {
  return { id: n.id, label: n.name || n.id, status: n.status, kind: n.kind, controllerId: n.controllerId || "" };
}

/** Grid positions, nodes grouped under their controller (unmastered nodes last), sorted by district and name. */
function positions(nodes, controllers) {
  const groups = new Map(controllers.map((c) => [c.id, []]));
  groups.set("", []);
  for (const n of nodes) {
    const key = groups.has(n.controllerId || "") ? n.controllerId || "" : "";
    groups.get(key).push(n);
  }
  const out = new Map();
  let x0 = 0;
  const cpos = new Map();
  for (const [cid, members] of groups) {
    if (!members.length && !cid) continue;
    members.sort((a, b) => (a.district || "").localeCompare(b.district || "") || (a.name || "").localeCompare(b.name || ""));
    const cols = Math.max(1, Math.ceil(Math.sqrt(members.length)));
    members.forEach((n, i) => out.set(n.id, { x: x0 + (i % cols) * SPACING, y: 120 + Math.floor(i / cols) * SPACING }));
    if (cid) cpos.set(cid, { x: x0 + ((Math.min(cols, members.length || 1) - 1) * SPACING) / 2, y: 0 });
    x0 += cols * SPACING + 3 * SPACING;
  }
  return { out, cpos };
}

function elements() {
  const nodes = [...city.nodes.values()];
  const big = nodes.length > BIG;
  const { out, cpos } = positions(nodes, city.controllers);
  const els = [];
  for (const c of city.controllers) {
    els.push({ group: "nodes", data: { id: `controller:${c.id}`, label: c.id, kind: "CONTROLLER", leader: !!c.leader, controllerId: c.id },
      position: cpos.get(c.id) || { x: 0, y: 0 } });
  }
  for (const n of nodes) els.push({ group: "nodes", data: nodeData(n), position: out.get(n.id) });
  if (!big) {
    for (const n of nodes) {
      if (n.controllerId && cpos.has(n.controllerId)) {
        els.push({ group: "edges", data: { id: `s:${n.id}`, source: `controller:${n.controllerId}`, target: n.id, kind: "session" } });
      }
    }
    els.push(...overlayEdges());
  }
  return { els, big };
}

function overlayEdges() {
  const edges = [];
  for (const o of city.overlays) {
    const m = o.members.filter((id) => city.nodes.has(id));
    // a ring through the members: every member visibly joined, n links rather than n^2
    for (let i = 0; i < m.length && m.length > 1; i++) {
      const a = m[i], b = m[(i + 1) % m.length];
      if (m.length === 2 && i === 1) break;
      edges.push({ group: "edges", data: { id: `o:${o.name}:${a}:${b}`, source: a, target: b, kind: "overlay", overlay: o.name, colour: overlayColour(o.name) } });
    }
  }
  return edges;
}

export function renderGraph(container) {
  const t0 = performance.now();
  const { els, big } = elements();
  if (cy) cy.destroy();
  cy = cytoscape({
    container, elements: els, style: style(big), layout: { name: "preset" },
    minZoom: 0.02, maxZoom: 4, wheelSensitivity: 0.3,
    textureOnViewport: big, hideEdgesOnViewport: big, hideLabelsOnViewport: big, motionBlur: false,
    pixelRatio: big ? 1 : "auto", boxSelectionEnabled: false, autoungrabify: big,
  });
  fitCapped();
  cy.one("render", () => {
    const nodes = city.nodes.size;
    window.civitasRendered = { nodes, ms: performance.now(), buildMs: performance.now() - t0 };
    document.body.dataset.rendered = String(nodes);
  });
  cy.on("tap", "node", (e) => {
    const d = e.target.data();
    if (d.kind === "CONTROLLER") highlightController(d.controllerId);
    else { clearHighlight(); selectHandler(d.id); }
  });
  cy.on("tap", (e) => { if (e.target === cy) clearHighlight(); });
  window.civitasCy = cy;
  return cy;
}

export function highlightController(controllerId) {
  if (!cy) return;
  cy.batch(() => {
    cy.elements().removeClass("hl").addClass("dim");
    const mine = cy.nodes().filter((n) => n.data("controllerId") === controllerId);
    mine.removeClass("dim").addClass("hl");
    mine.connectedEdges().removeClass("dim");
  });
  document.body.dataset.highlightedController = controllerId;
}

export function clearHighlight() {
  if (!cy) return;
  cy.batch(() => cy.elements().removeClass("dim hl"));
  delete document.body.dataset.highlightedController;
}

export function highlightNodes(ids) {
  if (!cy) return;
  const set = new Set(ids);
  cy.batch(() => {
    cy.elements().removeClass("hl").addClass("dim");
    cy.nodes().filter((n) => set.has(n.id())).removeClass("dim").addClass("hl");
    cy.edges().filter((e) => set.has(e.source().id()) && set.has(e.target().id())).removeClass("dim");
  });
}

export function fit() { if (cy) fitCapped(); }

/** Fit, but never zoom a small city in past 1.2x. */
function fitCapped() {
  cy.fit(undefined, 30);
  if (cy.zoom() > 1.2) { cy.zoom(1.2); cy.center(); }
}
export function resize() { if (cy) { cy.resize(); } }

/** Node changes are queued and applied once per frame in one batch. */
function queue(node) {
  pending.set(node.id, node);
  if (!frame) frame = requestAnimationFrame(flush);
}

let overlaysDirty = false;
function flush() {
  frame = 0;
  if (!cy) return;
  const batch = pending;
  pending = new Map();
  const big = city.nodes.size > BIG;
  cy.batch(() => {
    for (const [id, n] of batch) {
      const el = cy.getElementById(id);
      if (n === null) { el.remove(); continue; }
      if (el.nonempty()) el.data(nodeData(n));
      else {
        const ext = cy.nodes().boundingBox();
        cy.add({ group: "nodes", data: nodeData(n), position: { x: ext.x1 + Math.random() * Math.max(ext.w, 100), y: ext.y2 + SPACING } });
      }
    }
    if (overlaysDirty && !big) {
      cy.edges('[kind = "overlay"]').remove();
      cy.add(overlayEdges());
    }
  });
  overlaysDirty = false;
}

onCityChange((kind, detail) => {
  if (!cy) return;
  if (kind === "node" || kind === "node-added") { overlaysDirty = true; queue(detail); }
  else if (kind === "node-removed") { pending.set(detail.id, null); overlaysDirty = true; if (!frame) frame = requestAnimationFrame(flush); }
});
