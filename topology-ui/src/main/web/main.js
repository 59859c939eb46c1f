// The single page: login, tabs, the city loaded once and kept live by /api/v1/events.
import "./styles.css";
import { token, whenUnauthorized, get } from "./api.js";
import { city, loadCity, applyNode, removeNode, reading, pollOnce, onCityChange } from "./city.js";
import { follow } from "./events.js";
import { renderGraph, onNodeSelected, fit, resize, highlightNodes, clearHighlight } from "./graph.js";
import { showMap, setTiles, onMapNodeSelected } from "./map.js";
import { openNode } from "./node-panel.js";
import { showPolicies } from "./policy-editor.js";
import { h, clear } from "./dom.js";

const $ = (id) => document.getElementById(id);
const LIST_LIMIT = 2000; // above this the hidden node list is off (the graph still shows every node)
let stream = null;
let pollTimer = 0;

function showLogin(message) {
  stop();
  $("app").hidden = true; $("tabs").hidden = true; $("signout").hidden = true;
  $("login").hidden = false;
  $("login-error").textContent = message || "";
  $("token").value = "";
  $("token").focus();
}

function stop() {
  if (stream) { stream.stop(); stream = null; }
  clearInterval(pollTimer);
  setLive("off");
}

function setLive(state) {
  const el = $("live");
  el.dataset.live = state;
  el.textContent = state === "live" ? "● live" : state === "polling" ? "● polling" : "● offline";
}

async function start() {
  $("login").hidden = true;
  $("app").hidden = false; $("tabs").hidden = false; $("signout").hidden = false;
  try {
    await loadCity();
  } catch (e) {
    if (!$("login").hidden) return;
    $("graph-summary").textContent = `Cannot load the city: ${e.message}`;
    return;
  }
  renderGraph($("graph"));
  renderList();
  summary();
  stream = follow({
    onEvent(type, obj) {
      if (type === "node") applyNode(obj);
      else if (type === "node-removed") removeNode(obj.id);
      else if (type === "reading") reading(obj);
      else if (type === "policy") document.body.dataset.activePolicies = JSON.stringify(obj.active || {});
    },
    onState(live) { setLive(live ? "live" : "off"); },
    onReconnect() { loadCity().then(() => { renderGraph($("graph")); renderList(); summary(); }).catch(() => {}); },
    onMissing() {
      setLive("polling");
      pollTimer = setInterval(() => pollOnce().catch(() => {}), 1000);
    },
    onUnauthorized() { token.clear(); showLogin("The controller refused that token."); },
  });
}

function summary() {
  const counts = {};
  for (const n of city.nodes.values()) counts[n.status] = (counts[n.status] || 0) + 1;
  $("graph-summary").textContent = `${city.nodes.size} nodes (${Object.entries(counts).map(([s, c]) => `${c} ${s.toLowerCase()}`).join(", ")}) · ${city.controllers.length} controller${city.controllers.length === 1 ? "" : "s"} · ${city.overlays.length} overlays`;
  $("graph-summary").dataset.nodes = String(city.nodes.size);
}

function listItem(n) {
  return h("li", { "data-node-id": n.id, "data-status": n.status, "data-kind": n.kind, "data-overlays": n.overlays.join(","),
    "data-controller": n.controllerId || "", onclick: () => select(n.id) },
  `${n.name} ${n.kind} ${n.status}${n.overlays.length ? ` overlays: ${n.overlays.join(", ")}` : ""}`);
}

function renderList() {
  const ul = $("node-list");
  clear(ul);
  if (city.nodes.size > LIST_LIMIT) {
    ul.dataset.off = "true";
    ul.append(h("li", {}, `${city.nodes.size} nodes: the list is off above ${LIST_LIMIT}; use the graph or the map.`));
    return;
  }
  delete ul.dataset.off;
  const frag = document.createDocumentFragment();
  for (const n of city.nodes.values()) frag.append(listItem(n));
  ul.append(frag);
}

