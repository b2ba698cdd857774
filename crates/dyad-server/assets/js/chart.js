// Attention over time: documents per topic and month as an inline SVG line chart.
import { h } from './dom.js';

const COLORS = ['#1f5fbf', '#d1495b', '#2e933c', '#edae49', '#6a4c93', '#00798c', '#8d6346', '#e07a5f'];

export function topicChart(rows) {
  if (!rows.length) return h('p', { class: 'muted' }, 'No topics extracted yet.');
  const months = [...new Set(rows.map(r => r.month))].sort();
  const totals = new Map();
  for (const r of rows) totals.set(r.topic, (totals.get(r.topic) || 0) + r.documents);
  const topics = [...totals.entries()].sort((a, b) => b[1] - a[1]).slice(0, COLORS.length).map(t => t[0]);
  const labels = new Map(rows.map(r => [r.topic, r.label]));
  const value = new Map(rows.map(r => [`${r.topic}|${r.month}`, r.documents]));
  const max = Math.max(1, ...rows.filter(r => topics.includes(r.topic)).map(r => r.documents));
  const W = 720, H = 220, L = 36, B = 24, T = 8, R = 8;
  const x = (i) => L + (months.length === 1 ? (W - L - R) / 2 : i * (W - L - R) / (months.length - 1));
  const y = (v) => T + (H - T - B) * (1 - v / max);
  const svg = h('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': 'Documents per topic and month' },
    h('line', { class: 'axis', x1: L, x2: W - R, y1: H - B, y2: H - B }),
    h('line', { class: 'axis', x1: L, x2: L, y1: T, y2: H - B }),
    h('text', { x: L - 4, y: T + 8, 'text-anchor': 'end' }, String(max)),
    h('text', { x: L - 4, y: H - B, 'text-anchor': 'end' }, '0'));
  const step = Math.max(1, Math.ceil(months.length / 12));
  months.forEach((m, i) => { if (i % step === 0) svg.appendChild(h('text', { x: x(i), y: H - 6, 'text-anchor': 'middle' }, m)); });
  topics.forEach((t, k) => {
    const pts = months.map((m, i) => `${x(i)},${y(value.get(`${t}|${m}`) || 0)}`).join(' ');
    svg.appendChild(h('polyline', { points: pts, fill: 'none', stroke: COLORS[k], 'stroke-width': 2 }, h('title', {}, labels.get(t) || t)));
  });
  const legend = h('div', { class: 'legend' }, topics.map((t, k) => {
    const sw = h('span', { class: 'swatch' });
    sw.style.background = COLORS[k];
    return h('span', {}, sw, `${labels.get(t) || t} (${totals.get(t)})`);
  }));
  return h('div', {}, svg, legend);
}
