// The enterprise portal: declaring through a form (the contract's errors
// shown at the field they name) and the account book with its lots and
// posting history, downloadable as CSV. Batch uploads: upload.js.

import { api, send, now, commandId } from './api.js';
import { element, table, money, lane, showErrors } from './dom.js';
import { downloadCsv } from './csv.js';

const MOVEMENTS = ['first_line_entry', 'first_line_exit', 'second_line_entry', 'second_line_exit',
  'transfer', 'sale_to_individual'];
const ITEM_FIELDS = [['item', 12], ['hs', 10], ['origin', 4], ['quantity', 8], ['unit', 6],
  ['value', 12]];

function input(name, field, size, value = '') {
  return element('label', {}, name,
    element('input', { name, 'data-field': field, size, value }), element('span', { class: 'error' }));
}

// The HS field looks codes up as the user types (GET /v1/hs): a list of the
// tariff lines and headings that match, and under the field what the code
// is — or that the tariff in force has no such line, before sending.
function hsLookup(row) {
  const hs = row.querySelector('[name=hs]');
  const unit = row.querySelector('[name=unit]');
  const list = element('datalist', { id: `hs-options-${row.dataset.index}` });
  const hint = element('span', { class: 'muted hs-hint' });
  hs.setAttribute('list', list.id);
  hs.parentElement.append(list, hint);
  let timer = null;
  let asked = '';
  hs.addEventListener('input', () => {
    // Typing again clears what was said of the field before.
    hs.classList.remove('bad');
    hs.parentElement.querySelector('.error').textContent = '';
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const q = hs.value.trim();
      if (q.length < 2 || q === asked) return;
      asked = q;
      const answer = await api(`/v1/hs?q=${encodeURIComponent(q)}&limit=30`);
      if (!answer.ok || asked !== q) return;
      const items = answer.body.items;
      list.replaceChildren(...items.map((m) => element('option', { value: m.hs },
        `${m.in_tariff ? '' : '(heading) '}${m.description}`)));
      const line = items.find((m) => m.in_tariff && m.hs === q);
      if (/^\d{8}$/.test(q) && !line) hs.classList.add('bad');
      if (line) {
        hint.textContent = `${line.description} (${line.unit})`;
        if (!unit.value) unit.value = line.unit;
      } else if (/^\d{8}$/.test(q)) {
        hint.textContent = 'not a line of the tariff in force';
      } else {
        hint.textContent = items.length ? `${items.length} matches: pick one` : 'no match';
      }
    }, 200);
  });
}

function itemRow(index) {
  const row = element('div', { class: 'item', 'data-index': index },
    ITEM_FIELDS.map(([name, size]) => input(name, `items[${index}].${name}`, size)));
  hsLookup(row);
  return row;
}


export async function declareForm(main, me) {
  const movement = element('select', { name: 'movement', 'data-field': 'movement' },
    MOVEMENTS.map((m) => element('option', { value: m }, m.replaceAll('_', ' '))));
  const items = element('div', { id: 'items' }, itemRow(0));
  const add = element('button', { type: 'button', class: 'quiet' }, 'Add an item');
  add.addEventListener('click', () => items.append(itemRow(items.children.length)));
  const done = element('div', { id: 'declared' });
  const form = element('form', { id: 'declare' },
    element('label', {}, 'Movement', movement, element('span', { class: 'error' })),
    input('declarant', 'declarant', 20, me.uscc || ''),
    input('purpose', 'purpose', 12, 'processing'),
    input('currency', 'currency', 5, 'CNY'),
    input('channel', 'channel', 12),
    items, add, ' ',
    element('div', { 'data-errors': true }),
    element('button', { type: 'submit' }, 'Declare'));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const value = (name) => form.querySelector(`[name="${name}"]`).value.trim();
    const command = {
      type: 'declare', id: commandId('web'), at: now(), movement: movement.value,
      declarant: value('declarant'), purpose: value('purpose'), currency: value('currency'),
      items: [...items.children].map((row) => Object.fromEntries(ITEM_FIELDS
        .map(([name]) => [name, row.querySelector(`[name="${name}"]`).value.trim()]))),
    };
    if (value('channel')) command.channel = value('channel');
    const answer = await send(command);
    if (!answer.ok) return showErrors(form, [{ field: '', message: answer.problem.detail }]);
    if (answer.body.status !== 'accepted') return showErrors(form, answer.body.errors);
    showErrors(form, []);
    const r = answer.body;
    done.replaceChildren(element('p', { class: 'ok' }, 'Accepted: ',
      element('a', { href: `#/declaration/${r.declaration}`, id: 'declared-number' }, r.declaration),
      ' ', lane(r.lane), ` ${r.release}; duty ${money(r.totals.duty)}, VAT ${money(r.totals.vat)}, ` +
      `refund ${money(r.totals.refund)}.`));
  });
  main.append(element('h1', {}, 'Declare'), form, done);
}

export async function book(main, me, [requested]) {
  const uscc = me.role === 'enterprise' ? me.uscc : requested;
  if (!uscc) {
    const choose = element('input', { name: 'uscc', size: 20 });
    const form = element('form', { id: 'choose-book' }, element('label', {}, 'Enterprise (USCC)',
      choose), element('button', { type: 'submit' }, 'Open'));
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      location.hash = `#/book/${encodeURIComponent(choose.value.trim())}`;
    });
    main.append(element('h1', {}, 'Account books'), form);
    return;
  }
  const answer = await api(`/v1/enterprises/${encodeURIComponent(uscc)}/book`);
  if (!answer.ok) {
    main.append(element('p', { class: 'error', id: 'book-refused' }, answer.problem.detail));
    return;
  }
  const b = answer.body;
  const lots = [
    ['Lot', (l) => l.lot], ['Item', (l) => l.item], ['HS', (l) => l.hs],
    ['Status', (l) => l.goods_status], ['Origin', (l) => l.origin], ['Unit', (l) => l.unit],
    ['Received', (l) => l.received, true], ['Removed', (l) => l.removed, true],
    ['Adjusted', (l) => l.adjusted, true], ['Balance', (l) => l.balance, true],
    ['Customs value', (l) => money(l.customs_value), true], ['Entered', (l) => l.entered],
    ['Declaration', (l) => l.declaration ?? ''],
  ];
  const postings = [
    ['Seq', (p) => p.seq, true], ['At', (p) => p.at], ['Kind', (p) => p.kind], ['Lot', (p) => p.lot],
    ['Item', (p) => p.item], ['Quantity', (p) => p.quantity, true],
    ['Value', (p) => money(p.value), true], ['Declaration', (p) => p.declaration ?? ''],
  ];
  const csv = element('button', { type: 'button', class: 'quiet', id: 'download' },
    'Download the lots as CSV');
  // The API's own fields and exact decimals, for spreadsheets.
  const columns = ['lot', 'item', 'hs', 'goods_status', 'origin', 'unit', 'received', 'removed',
    'adjusted', 'balance', 'customs_value', 'foreign_content', 'domestic_content', 'entered',
    'declaration'];
  csv.addEventListener('click', () => downloadCsv(`${uscc}-lots.csv`,
    [columns, ...b.lots.map((l) => columns.map((c) => l[c]))]));
  main.append(element('h1', {}, `Account book of ${b.name}`),
    element('p', { class: 'muted' }, uscc, ' · ', csv),
    element('h2', {}, 'Lots'), table(lots, b.lots, 'lots'),
    element('h2', {}, 'Postings'), table(postings, b.postings, 'postings'));
}