let summaryFrame = 0;
onCityChange((kind, detail) => {
  const ul = $("node-list");
  if (kind === "reset") { renderList(); }
  else if (!ul.dataset.off && (kind === "node" || kind === "node-added")) {
    const old = ul.querySelector(`li[data-node-id="${CSS.escape(detail.id)}"]`);
    const li = listItem(detail);
    if (old) old.replaceWith(li); else ul.append(li);
  } else if (kind === "node-removed") {
    const old = ul.querySelector(`li[data-node-id="${CSS.escape(detail.id)}"]`);
    if (old) old.remove();
  }
  if (kind !== "reading" && !summaryFrame) summaryFrame = requestAnimationFrame(() => { summaryFrame = 0; summary(); if (!$("view-overlays").hidden) overlaysView(); });
});

function select(id) {
  showTab("graph");
  openNode($("node-panel"), id);
  resize();
}

function overlaysView() {
  const tb = $("overlay-rows");
  clear(tb);
  if (!city.overlays.length) tb.append(h("tr", {}, h("td", { colspan: 3, class: "empty" }, "No overlays: activate a policy that joins nodes to one.")));
  for (const o of city.overlays) {
    const names = o.members.slice(0, 30).map((id) => (city.nodes.get(id) || { name: id }).name);
    tb.append(h("tr", { "data-overlay": o.name },
      h("td", {}, h("a", { href: "#", onclick: (e) => { e.preventDefault(); showTab("graph"); highlightNodes(o.members); } }, o.name)),
      h("td", { class: "num" }, o.members.length),
      h("td", {}, names.join(", ") + (o.members.length > 30 ? ` … (+${o.members.length - 30})` : ""))));
  }
}

async function clusterView() {
  const box = $("cluster-body");
  clear(box);
  try {
    const c = await get("/cluster");
    const ul = h("ul", { class: "plain", id: "cluster-members" });
    for (const m of c.members || []) {
      const id = typeof m === "string" ? m : m.id;
      const mastered = [...city.nodes.values()].filter((n) => n.controllerId === id).length;
      ul.append(h("li", { "data-member": id }, h("b", {}, id), id === c.leader ? h("span", { class: "chip active" }, "leader") : "",
        typeof m === "object" && m.restUrl ? ` ${m.restUrl}` : "", ` · masters ${mastered} nodes`));
    }
    box.append(ul);
  } catch (e) {
    box.append(h("p", {}, `No cluster view from this controller (${e.message}).`),
      h("ul", { class: "plain" }, ...city.controllers.map((c) => h("li", {}, c.id, c.leader ? " (leader)" : ""))));
  }
}

function showTab(name) {
  for (const b of document.querySelectorAll("#tabs button")) b.classList.toggle("active", b.dataset.tab === name);
  for (const v of document.querySelectorAll(".view")) v.hidden = v.id !== `view-${name}`;
  document.body.dataset.tab = name;
  if (name === "graph") resize();
  if (name === "map") showMap($("map"));
  if (name === "overlays") overlaysView();
  if (name === "cluster") clusterView();
  if (name === "policies") showPolicies().catch((e) => { $("policy-status").textContent = e.message; });
}

whenUnauthorized(() => { token.clear(); showLogin("The controller refused that token (HTTP 401)."); });
onNodeSelected(select);
onMapNodeSelected(select);
for (const b of document.querySelectorAll("#tabs button")) b.addEventListener("click", () => showTab(b.dataset.tab));
$("graph-fit").addEventListener("click", () => { clearHighlight(); fit(); });
$("tile-apply").addEventListener("click", () => setTiles($("tile-url").value.trim()));
$("login-form").addEventListener("submit", (e) => {
  e.preventDefault();
  const v = $("token").value.trim();
  if (!v) return;
  token.set(v);
  $("token").value = "";
  start();
});
$("signout").addEventListener("click", () => { token.clear(); showLogin(); });
window.addEventListener("resize", resize);
if (token.get()) start(); else showLogin();
