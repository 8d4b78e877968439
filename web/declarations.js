// Declarations, filtered: where every figure on the dashboard leads, down to
// the declarations behind it. The filters are the API's
// (GET /v1/declarations: declarant, movement, lane, release, from, to), kept
// in the page's address so a figure's link opens exactly its declarations.

import { api } from './api.js';
import { element, table, money, lane } from './dom.js';

const FILTERS = [
  ['movement', ['', 'first_line_entry', 'first_line_exit', 'second_line_entry', 'second_line_exit',
    'transfer', 'sale_to_individual']],
  ['lane', ['', 'green', 'blue', 'yellow', 'red']],
  ['release', ['', 'held', 'released']],
];

// "#/declarations?movement=transfer&from=2024-09-02" → its filters.
export function filtersOf(hash) {
  const question = hash.indexOf('?');
  return new URLSearchParams(question < 0 ? '' : hash.slice(question + 1));
}

export function declarationsLink(filters) {
  const query = new URLSearchParams(Object.entries(filters).filter(([, v]) => v)).toString();
  return `#/declarations${query ? `?${query}` : ''}`;
}

export async function declarations(main, me) {
  const filters = filtersOf(location.hash);
  const controls = FILTERS.map(([name, options]) => element('label', {}, name,
    element('select', { name }, options.map((o) => element('option',
      { value: o, selected: filters.get(name) === o }, o || 'any')))));
  const dates = ['from', 'to'].map((name) => element('label', {}, name,
    element('input', { type: 'date', name, value: filters.get(name) || '' })));
  const declarant = me.role === 'enterprise' ? null : element('label', {}, 'declarant',
    element('input', { name: 'declarant', size: 20, value: filters.get('declarant') || '' }));
  const form = element('form', { id: 'filters' }, controls, dates, declarant,
    element('button', { type: 'submit' }, 'Show'));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const chosen = {};
    for (const field of form.querySelectorAll('select, input')) chosen[field.name] = field.value.trim();
    location.hash = declarationsLink(chosen);
  });
  const list = element('div', { id: 'list' });
  const more = element('button', { type: 'button', class: 'quiet', id: 'more', hidden: true },
    'More');
  main.append(element('h1', {}, 'Declarations'), form, list, more);

  const query = new URLSearchParams(filters);
  query.set('limit', '100');
  let shown = 0;
  const load = async (after) => {
    if (after) query.set('after', after);
    more.disabled = true;
    const answer = await api(`/v1/declarations?${query}`);
    more.disabled = false;
    if (!answer.ok) {
      list.append(element('p', { class: 'error' }, answer.problem.detail));
      return;
    }
    const page = answer.body;
    shown += page.items.length;
    list.append(table([
      ['Declaration', (d) => element('a', { href: `#/declaration/${d.declaration}` }, d.declaration)],
      ['Date', (d) => d.date], ['Declarant', (d) => d.declarant], ['Movement', (d) => d.movement],
      ['Lane', (d) => lane(d.lane)], ['Release', (d) => d.release],
      ['Customs value', (d) => money(d.customs_value), true], ['Duty', (d) => money(d.duty), true],
      ['VAT', (d) => money(d.vat), true], ['Refund', (d) => money(d.refund), true],
    ], page.items));
    more.hidden = !page.next;
    more.onclick = () => load(page.next);
    if (shown === 0) list.replaceChildren(element('p', { class: 'muted', id: 'none' }, 'None.'));
  };
  await load();
}
