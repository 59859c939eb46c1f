// The planners' editor: policies and their versions, CodeMirror with lint markers at line:column from
// the controller's validation, test cases, dry-run as a per-node difference, push, activate, roll back.
import { EditorView, basicSetup } from "codemirror";
import { EditorState } from "@codemirror/state";
import { setDiagnostics, lintGutter } from "@codemirror/lint";
import { get, post, ApiError } from "./api.js";
import { h, clear } from "./dom.js";

const $ = (id) => document.getElementById(id);
let view = null;
let files = [];          // [{path, text}]
let currentFile = 0;
let errors = [];         // [{file, line, column, message}]
let opened = null;       // {name, version}
let activeVersions = {};

const NEW_POLICY = `rule "boards of Centro join env-net"
when
    a board
    - in district "centro"
then
    join it to overlay "env-net"
end
`;

export async function showPolicies() {
  if (!view) init();
  await refreshList();
}

function init() {
  view = new EditorView({
    parent: $("editor"),
    state: EditorState.create({ doc: "", extensions: [basicSetup, lintGutter(), EditorView.updateListener.of((u) => {
      if (u.docChanged && files[currentFile]) files[currentFile].text = u.state.doc.toString();
    })] }),
  });
  window.civitasEditor = {
    view,
    setText: (t) => setDoc(t),
    setFiles: (list) => { files = list.map((f) => ({ path: f.path, text: f.text })); fillFiles(); selectFile(0); showErrors([]); },
  };
  $("policy-file").addEventListener("change", () => selectFile(Number($("policy-file").value)));
  $("policy-add-file").addEventListener("click", () => {
    const path = prompt("file name (.drl or .dslr)", "rules.dslr");
    if (!path) return;
    files.push({ path, text: "" });
    fillFiles();
    selectFile(files.length - 1);
  });
  $("policy-new").addEventListener("click", () => {
    opened = null;
    $("policy-name").value = "new-policy";
    files = [{ path: "rules.dslr", text: NEW_POLICY }];
    fillFiles(); selectFile(0); showErrors([]); clear($("policy-versions")); status("");
  });
  $("policy-validate").addEventListener("click", validate);
  $("policy-test").addEventListener("click", runTests);
  $("policy-dry-run").addEventListener("click", dryRun);
  $("policy-push").addEventListener("click", push);
  $("policy-cases-file").addEventListener("change", async (e) => {
    const f = e.target.files[0];
    if (f) { $("policy-cases").value = await f.text(); $("policy-cases").dataset.file = f.name; }
  });
  $("policy-new").click();
}

function setDoc(text) {
  view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
  markErrors();
}

function fillFiles() {
  const sel = $("policy-file");
  clear(sel);
  files.forEach((f, i) => sel.append(h("option", { value: i }, f.path)));
}

function selectFile(i) {
  currentFile = i;
  $("policy-file").value = String(i);
  setDoc(files[i] ? files[i].text : "");
}

function body() {
  return { name: $("policy-name").value.trim(), files: files.map((f) => ({ path: f.path, text: f.text })) };
}

function status(text, kind = "") {
  const s = $("policy-status");
  s.textContent = text;
  s.className = `status-line ${kind}`;
  s.dataset.state = kind;
}

async function refreshList() {
  const list = await get("/policies");
  activeVersions = Object.fromEntries(list.map((p) => [p.name, p.activeVersion]));
  const ul = $("policy-list");
  clear(ul);
  for (const p of list) {
    ul.append(h("li", { "data-policy": p.name },
      h("a", { href: "#", onclick: (e) => { e.preventDefault(); open(p.name, p.latestVersion); } }, p.name),
      ` v${p.latestVersion}`, p.activeVersion ? h("span", { class: "chip active" }, `active v${p.activeVersion}`) : ""));
  }
}

async function open(name, version) {
  const src = await get(`/policies/${encodeURIComponent(name)}/versions/${version}`);
  opened = { name, version };
  $("policy-name").value = name;
  files = src.files.map((f) => ({ path: f.path, text: f.text }));
  fillFiles(); selectFile(0); showErrors([]);
  status(`${name} version ${version}`);
  await versions(name);
}

async function versions(name) {
  const p = await get(`/policies/${encodeURIComponent(name)}`);
  const ul = $("policy-versions");
  clear(ul);
  for (const v of [...p.versions].reverse()) {
    const active = p.activeVersion === v.version;
    ul.append(h("li", { "data-version": v.version, "data-active": active ? "true" : "false" },
      h("a", { href: "#", onclick: (e) => { e.preventDefault(); open(name, v.version); } }, `v${v.version}`),
      ` ${new Date(v.createdAt).toLocaleString()} `,
      active ? h("span", { class: "chip active" }, "active")
        : h("button", { type: "button", class: "small", "data-activate": v.version, onclick: () => activate(name, v.version, p.activeVersion) },
          p.activeVersion && v.version < p.activeVersion ? "Roll back to this" : "Activate")));
  }
}

function showErrors(list) {
  errors = list || [];
  const ul = $("policy-errors");
  clear(ul);
  for (const e of errors) {
    ul.append(h("li", { class: "policy-error", "data-file": e.file || "", "data-line": e.line ?? "", "data-column": e.column ?? "",
      onclick: () => { const i = files.findIndex((f) => f.path === e.file); if (i >= 0 && i !== currentFile) selectFile(i); goTo(e); } },
    `${e.file || ""}:${e.line ?? "?"}:${e.column ?? "?"}: ${e.message}`));
  }
  markErrors();
}

