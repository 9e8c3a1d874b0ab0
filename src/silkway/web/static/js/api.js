/* The HTTP API (versioned paths), with errors turned into one readable sentence. */

export const API = "/api/v1";
const TOKEN_KEY = "silkway.token";

export const token = {
  get: () => localStorage.getItem(TOKEN_KEY) || "",
  set: (v) => (v ? localStorage.setItem(TOKEN_KEY, v) : localStorage.removeItem(TOKEN_KEY)),
};

export class ApiError extends Error {
  constructor(title, detail, status) {
    super(detail);
    this.title = title;
    this.detail = detail;
    this.status = status;
  }
}

export function humanise(code) {
  if (!code) return "";
  const words = String(code).replace(/Error$/, "").replace(/([a-z])([A-Z])/g, "$1 $2").replace(/[_-]+/g, " ");
  return words.charAt(0).toUpperCase() + words.slice(1).toLowerCase();
}

function describeDetail(detail) {
  if (typeof detail === "string") return detail;
  if (Array.isArray(detail)) {
    // FastAPI request validation: [{loc: ["body", "month"], msg: "..."}]
    return detail.map((d) => {
      const where = (d.loc || []).filter((p) => p !== "body").join(".");
      return where ? `${where}: ${d.msg}` : d.msg;
    }).join("; ");
  }
  return detail ? JSON.stringify(detail) : "";
}

/** Call the API; JSON in and out unless `raw` (then the Response body as a Blob). */
export async function api(method, path, body, { auth = false, raw = false, accept = "application/json" } = {}) {
  const headers = { Accept: accept };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const tok = auth ? token.get() : "";
  if (tok) headers.Authorization = `Bearer ${tok}`;
  let res;
  try {
    res = await fetch(API + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    throw new ApiError("Server unreachable", "The silkway server did not answer; is `silkway serve` still running?", 0);
  }
  if (res.ok && raw) return res.blob();
  const text = await res.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (!res.ok) {
    const detail = describeDetail(data && data.detail) || text.slice(0, 200) || res.statusText;
    const title = humanise(data && (data.error || data.title)) || `Request failed (HTTP ${res.status})`;
    throw new ApiError(title, detail, res.status);
  }
  return data;
}
