// The zone dashboard: the figures the API gives zone-wide roles — taxes by
// day, lanes, enterprises, crossings and time release — for a date range,
// refreshed as accepted commands arrive on the event stream.

import { api, follow } from './api.js';
import { element, table, money, seconds, lane } from './dom.js';
import { stackedBars } from './chart.js';
import { declarationsLink } from './declarations.js';

function card(label, figure, id) {
  return element('div', { class: 'card' },
    element('div', { class: 'label' }, label),
    element('div', { class: 'figure', id }, figure));
}

async function allEnterprises() {
  const all = [];
  let after = '';
  for (;;) {
    const page = await api(`/v1/enterprises?limit=1000${after ? `&after=${after}` : ''}`);
    if (!page.ok) throw new Error(page.problem.detail);
    all.push(...page.body.items);
    if (!page.body.next) return all;
    after = encodeURIComponent(page.body.next);
  }
}

// Crossings are drawn by the hour for a range of up to this many days, by
// the day beyond (a year by the hour is 8,760 bars from 2.8 MB of JSON).
const HOURLY_DAYS_MAX = 3;

// Days from one date ("2024-09-02") to another, both included.
const daysSpanned = (from, to) => Math.round((Date.parse(to) - Date.parse(from)) / 86400000) + 1;

// The dashboard for a range, as a link (a day's bar leads to its hours).
function dashboardLink(range) {
  const query = new URLSearchParams(Object.entries(range).filter(([, v]) => v)).toString();
  return `#/dashboard${query ? `?${query}` : ''}`;
}

function ok(answer) {
  if (!answer.ok) throw new Error(answer.problem.detail || `HTTP ${answer.status}`);
  return answer.body;
}

// The gates' figures with crossings by the hour or the day, as the range
// asks. A range open at an end reaches the first or last day with
// crossings: asked by the day, and again by the hour when those days are few.
async function gateFigures(query, range) {
  const ask = async (by) => {
    const withBy = new URLSearchParams(query);
    withBy.set('by', by);
    return ok(await api(`/v1/gates/figures?${withBy}`));
  };
  const span = range.from && range.to ? daysSpanned(range.from, range.to) : Infinity;
  const gates = await ask(span > HOURLY_DAYS_MAX ? 'day' : 'hour');
  if (span !== Infinity || gates.crossings_by_day.length === 0) return gates;
  const days = gates.crossings_by_day.map((r) => r.day).sort();
  const first = range.from || days[0];
  const last = range.to || days[days.length - 1];
  return daysSpanned(first, last) > HOURLY_DAYS_MAX ? gates : ask('hour');
}

async function figures(range) {
  const query = new URLSearchParams();
  if (range.from) query.set('from', range.from);
  if (range.to) query.set('to', range.to);
  const [taxes, declarations, risk, gates, enterprises] = await Promise.all([
    api(`/v1/taxes?${query}`), api(`/v1/figures?${query}`), api('/v1/risk'),
    gateFigures(query, range), allEnterprises(),
  ]);
  return { range, taxes: ok(taxes), declarations: ok(declarations), risk: ok(risk), gates,
    enterprises };
}

// Crossings per channel and hour or day, summed over the channels for each
// hour or day; a day's bar leads to the dashboard of that day, by the hour.
function perBucket(gates) {
  const daily = gates.by === 'day';
  const buckets = new Map();
  for (const r of daily ? gates.crossings_by_day : gates.crossings_by_hour) {
    const key = daily ? r.day : r.hour;
    const b = buckets.get(key) || (daily
      ? { label: key.slice(5), href: dashboardLink({ from: key, to: key }), values: [0, 0] }
      : { label: `${key.slice(5, 13).replace('T', ' ')}h`, values: [0, 0] });
    b.values[0] += r.open;
    b.values[1] += r.stopped;
    buckets.set(key, b);
  }
  return [...buckets.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, b]) => b);
}

// A lane's share of the declarations in the range.
function percent(count, lanes) {
  const total = lanes.reduce((n, l) => n + l.declarations, 0);
  return total ? `${((count * 100) / total).toFixed(1)} %` : '–';
}

// Yuan as a number, for the charts' scale only (the tables keep the exact text).
const yuan = (text) => Number(text);

