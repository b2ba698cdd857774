// The dashboard: a hash router and one function per view. Views fetch the JSON API and build
// the DOM with h() (text nodes only).
import { h, clear, api, token, segments, snippet, fmtDate } from './dom.js';
import { topicChart } from './chart.js';

const view = () => document.getElementById('view');

function parseHash() {
  const raw = location.hash.replace(/^#\/?/, '');
  const [path, query] = raw.split('?');
  return { parts: path.split('/').filter(Boolean).map(decodeURIComponent), params: new URLSearchParams(query || '') };
}

const routes = {
  '': overview, timeline, commitments, commitment, suggestions, actors, actor, doc, search, sources,
};

async function render() {
  const { parts, params } = parseHash();
  const fn = routes[parts[0] || ''];
  const root = clear(view());
  if (!fn) { root.appendChild(h('p', { class: 'error' }, 'No such page.')); return; }
  try {
    await fn(root, parts.slice(1), params);
  } catch (e) {
    root.appendChild(h('p', { class: 'error', 'data-testid': 'error' }, `Error: ${e.message}`));
  }
  document.body.dataset.ready = location.hash || '#/';
}

const docLink = (id, label, hl) => h('a', { href: `#/doc/${encodeURIComponent(id)}${hl ? `?hl=${hl}` : ''}` }, label || id);
const actorLink = (key, label) => h('a', { href: `#/actor/${encodeURIComponent(key)}` }, label);
const statusLabel = (s) => s.replace(/_/g, ' ');

function pager(root, data, params, base) {
  const pages = Math.max(1, Math.ceil(data.total / data.per_page));
  const go = (p) => { params.set('page', p); location.hash = `${base}?${params}`; };
  root.appendChild(h('div', { class: 'pager' },
    h('button', { type: 'button', disabled: data.page <= 1, onclick: () => go(data.page - 1) }, '← Previous'),
    h('span', { class: 'muted' }, `Page ${data.page} of ${pages} · ${data.total} in all`),
    h('button', { type: 'button', disabled: data.page >= pages, onclick: () => go(data.page + 1) }, 'Next →')));
}

function eventItem(e) {
  const r = e.record || {};
  return h('li', {},
    h('span', { class: 'tag' }, r.type || '?'), h('span', { class: 'tag' }, r.status || ''),
    h('strong', {}, fmtDate(r.date)), ' ',
    (r.actors || []).join(', '), r.recipients && r.recipients.length ? ` → ${r.recipients.join(', ')}` : '',
    h('div', {}, docLink(e.doc_id, r.text || '(no text)', `${r.start}-${r.end}`)),
    h('div', { class: 'muted' }, e.doc_title || '', e.source ? ` · ${e.source}` : ''));
}

const commitmentLink = (id, label) => h('a', { href: `#/commitment/${encodeURIComponent(id)}` }, label);
const hlRange = (x) => (Number.isInteger(x.start) && Number.isInteger(x.end) ? `${x.start}-${x.end}` : null);

// A card of the commitments board: what the list endpoint gives (no evidence, no history).
function commitmentCard(c) {
  const first = c.first_stated || {};
  return h('div', { class: 'card', 'data-id': c.id, 'data-testid': 'commitment' },
    h('div', {}, c.kind ? h('span', { class: 'tag' }, c.kind) : null,
      c.overdue ? h('span', { class: 'tag overdue' }, 'overdue') : null,
      c.due ? h('span', { class: 'tag' }, `due ${c.due}`) : null,
      c.suggested_status && c.suggested_status !== c.status
        ? h('span', { class: 'tag suggested', 'data-testid': 'suggested' }, `suggests ${statusLabel(c.suggested_status)}`) : null),
    h('div', {}, (c.holders || []).join(', ') || 'unknown holder'),
    h('div', {}, commitmentLink(c.id, c.text)),
    c.amount ? h('div', { class: 'muted' }, c.amount) : null,
    h('div', { class: 'muted' }, 'stated ', docLink(first.doc_id, fmtDate(first.date), hlRange(first)),
      ` · ${c.evidence_total} piece(s) of evidence`),
    c.last_status ? h('div', { class: 'muted' },
      `last: ${statusLabel(c.last_status.status)} by ${c.last_status.by}`) : null);
}

let STATUSES = [];

/** A short message for an API error on a write. */
const writeError = (e) => (e.status === 401 ? 'Set a valid token first (Token button).' : e.message);

// Accept/reject buttons for a pending suggestion (writes need a token).
function reviewButtons(id, done) {
  const note = h('input', { type: 'text', name: 'note', placeholder: 'note', 'aria-label': 'Note' });
  const msg = h('span', { class: 'error' });
  const act = (verb) => async () => {
    msg.textContent = '';
    try {
      await api(`/suggestions/${encodeURIComponent(id)}/${verb}`, null, note.value.trim() ? { note: note.value.trim() } : {});
      done();
    } catch (e) { msg.textContent = writeError(e); }
  };
  return h('div', { class: 'review' }, note,
    h('button', { type: 'button', class: 'primary', onclick: act('accept') }, 'Accept'),
    h('button', { type: 'button', onclick: act('reject') }, 'Reject'), msg);
}

// Setting a status asks for evidence: one of the commitment's evidence items, or a document
// id and a sentence of it (not_yet_rated needs none).
function statusForm(c, done) {
  const select = h('select', { 'aria-label': 'New status', name: 'status' },
    STATUSES.map(s => h('option', { value: s, selected: s === c.status }, statusLabel(s))));
  const from = h('select', { 'aria-label': 'Evidence', name: 'evidence' },
    h('option', { value: '' }, 'evidence: a document and a sentence…'),
    (c.evidence || []).map(e => h('option', { value: e.suggestion }, `${e.suggestion}: ${e.text.slice(0, 90)}`)));
  const docId = h('input', { type: 'text', name: 'doc_id', placeholder: 'document id', 'aria-label': 'Evidence document id' });
  const sentence = h('input', { type: 'text', name: 'sentence', placeholder: 'sentence of that document', 'aria-label': 'Evidence sentence' });
  const note = h('input', { type: 'text', name: 'note', placeholder: 'note', 'aria-label': 'Note' });
  const msg = h('span', { class: 'error', 'data-testid': 'status-error' });
  const save = h('button', {
    type: 'button', class: 'primary', onclick: async () => {
      msg.textContent = '';
      const body = { status: select.value };
      if (note.value.trim()) body.note = note.value.trim();
      if (from.value) body.suggestion = from.value;
      else if (docId.value.trim() || sentence.value.trim()) body.evidence = { doc_id: docId.value.trim(), sentence: sentence.value.trim() };
      try {
        await api(`/commitments/${encodeURIComponent(c.id)}/status`, null, body);
        done();
      } catch (e) { msg.textContent = writeError(e); }
    },
  }, 'Set status');
  return h('form', { class: 'review', 'data-testid': 'status-form', onsubmit: (ev) => ev.preventDefault() },
    select, from, docId, sentence, note, save, msg);
}

function registryNote(summary) {
  const r = summary.summary.registry;
  return r && r.behind > 0 ? h('p', { class: 'error', 'data-testid': 'registry-behind' }, `The commitment registry is behind: ${r.hint}`) : null;
}

async function overview(root) {
  const [stats, topics, events, summary] = await Promise.all([
    api('/stats'), api('/topics'), api('/events', { per_page: 8 }), api('/commitments/summary')]);
  root.appendChild(h('h1', {}, 'Overview'));
  root.appendChild(h('div', { class: 'grid' },
    h('div', { class: 'card' }, h('div', { class: 'stat', 'data-testid': 'doc-count' }, String(stats.documents)), 'documents',
      h('div', { class: 'muted' }, `${fmtDate(stats.earliest)} – ${fmtDate(stats.latest)}`)),
    h('div', { class: 'card' }, h('div', { class: 'stat' }, String(summary.summary.total)), 'tracked commitments',
      summary.summary.overdue ? h('div', {}, h('span', { class: 'tag overdue' }, `${summary.summary.overdue} overdue`)) : null,
      h('ul', { class: 'plain' }, summary.summary.by_status.map(s =>
        h('li', {}, h('a', { href: `#/commitments?status=${s.status}` }, statusLabel(s.status)), `: ${s.count}`))),
      h('a', { href: '#/suggestions' }, 'Suggestions to review'), registryNote(summary)),
    h('div', { class: 'card' }, h('div', { class: 'stat' }, String(stats.by_source.length)), 'sources',
      h('ul', { class: 'plain' }, stats.by_language.map(l => h('li', {}, `${l.value}: ${l.count}`))))));
  root.appendChild(h('h2', {}, 'Attention over time, by topic'));
  root.appendChild(h('div', { class: 'card chart' }, topicChart(topics.items)));
  root.appendChild(h('h2', {}, 'Latest events'));
  root.appendChild(events.items.length ? h('ul', { class: 'plain card' }, events.items.map(eventItem))
    : h('p', { class: 'muted' }, 'No events extracted yet.'));
}

async function timeline(root, _parts, params) {
  const q = Object.fromEntries(['since', 'until', 'type', 'status', 'actor', 'page'].map(k => [k, params.get(k) || '']));
  const [months, events] = await Promise.all([
    api('/timeline', { ...q, page: undefined }), api('/events', { ...q, per_page: 25 })]);
  root.appendChild(h('h1', {}, 'Timeline'));
  root.appendChild(filterForm(params, '#/timeline', [
    ['since', 'since (YYYY-MM)'], ['until', 'until'], ['type', 'type (AGREE…)'], ['actor', 'actor'], ['status', 'status']]));
  if (months.months.length) {
    root.appendChild(h('p', { class: 'muted' }, months.months.map(m => `${m.month}: ${m.events}`).join(' · ')));
  }
  root.appendChild(events.items.length ? h('ul', { class: 'plain card', 'data-testid': 'events' }, events.items.map(eventItem))
    : h('p', { class: 'muted' }, 'No events match.'));
  pager(root, events, params, '#/timeline');
}

function filterForm(params, base, fields) {
  const inputs = fields.map(([name, ph]) => h('input', { type: 'text', name, placeholder: ph, 'aria-label': ph, value: params.get(name) || '' }));
  return h('form', {
    class: 'filters', onsubmit: (ev) => {
      ev.preventDefault();
      const p = new URLSearchParams();
      for (const i of inputs) if (i.value.trim()) p.set(i.name, i.value.trim());
      location.hash = `${base}?${p}`;
    },
  }, inputs, h('button', { type: 'submit' }, 'Filter'));
}

async function commitments(root, _parts, params) {
  const summary = await api('/commitments/summary');
  STATUSES = summary.statuses;
  root.appendChild(h('h1', {}, 'Commitments'));
  const note = registryNote(summary);
  if (note) root.appendChild(note);
  root.appendChild(h('p', { class: 'muted' }, `${summary.summary.total} tracked · ${summary.summary.overdue} overdue · `,
    h('a', { href: '#/suggestions' }, 'suggestions to review')));
  root.appendChild(filterForm(params, '#/commitments', [['holder', 'holder'], ['topic', 'topic']]));
  const only = params.get('status');
  const shown = only ? [only] : STATUSES.filter(s => summary.summary.by_status.some(b => b.status === s && b.count > 0));
  if (!shown.length) { root.appendChild(h('p', { class: 'muted' }, 'No commitments tracked yet.')); return; }
  const board = h('div', { class: 'board', 'data-testid': 'board' });
  root.appendChild(board);
  const cols = await Promise.all(shown.map(s => api('/commitments', {
    status: s, holder: params.get('holder'), topic: params.get('topic'), per_page: 50, page: only ? params.get('page') : null })));
  shown.forEach((s, i) => {
    const data = cols[i];
    board.appendChild(h('div', { class: 'column', 'data-status': s },
      h('h3', {}, `${statusLabel(s)} (${data.total})`),
      data.items.map(c => commitmentCard(c)),
      data.total > data.items.length && !only ? h('a', { href: `#/commitments?status=${s}` }, `all ${data.total}…`) : null));
  });
  if (only) pager(root, cols[0], params, '#/commitments');
}

async function commitment(root, parts, params) {
  const id = parts[0] || '';
  const [c, summary] = await Promise.all([
    api(`/commitments/${encodeURIComponent(id)}`, { page: params.get('page') }), api('/commitments/summary')]);
  STATUSES = summary.statuses;
  const rerender = () => render();
  root.appendChild(h('h1', { 'data-testid': 'commitment-title' }, c.text));
  root.appendChild(h('p', {}, h('span', { class: 'tag', 'data-testid': 'status' }, statusLabel(c.status)),
    c.overdue ? h('span', { class: 'tag overdue' }, 'overdue') : null,
    c.suggested_status ? h('span', { class: 'tag suggested' }, `dyad suggests ${statusLabel(c.suggested_status)}`) : null,
    c.due ? h('span', { class: 'tag' }, `due ${c.due}`) : null,
    c.kind ? h('span', { class: 'tag' }, c.kind) : null));
  const first = c.first_stated || {};
  root.appendChild(h('p', { class: 'muted' }, [(c.holders || []).join(', '), c.amount, c.topic].filter(Boolean).join(' · '), ' · first stated ',
    docLink(first.doc_id, fmtDate(first.date), hlRange(first)), ` · stated in ${c.statements} document(s)`));
  if (c.merged_into) root.appendChild(h('p', {}, 'Merged into ', commitmentLink(c.merged_into, c.merged_into), '.'));
  if ((c.merged || []).length) root.appendChild(h('p', { class: 'muted' }, 'Merged into this one: ', c.merged.map(m => [commitmentLink(m, m), ' '])));
  const evidence = h('ul', { class: 'plain card', 'data-testid': 'evidence' }, (c.evidence || []).map(e => h('li', { 'data-id': e.suggestion },
    h('span', { class: 'tag' }, e.suggestion), h('span', { class: 'tag' }, `suggests ${statusLabel(e.status)}`),
    h('span', { class: `tag review-${e.review}` }, e.review), h('strong', {}, fmtDate(e.date)), ' ',
    docLink(e.doc_id, e.text, hlRange(e)),
    h('div', { class: 'muted' }, e.title || e.input, ` · cue “${e.cue}” · confidence ${e.confidence}`),
    e.review === 'pending' && !c.merged_into ? reviewButtons(e.suggestion, rerender) : null)));
  root.appendChild(h('h2', {}, `Evidence (${c.evidence_total})`));
  root.appendChild(c.evidence.length ? evidence : h('p', { class: 'muted' }, 'No evidence found yet.'));
  if (c.evidence_total > c.evidence.length) {
    pager(root, { total: c.evidence_total, page: Number(params.get('page') || 1), per_page: 20 }, params, `#/commitment/${encodeURIComponent(c.id)}`);
  }
  root.appendChild(h('h2', {}, 'Status history'));
  root.appendChild(c.history.length ? h('ul', { class: 'plain card', 'data-testid': 'history' }, c.history.map(x => h('li', {},
    h('span', { class: 'tag' }, statusLabel(x.status)), `${fmtDate(x.at)} · ${x.by}`, x.note ? ` — ${x.note}` : '',
    x.evidence ? h('div', { class: 'muted' }, docLink(x.evidence.doc_id, x.evidence.text || x.evidence.doc_id, hlRange(x.evidence))) : null)))
    : h('p', { class: 'muted' }, 'Not rated yet.'));
  if (!c.merged_into) {
    root.appendChild(h('h2', {}, 'Set the status'));
    root.appendChild(h('div', { class: 'card' }, statusForm(c, rerender),
      h('p', { class: 'muted' }, 'Every status but “not yet rated” needs evidence: pick one of the evidence items, or give a document id and a sentence of it.')));
  }
}

async function suggestions(root, _parts, params) {
  const data = await api('/suggestions', { page: params.get('page'), per_page: 25 });
  root.appendChild(h('h1', {}, 'Suggestions to review'));
  root.appendChild(h('p', { class: 'muted' }, 'Status changes the tracker suggests from evidence in later articles. Accepting one appends it to the commitment’s history; a token is needed.'));
  root.appendChild(data.items.length ? h('ul', { class: 'plain card', 'data-testid': 'suggestions' }, data.items.map(s => h('li', { 'data-id': s.id, 'data-testid': 'suggestion' },
    h('span', { class: 'tag' }, s.id), h('span', { class: 'tag suggested' }, `suggests ${statusLabel(s.status)}`),
    h('span', { class: 'muted' }, `now ${statusLabel(s.commitment_status || 'not_yet_rated')} · ${fmtDate(s.date)} · confidence ${s.confidence}`),
    h('div', {}, commitmentLink(s.commitment_id, s.commitment_text || s.commitment_id)),
    h('div', {}, '“', docLink(s.doc_id, s.text), '”'),
    reviewButtons(s.id, () => render()))))
    : h('p', { class: 'muted' }, 'Nothing waiting for review.'));
  pager(root, data, params, '#/suggestions');
}

async function actors(root, _parts, params) {
  const name = params.get('name') || '';
  const [list, speakers] = await Promise.all([api('/entities', { name, limit: 100 }), api('/speakers', { limit: 20 })]);
  root.appendChild(h('h1', {}, 'Actors'));
  root.appendChild(filterForm(params, '#/actors', [['name', 'name']]));
  root.appendChild(h('div', { class: 'grid' },
    h('div', { class: 'card' }, h('h2', {}, 'Most mentioned'), h('table', {},
      h('tr', {}, h('th', {}, 'Entity'), h('th', {}, 'Type'), h('th', {}, 'Documents')),
      list.items.map(e => h('tr', {}, h('td', {}, actorLink(e.key, e.name)), h('td', {}, e.type), h('td', {}, String(e.documents)))))),
    h('div', { class: 'card' }, h('h2', {}, 'Speakers'), h('ul', { class: 'plain' },
      speakers.items.map(s => h('li', {}, `${s.speaker} — ${s.quotes} quote(s)`))))));
}

async function actor(root, parts) {
  const d = await api(`/entities/${encodeURIComponent(parts[0] || '')}`);
  const kb = d.kb;
  root.appendChild(h('h1', {}, d.entity.name, ' ', h('span', { class: 'tag' }, d.entity.type)));
  root.appendChild(h('p', { class: 'muted' }, `${d.entity.documents} document(s), ${d.entity.mentions} mention(s)`));
  const left = h('div', { class: 'card' });
  if (kb) {
    left.appendChild(h('h2', {}, 'Names'));
    left.appendChild(h('p', {}, [kb.name, kb.native, ...(kb.aliases || [])].filter(Boolean).join(' · ')));
    if (kb.roles && kb.roles.length) {
      left.appendChild(h('h2', {}, 'Roles over time'));
      left.appendChild(h('ul', { class: 'plain' }, kb.roles.map(r =>
        h('li', {}, `${r.title || r.office} ${r.country || r.org || ''}`, h('span', { class: 'muted' }, ` ${r.from || '?'} – ${r.to || 'now'}`)))));
    }
  }
  const st = d.stance;
  left.appendChild(h('h2', {}, 'Stance'));
  left.appendChild(h('p', { 'data-testid': 'stance' }, st.events.length
    ? `Acts in ${st.cooperative} cooperative and ${st.conflictual} conflictual event(s).`
    : 'No events with this actor.'));
  if (st.events.length) {
    left.appendChild(h('ul', { class: 'plain' }, st.events.map(s => h('li', {}, `${s.type}: ${s.count}`))));
  }
  if (st.quote_tone.length) {
    left.appendChild(h('h3', {}, 'Tone of quotes by year (−1 hostile … +1 warm)'));
    left.appendChild(h('ul', { class: 'plain' }, st.quote_tone.map(t =>
      h('li', {}, `${t.year}: ${t.tone > 0 ? '+' : ''}${t.tone.toFixed(2)}`, h('span', { class: 'muted' }, ` (${t.quotes} quote(s))`)))));
  }
  left.appendChild(h('h2', {}, `Appears with (in the latest ${d.cooccurrence_window} documents)`));
  left.appendChild(h('ul', { class: 'plain' }, d.cooccurring.map(e => h('li', {}, actorLink(e.key, e.name), h('span', { class: 'muted' }, ` ${e.documents}`)))));
  const right = h('div', { class: 'card' },
    h('h2', {}, `Quotes (${d.quotes.total})`),
    d.quotes.items.length ? h('ul', { class: 'plain' }, d.quotes.items.map(q => h('li', {},
      docLink(q.doc_id, `“${q.record.text}”`, `${q.record.start}-${q.record.end}`), h('div', { class: 'muted' }, fmtDate(q.published))))) : h('p', { class: 'muted' }, 'No quotes.'),
    h('h2', {}, 'Documents'),
    h('ul', { class: 'plain' }, d.documents.map(x => h('li', {}, docLink(x.id, x.title || x.id), h('span', { class: 'muted' }, ` ${fmtDate(x.published)} · ${x.mentions}×`)))));
  root.appendChild(h('div', { class: 'grid' }, left, right));
}

async function doc(root, parts, params) {
  const d = await api(`/documents/${encodeURIComponent(parts[0] || '')}`);
  const spans = [];
  for (const e of d.entities || []) for (const m of e.mentions || []) spans.push({ start: m.start, end: m.end, cls: 'hl-entity', title: `${e.name} (${e.type})`, key: e.id || `new:${e.type}:${e.name}` });
  for (const q of d.quotes || []) spans.push({ start: q.start, end: q.end, cls: 'hl-quote', title: `quote: ${q.speaker || 'unattributed'}` });
  for (const e of d.events || []) spans.push({ start: e.start, end: e.end, cls: 'hl-event', title: `event ${e.type} (${e.status})` });
  for (const c of d.commitments || []) spans.push({ start: c.start, end: c.end, cls: 'hl-commitment', title: `commitment (${c.kind})` });
  const focus = (params.get('hl') || '').split('-').map(Number);
  if (focus.length === 2 && focus.every(Number.isInteger)) spans.push({ start: focus[0], end: focus[1], cls: 'hl-focus', title: 'linked evidence' });
  const body = h('div', { class: 'article-text', 'data-testid': 'article-text' }, segments(d.text, spans).map(s => {
    if (!s.spans.length) return s.text;
    const ent = s.spans.find(x => x.key);
    const el = h(ent ? 'a' : 'span', {
      class: s.spans.map(x => x.cls).join(' '), title: s.spans.map(x => x.title).join('; '),
      href: ent ? `#/actor/${encodeURIComponent(ent.key)}` : null,
    }, s.text);
    return el;
  }));
  root.appendChild(h('h1', { 'data-testid': 'doc-title' }, d.title || '(untitled)'));
  root.appendChild(h('p', { class: 'muted' }, [fmtDate(d.published), d.source, d.language, (d.byline || []).join(', ')].filter(Boolean).join(' · ')));
  root.appendChild(h('p', { class: 'key' }, h('span', { class: 'hl-entity' }, 'entity'), h('span', { class: 'hl-quote' }, 'quote'),
    h('span', { class: 'hl-event' }, 'event'), h('span', { class: 'hl-commitment' }, 'commitment')));
  const side = h('div', {},
    h('div', { class: 'card' }, h('h2', {}, `Entities (${(d.entities || []).length})`), h('ul', { class: 'plain' },
      (d.entities || []).map(e => h('li', {}, actorLink(e.id || `new:${e.type}:${e.name}`, e.name), h('span', { class: 'muted' }, ` ${e.type} · ${(e.mentions || []).length}×`))))),
    h('div', { class: 'card' }, h('h2', {}, `Quotes (${(d.quotes || []).length})`), h('ul', { class: 'plain' },
      (d.quotes || []).map(q => h('li', {}, `${q.speaker || 'unattributed'}: “${q.text}”`)))),
    h('div', { class: 'card' }, h('h2', {}, `Commitments (${(d.commitments || []).length})`), h('ul', { class: 'plain' },
      (d.commitments || []).map(c => h('li', {}, `${(c.holders || []).join(', ')} — ${c.kind}: ${c.text}`)))),
    h('div', { class: 'card' }, h('h2', {}, 'Inputs'), h('ul', { class: 'plain' }, (d.inputs || []).map(i => h('li', {}, i)))));
  root.appendChild(h('div', { class: 'reader' }, body, side));
  const removed = h('ul', { class: 'plain removed', 'data-testid': 'removed' }, (d.removed || []).map(r => h('li', {}, h('span', { class: 'tag' }, r.reason), r.text)));
  removed.hidden = true;
  const toggle = h('button', { type: 'button', 'data-testid': 'toggle-removed', onclick: () => { removed.hidden = !removed.hidden; } },
    `Removed boilerplate (${(d.removed || []).length})`);
  root.appendChild(h('h2', {}, toggle));
  root.appendChild(removed);
  const f = root.querySelector('.hl-focus');
  if (f) f.scrollIntoView({ block: 'center' });
}

async function search(root, _parts, params) {
  const q = params.get('q') || '';
  document.getElementById('search-box').value = q;
  const filters = ['lang', 'source', 'since', 'until'];
  const args = { q, page: params.get('page') };
  for (const f of filters) args[f] = params.get(f);
  const res = await api('/search', args);
  root.appendChild(h('h1', {}, q ? `Search: ${q}` : 'All documents'));
  const facetFor = { language: 'lang', source: 'source' };
  const facets = h('div', { class: 'facets card', 'data-testid': 'facets' });
  for (const [name, values] of Object.entries(res.facets)) {
    const param = facetFor[name];
    facets.appendChild(h('h3', {}, name));
    facets.appendChild(h('ul', { class: 'plain' }, values.map(v => {
      if (!param) return h('li', {}, `${v.value} (${v.count})`);
      const p = new URLSearchParams(params); p.delete('page');
      const active = params.get(param) === v.value;
      if (active) p.delete(param); else p.set(param, v.value);
      return h('li', {}, h('a', { href: `#/search?${p}`, class: active ? 'active' : null }, `${v.value} (${v.count})`));
    })));
  }
  const list = h('ul', { class: 'plain card', 'data-testid': 'results' }, res.items.map(hit => h('li', {},
    docLink(hit.id, hit.title || hit.id), h('span', { class: 'muted' }, ` ${fmtDate(hit.published)} · ${hit.source || ''} · ${hit.language}`),
    snippet(hit.snippet.fragment, hit.snippet.highlights))));
  root.appendChild(h('div', { class: 'search-layout' }, facets, h('div', {},
    h('p', { class: 'muted' }, `${res.total} result(s)`), res.items.length ? list : h('p', {}, 'Nothing found.'))));
  pager(root, res, params, '#/search');
}

async function sources(root) {
  const res = await api('/sources');
  root.appendChild(h('h1', {}, 'Sources'));
  root.appendChild(h('table', {}, h('tr', {}, h('th', {}, 'Outlet'), h('th', {}, 'Documents'), h('th', {}, 'Earliest'), h('th', {}, 'Latest')),
    res.items.map(s => h('tr', {}, h('td', {}, s.source === '(none)' ? s.source : h('a', { href: `#/search?source=${encodeURIComponent(s.source)}` }, s.source)),
      h('td', {}, String(s.documents)), h('td', {}, fmtDate(s.earliest)), h('td', {}, fmtDate(s.latest))))));
}

function tokenDialog() {
  const input = h('input', { type: 'password', name: 'token', placeholder: 'paste the token from `dyad token create`', 'aria-label': 'API token' });
  const msg = h('p', { class: 'muted' }, 'Without a token the dashboard is read-only. The token is kept for this tab only.');
  const close = () => dlg.remove();
  const dlg = h('div', { class: 'dialog' }, h('form', {
    class: 'card', onsubmit: async (ev) => {
      ev.preventDefault();
      const t = input.value.trim();
      try {
        const r = await fetch('/api/v1/auth', { headers: { Authorization: `Bearer ${t}` } });
        if (!r.ok) { msg.textContent = 'That token is not valid.'; msg.className = 'error'; return; }
        token.set(t); updateTokenButton(); close(); render();
      } catch (e) { msg.textContent = e.message; }
    },
  }, h('h2', {}, 'API token'), input, msg,
  h('div', { class: 'review' }, h('button', { type: 'submit', class: 'primary' }, 'Use token'),
    h('button', { type: 'button', onclick: () => { token.set(''); updateTokenButton(); close(); } }, 'Forget token'),
    h('button', { type: 'button', onclick: close }, 'Cancel'))));
  document.body.appendChild(dlg);
  input.focus();
}

function updateTokenButton() {
  const b = document.getElementById('token-button');
  b.textContent = token.get() ? 'Token ✓' : 'Token';
  b.classList.toggle('set', !!token.get());
}

document.getElementById('search-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  const q = document.getElementById('search-box').value.trim();
  location.hash = `#/search?${new URLSearchParams({ q })}`;
});
document.getElementById('token-button').addEventListener('click', tokenDialog);
window.addEventListener('hashchange', render);
updateTokenButton();
render();
