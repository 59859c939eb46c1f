// The city as the UI knows it: controllers, nodes by id, overlays; loaded from /topology (or, on a
// controller without it, from /nodes) and kept current by events. Views subscribe to changes.
import { get, ApiError } from "./api.js";

export const city = {
  controllers: [],
  nodes: new Map(),
  overlays: [],
  links: [],
  listeners: new Set(),
  source: "topology",
};

export function onCityChange(fn) { city.listeners.add(fn); }
function emit(kind, detail) { for (const fn of city.listeners) fn(kind, detail); }

function normalise(n) {
  return {
    ...n,
    status: n.status || "REGISTERED",
    kind: n.kind || "BOARD",
    overlays: n.overlays || [],
    sensors: n.sensors || [],
    labels: n.labels || {},
    district: n.district || (n.labels && n.labels.district) || "",
    controllerId: n.controllerId || (n.session && n.session.controllerId) || null,
  };
}

function overlaysFromNodes() {
  const byName = new Map();
  for (const n of city.nodes.values()) for (const o of n.overlays) {
    if (!byName.has(o)) byName.set(o, []);
    byName.get(o).push(n.id);
  }
  return [...byName.entries()].sort().map(([name, members]) => ({ name, members }));
}

export async function loadCity() {
  let topo;
  try {
    topo = await get("/topology");
    city.source = "topology";
  } catch (e) {
    if (!(e instanceof ApiError) || e.status !== 404) throw e;
    // An older controller: the nodes list, and (for small cities) each node's overlays from its desired state.
    const nodes = await get("/nodes");
    const list = Array.isArray(nodes) ? nodes : nodes.nodes || [];
    if (list.length <= 200) {
      await Promise.all(list.map(async (n) => {
        try { n.overlays = (await get(`/nodes/${n.id}/desired`)).overlays || []; } catch { n.overlays = []; }
      }));
    }
    const controllerIds = [...new Set(list.map((n) => n.session && n.session.controllerId).filter(Boolean))];
    topo = { controllers: controllerIds.map((id) => ({ id, leader: false })), nodes: list, overlays: null, links: [] };
    city.source = "nodes";
  }
  city.controllers = topo.controllers || [];
  city.nodes = new Map((topo.nodes || []).map((n) => [n.id, normalise(n)]));
  city.overlays = topo.overlays || overlaysFromNodes();
  city.links = topo.links || [];
  emit("reset");
}

export function applyNode(raw) {
  const before = city.nodes.get(raw.id);
  const node = normalise({ ...(before || {}), ...raw });
  city.nodes.set(node.id, node);
  const overlaysChanged = !before || String(before.overlays) !== String(node.overlays);
  if (overlaysChanged) city.overlays = mergeOverlays(node);
  emit(before ? "node" : "node-added", node);
}

function mergeOverlays(node) {
  const map = new Map(city.overlays.map((o) => [o.name, new Set(o.members)]));
  for (const set of map.values()) set.delete(node.id);
  for (const o of node.overlays) {
    if (!map.has(o)) map.set(o, new Set());
    map.get(o).add(node.id);
  }
  return [...map.entries()].filter(([, m]) => m.size).sort().map(([name, m]) => ({ name, members: [...m] }));
}

export function removeNode(id) {
  if (!city.nodes.delete(id)) return;
  city.overlays = city.overlays.map((o) => ({ name: o.name, members: o.members.filter((m) => m !== id) }))
    .filter((o) => o.members.length);
  emit("node-removed", { id });
}

export function reading(r) { emit("reading", r); }

/** Polling fallback, when the controller has no event stream: reload and report what changed. */
export async function pollOnce() {
  const old = city.nodes;
  await loadCityQuiet();
  for (const [id, n] of city.nodes) {
    const o = old.get(id);
    if (!o) emit("node-added", n);
    else if (o.status !== n.status || String(o.overlays) !== String(n.overlays)
      || o.appliedGeneration !== n.appliedGeneration || o.desiredGeneration !== n.desiredGeneration) emit("node", n);
  }
  for (const id of old.keys()) if (!city.nodes.has(id)) emit("node-removed", { id });
}

async function loadCityQuiet() {
  const listeners = city.listeners;
  city.listeners = new Set();
  try { await loadCity(); } finally { city.listeners = listeners; }
}

export const OVERLAY_COLOURS = ["#2457c5", "#b3418c", "#d9822b", "#0f9d9a", "#7b4fd0", "#5b8c1a", "#c23b3b", "#3a7ca5"];
export function overlayColour(name) {
  let h = 0;
  for (const c of name) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return OVERLAY_COLOURS[h % OVERLAY_COLOURS.length];
}