function render(out, f) {
  const t = f.taxes.total;
  const macao = f.enterprises.filter((e) => e.macao_funded).length;
  const highTech = f.enterprises.filter((e) => e.high_tech).length;
  const release = f.gates.release_times.all.lodged_to_release;
  const within = { from: f.range.from, to: f.range.to };
  const linked = (text, filters, id) =>
    element('a', { href: declarationsLink({ ...within, ...filters }), id }, text);
  out.replaceChildren(
    element('div', { class: 'cards' },
      card('Declarations', linked(String(f.declarations.by_movement
        .reduce((n, m) => n + m.declarations, 0)), {}, 'declarations'), 'declarations-card'),
      card('Customs value, CNY', money(t.customs_value), 'customs-value'),
      card('Duty, CNY', money(t.duty), 'duty'),
      card('Consumption tax, CNY', money(t.consumption_tax), 'consumption-tax'),
      card('VAT, CNY', money(t.vat), 'vat'),
      card('Refunds, CNY', money(t.refund), 'refund'),
      card('Held for officers', linked(String(f.declarations.held), { release: 'held' }, 'held'),
        'held-card'),
      card('Enterprises', String(f.enterprises.length), 'enterprises'),
      card('Macao-funded', String(macao), 'macao-funded'),
      card('High-tech', String(highTech), 'high-tech'),
      card('Traveller crossings, all time', String(f.gates.travellers.decisions), 'travellers'),
      card('Cleared without referral, all time', f.gates.travellers.cleared_without_referral === null ? '–'
        : `${(Number(f.gates.travellers.cleared_without_referral) * 100).toFixed(2)} %`, 'cleared'),
      card('Lodged to release, median', seconds(release.median_seconds), 'release-median'),
      card('Lodged to release, p90', seconds(release.p90_seconds), 'release-p90')),
    element('h2', {}, 'By line and movement'),
    table([
      ['Line', (m) => (m.line ? `line ${m.line}` : 'inside the zone')],
      ['Movement', (m) => linked(m.movement.replaceAll('_', ' '), { movement: m.movement })],
      ['Declarations', (m) => m.declarations, true],
      ['Customs value', (m) => money(m.customs_value), true], ['Duty', (m) => money(m.duty), true],
      ['Consumption tax', (m) => money(m.consumption_tax), true], ['VAT', (m) => money(m.vat), true],
      ['Refunds', (m) => money(m.refund), true],
    ], f.declarations.by_movement, 'by-movement'),
    element('h2', {}, 'Taxes by day'),
    stackedBars(f.taxes.days.map((d) => ({
      label: d.date.slice(5), href: declarationsLink({ from: d.date, to: d.date }),
      values: [yuan(d.duty), yuan(d.consumption_tax), yuan(d.vat)],
    })), [{ name: 'duty', color: '#0b5cad' }, { name: 'consumption tax', color: '#b58105' },
      { name: 'VAT', color: '#1a7f37' }], { id: 'taxes-chart', format: (v) => money(v.toFixed(2)) }),
    table([
      ['Date', (d) => linked(d.date, { from: d.date, to: d.date })],
      ['Declarations', (d) => d.count, true],
      ['Customs value', (d) => money(d.customs_value), true], ['Duty', (d) => money(d.duty), true],
      ['Consumption tax', (d) => money(d.consumption_tax), true], ['VAT', (d) => money(d.vat), true],
      ['Refunds', (d) => money(d.refund), true],
    ], f.taxes.days, 'taxes-by-day'),
    element('h2', {}, 'Lanes'),
    table([
      ['Lane', (l) => linked(lane(l.lane), { lane: l.lane })],
      ['Declarations', (l) => l.declarations, true],
      ['Share', (l) => percent(l.declarations, f.declarations.by_lane), true],
      ['Capacity', (l) => (f.risk.capacity && f.risk.capacity[l.lane] !== undefined
        ? `${(Number(f.risk.capacity[l.lane]) * 100).toFixed(1)} %` : '–'), true],
    ], f.declarations.by_lane, 'lanes'),
    element('h2', { id: 'crossings-title' },
      f.gates.by === 'day' ? 'Crossings by day' : 'Crossings by hour'),
    stackedBars(perBucket(f.gates),
      [{ name: 'open', color: '#1a7f37' }, { name: 'held', color: '#b42318' }],
      { id: 'crossings-chart' }),
    table([
      ['Channel', (c) => c.channel], ['Open', (c) => c.open, true], ['Held', (c) => c.stopped, true],
    ], f.gates.crossings_by_channel || [], 'crossings'));
}

export async function dashboard(main) {
  // "#/dashboard?from=2024-09-02&to=2024-09-02" opens on that range.
  const hash = location.hash;
  const range = new URLSearchParams(hash.includes('?') ? hash.slice(hash.indexOf('?') + 1) : '');
  const from = element('input', { type: 'date', name: 'from', value: range.get('from') || '' });
  const to = element('input', { type: 'date', name: 'to', value: range.get('to') || '' });
  const live = element('span', { id: 'live', class: 'muted' }, '');
  const out = element('div', { id: 'figures' }, element('p', { class: 'muted' }, 'Loading…'));
  const form = element('form', { id: 'range' },
    element('label', {}, 'From', from), element('label', {}, 'To', to),
    element('button', { type: 'submit' }, 'Show'), ' ', live);
  main.append(element('h1', {}, 'Hengqin at a glance'), form, out);

  // Answers can come back out of order: only the newest request draws.
  let asked = 0;
  const refresh = async () => {
    const mine = ++asked;
    try {
      const f = await figures({ from: from.value, to: to.value });
      if (mine === asked) render(out, f);
    } catch (e) {
      if (mine === asked) out.replaceChildren(element('p', { class: 'error' }, String(e.message || e)));
    }
  };
  // The address follows the range (a reload keeps it) without a new page.
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    history.replaceState(null, '', dashboardLink({ from: from.value, to: to.value }));
    refresh();
  });

  // Live: each accepted command may move a figure; refresh at most once a
  // second. Started before the first load, and stopped (with its timer and
  // the connection banner) as soon as the user leaves the page.
  let pending = null;
  let seen = 0;
  const banner = document.getElementById('link');
  const stop = follow(() => {
    seen += 1;
    live.textContent = `${seen} new since you opened this page`;
    if (!pending) pending = setTimeout(() => { pending = null; refresh(); }, 1000);
  }, (up) => { banner.hidden = up; }, refresh);
  addEventListener('hashchange', () => {
    stop();
    clearTimeout(pending);
    banner.hidden = true;
  }, { once: true });
  await refresh();
}
