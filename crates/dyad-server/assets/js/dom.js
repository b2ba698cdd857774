// DOM and API helpers. Data is never parsed as HTML: every string goes through textContent
// (via text nodes), attributes through setAttribute on a fixed allow-list of names.

const ATTRS = new Set(['class', 'href', 'id', 'title', 'type', 'name', 'value', 'placeholder',
  'for', 'role', 'aria-label', 'data-id', 'data-status', 'data-testid', 'viewBox', 'width', 'height', 'x', 'y',
  'x1', 'x2', 'y1', 'y2', 'd', 'fill', 'stroke', 'stroke-width', 'points', 'text-anchor', 'disabled',
  'selected', 'rows', 'colspan']);
const SVG_NS = 'http://www.w3.org/2000/svg';
const SVG_TAGS = new Set(['svg', 'g', 'path', 'line', 'rect', 'text', 'polyline', 'circle', 'title']);

/** Builds an element: h('a', {href: '#/x'}, 'text', child, [more]). */
export function h(tag, attrs, ...children) {
  const el = SVG_TAGS.has(tag) ? document.createElementNS(SVG_NS, tag) : document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') { el.addEventListener(k.slice(2), v); continue; }
    if (!ATTRS.has(k)) throw new Error(`attribute not allowed: ${k}`);
    if (k === 'href' && !/^(#|\/|https?:)/.test(String(v))) continue;
    el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else if (c instanceof Node) el.appendChild(c);
    else el.appendChild(document.createTextNode(String(c)));
  }
}

export function clear(el) { while (el.firstChild) el.removeChild(el.firstChild); return el; }

const TOKEN_KEY = 'dyad-token';
export const token = {
  get: () => sessionStorage.getItem(TOKEN_KEY) || '',
  set: (t) => t ? sessionStorage.setItem(TOKEN_KEY, t) : sessionStorage.removeItem(TOKEN_KEY),
};

export class ApiError extends Error {
  constructor(status, code, message) { super(message); this.status = status; this.code = code; }
}

/** GET (or POST with a JSON body) an API path; throws ApiError with the server's message. */
export async function api(path, params, body) {
  const url = new URL('/api/v1' + path, location.origin);
  for (const [k, v] of Object.entries(params || {})) {
    if (v !== undefined && v !== null && v !== '') url.searchParams.set(k, v);
  }
  const init = { headers: { Accept: 'application/json' } };
  if (body !== undefined) {
    init.method = 'POST';
    init.headers['Content-Type'] = 'application/json';
    init.headers.Authorization = 'Bearer ' + token.get();
    init.body = JSON.stringify(body);
  }
  const res = await fetch(url, init);
  const data = await res.json().catch(() => null);
  if (!res.ok) {
    const e = data && data.error ? data.error : { code: 'http', message: res.statusText };
    throw new ApiError(res.status, e.code, e.message);
  }
  return data;
}

const enc = new TextEncoder();
const dec = new TextDecoder();

/**
 * Splits text into segments at the byte offsets of spans ({start, end, cls, id}), so each
 * segment is covered by the same set of spans. Offsets are UTF-8 byte offsets, as the API gives.
 */
export function segments(text, spans) {
  const bytes = enc.encode(text);
  const n = bytes.length;
  const valid = spans.filter(s => Number.isInteger(s.start) && Number.isInteger(s.end) && s.start < s.end && s.end <= n);
  const cuts = new Set([0, n]);
  for (const s of valid) { cuts.add(s.start); cuts.add(s.end); }
  const points = [...cuts].sort((a, b) => a - b);
  const out = [];
  for (let i = 0; i + 1 < points.length; i++) {
    const a = points[i], b = points[i + 1];
    const covering = valid.filter(s => s.start <= a && s.end >= b);
    out.push({ text: dec.decode(bytes.subarray(a, b)), start: a, spans: covering });
  }
  return out;
}

/** The text of a search snippet with <mark> around byte-range highlights. */
export function snippet(fragment, ranges) {
  const segs = segments(fragment, (ranges || []).map(([start, end]) => ({ start, end })));
  return h('p', { class: 'snippet' }, segs.map(s => s.spans.length ? h('mark', {}, s.text) : s.text));
}

export const fmtDate = (d) => d || 'undated';