function offset(doc, line, column) {
  const l = doc.line(Math.min(Math.max(1, line || 1), doc.lines));
  const from = Math.min(l.from + Math.max(0, (column || 1) - 1), l.to);
  return { from, to: from < l.to ? l.to : from, line: l };
}

function markErrors() {
  if (!view) return;
  const path = files[currentFile] && files[currentFile].path;
  const doc = view.state.doc;
  const diags = errors.filter((e) => !e.file || e.file === path || files.length === 1).map((e) => {
    const { from, to } = offset(doc, e.line, e.column);
    return { from, to, severity: "error", message: e.message };
  });
  view.dispatch(setDiagnostics(view.state, diags));
}

function goTo(e) {
  const { from } = offset(view.state.doc, e.line, e.column);
  view.dispatch({ selection: { anchor: from }, scrollIntoView: true });
  view.focus();
}

function problem(e) {
  if (e instanceof ApiError && e.body && Array.isArray(e.body.errors) && e.body.errors.length && e.body.errors[0].line !== undefined) {
    showErrors(e.body.errors);
    status(`${e.body.errors.length} error${e.body.errors.length > 1 ? "s" : ""}: ${e.body.detail || e.message}`, "bad");
  } else {
    status(e.message, "bad");
  }
}

async function validate() {
  status("validating…");
  try {
    await post("/policies/validate", body());
    showErrors([]);
    status("valid", "ok");
    return true;
  } catch (e) { problem(e); return false; }
}

async function runTests() {
  const text = $("policy-cases").value;
  if (!text.trim()) { $("cases-box").open = true; status("paste or load a .cases file first", "bad"); return; }
  status("running tests…");
  try {
    const r = await post("/policies/test", { ...body(), tests: [{ file: $("policy-cases").dataset.file || "editor.cases", text }] });
    showErrors([]);
    const out = $("policy-results");
    clear(out);
    out.append(h("h4", {}, `Tests: ${r.total - r.failed} of ${r.total} passed`));
    const ul = h("ul", { class: "plain", id: "test-results" });
    for (const c of r.cases) {
      ul.append(h("li", { class: `case ${c.result}`, "data-result": c.result }, h("b", {}, c.result), ` ${c.name} (${c.file}:${c.line})`,
        ...(c.differences || []).map((d) => h("div", { class: "diff" }, d))));
    }
    out.append(ul);
    status(r.passed ? "all tests pass" : `${r.failed} test${r.failed > 1 ? "s" : ""} failed`, r.passed ? "ok" : "bad");
  } catch (e) { problem(e); }
}

export function diffLines(c) {
  const lines = [];
  (c.overlaysAdded || []).forEach((o) => lines.push(["add", `+ overlay ${o}`]));
  (c.overlaysRemoved || []).forEach((o) => lines.push(["remove", `- overlay ${o}`]));
  for (const [s, ch] of Object.entries(c.sampling || {})) {
    const f = (v) => (v === null || v === undefined ? "none" : `${v} ms`);
    lines.push(["change", `~ sampling ${s}: ${f(ch.beforeMillis)} -> ${f(ch.afterMillis)}`]);
  }
  (c.exposuresAdded || []).forEach((x) => lines.push(["add", `+ exposure ${x}`]));
  (c.exposuresRemoved || []).forEach((x) => lines.push(["remove", `- exposure ${x}`]));
  (c.alertsAdded || []).forEach((x) => lines.push(["add", `+ alert ${x}`]));
  (c.alertsRemoved || []).forEach((x) => lines.push(["remove", `- alert ${x}`]));
  if ((c.quarantineBefore || null) !== (c.quarantineAfter || null)) {
    lines.push(["change", `~ quarantine: ${c.quarantineBefore || "none"} -> ${c.quarantineAfter || "none"}`]);
  }
  return lines;
}

async function dryRun() {
  status("dry-run…");
  try {
    const r = await post("/policies/dry-run", body());
    showErrors([]);
    const out = $("policy-results");
    clear(out);
    out.append(h("h4", { id: "dry-run-summary" }, `Dry-run: ${r.changedNodes} of ${r.nodes} nodes would change (nothing was changed)`));
    const box = h("div", { id: "dry-run" });
    for (const n of r.changes) {
      const block = h("div", { class: "node-diff", "data-node-id": n.nodeId }, h("b", {}, `${n.name} (${n.nodeId})`));
      for (const [kind, text] of diffLines(n.changes)) block.append(h("div", { class: `diff ${kind}` }, text));
      box.append(block);
    }
    out.append(box);
    status(`dry-run: ${r.changedNodes} of ${r.nodes} nodes would change`, "ok");
  } catch (e) { problem(e); }
}

async function push() {
  if (!(await validate())) return;
  try {
    const r = await post("/policies", body());
    status(`pushed ${r.name} version ${r.version}`, "ok");
    opened = { name: r.name, version: r.version };
    await refreshList();
    await versions(r.name);
  } catch (e) { problem(e); }
}

async function activate(name, version, activeVersion) {
  status(`activating ${name} v${version}…`);
  try {
    const r = await post(`/policies/${encodeURIComponent(name)}/activate?version=${version}`);
    const verb = activeVersion && version < activeVersion ? "rolled back to" : "activated";
    status(`${verb} ${name} version ${version}; ${r.changedNodes} node${r.changedNodes === 1 ? "" : "s"} changed`, "ok");
    await refreshList();
    await versions(name);
  } catch (e) { problem(e); }
}
