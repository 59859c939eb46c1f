// The controller's REST API with the admin token as a Bearer header (never in an address).
const TOKEN_KEY = "civitas.adminToken";

export class Unauthorized extends Error {}

export class ApiError extends Error {
  constructor(status, body) {
    super((body && (body.detail || body.title)) || `HTTP ${status}`);
    this.status = status;
    this.body = body;
  }
}

export const token = {
  get: () => sessionStorage.getItem(TOKEN_KEY),
  set: (t) => sessionStorage.setItem(TOKEN_KEY, t),
  clear: () => sessionStorage.removeItem(TOKEN_KEY),
};

let onUnauthorized = () => {};
export function whenUnauthorized(fn) { onUnauthorized = fn; }

export function authHeaders(extra = {}) {
  return { Authorization: `Bearer ${token.get()}`, ...extra };
}

export async function request(method, path, body) {
  const init = { method, headers: authHeaders({ Accept: "application/json" }), cache: "no-store" };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const response = await fetch(`/api/v1${path}`, init);
  if (response.status === 401) {
    onUnauthorized();
    throw new Unauthorized("the controller refused the token");
  }
  const text = await response.text();
  let json = null;
  if (text) {
    try { json = JSON.parse(text); } catch { json = { detail: text }; }
  }
  if (!response.ok) throw new ApiError(response.status, json);
  return json;
}

export const get = (path) => request("GET", path);
export const post = (path, body) => request("POST", path, body);
