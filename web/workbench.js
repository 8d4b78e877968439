// The officers' workbench: the queue of declarations held in the red and
// yellow lanes (oldest first), a declaration's whole story, and recording
// an inspection's result.

import { api, send, now, commandId } from './api.js';
import { element, table, money, lane, showErrors } from './dom.js';

export async function queue(main) {
  main.append(element('h1', {}, 'Held for an officer'));
  const list = element('div', { id: 'queue-list' });
  const more = element('button', { type: 'button', class: 'quiet', id: 'queue-more', hidden: true },
    'More');
  main.append(list, more);
  let shown = 0;
  // Oldest first, 200 at a time: the newest are a "More" away, never cut off.
  const load = async (after) => {
    more.disabled = true;
    const answer = await api(`/v1/declarations?release=held&limit=200${after ? `&after=${after}` : ''}`);
    more.disabled = false;
    if (!answer.ok) throw new Error(answer.problem.detail);
    const page = answer.body;
    shown += page.items.length;
    if (shown === 0) {
      list.replaceChildren(element('p', { id: 'queue-empty', class: 'muted' }, 'Nothing is waiting.'));
    } else if (page.items.length) {
      list.append(table([
        ['Declaration', (d) => element('a', { href: `#/declaration/${d.declaration}` }, d.declaration)],
        ['Lane', (d) => lane(d.lane)], ['Date', (d) => d.date], ['Declarant', (d) => d.declarant],
        ['Movement', (d) => d.movement], ['Customs value', (d) => money(d.customs_value), true],
      ], page.items, after ? undefined : 'queue'));
    }
    more.hidden = !page.next;
    more.onclick = () => load(page.next).catch((e) => list.append(
      element('p', { class: 'error' }, String(e.message || e))));
  };
  await load();
}


function inspectionForm(number, onDone) {
  const finding = element('select', { name: 'finding', 'data-field': 'finding' },
    element('option', { value: 'compliant' }, 'compliant'),
    element('option', { value: 'discrepancy' }, 'discrepancy'));
  const line = element('input', { name: 'line', type: 'number', min: 1, value: 1 });
  const field = element('select', { name: 'field' },
    ['value', 'quantity', 'hs', 'origin', 'unit'].map((f) => element('option', { value: f }, f)));
  const corrected = element('input', { name: 'corrected', 'data-field': 'corrections[0]', size: 14 });
  const form = element('form', { id: 'inspection' },
    element('h2', {}, 'Record the inspection'),
    element('label', {}, 'Finding', finding, element('span', { class: 'error' })),
    element('label', {}, 'Line', line),
    element('label', {}, 'Correct', field),
    element('label', {}, 'to (blank: no correction)', corrected, element('span', { class: 'error' })),
    element('div', { 'data-errors': true }),
    element('button', { type: 'submit' }, 'Record'));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const command = {
      type: 'inspection_result', id: commandId('insp'), at: now(), declaration: number,
      finding: finding.value,
    };
    if (corrected.value.trim()) {
      command.corrections = [{ line: Number(line.value), [field.value]: corrected.value.trim() }];
    }
    const answer = await send(command);
    if (!answer.ok) return showErrors(form, [{ field: '', message: answer.problem.detail }]);
    if (answer.body.status !== 'accepted') {
      // The server names corrections[0].<field>; the form has one correction.
      return showErrors(form, answer.body.errors.map((err) => ({
        ...err, field: err.field.startsWith('corrections') ? 'corrections[0]' : err.field,
      })));
    }
    onDone(answer.body);
  });
  return form;
}

// Each truck that presented the declaration at a gate, and what the gate
// decided and why (GET /v1/declarations/{number}'s gate_events).
function gateEvents(d) {
  const events = d.gate_events || [];
  const section = element('section', { id: 'gate-events' }, element('h2', {}, 'Gate events'));
  if (!events.length) {
    section.append(element('p', { class: 'muted', id: 'gate-events-none' },
      'No truck has presented it at a gate.'));
    return section;
  }
  section.append(table([
    ['At', (e) => e.at], ['Channel', (e) => e.channel], ['Direction', (e) => e.direction],
    ['Decision', (e) => element('strong', { class: `decision ${e.decision}` }, e.decision)],
    ['Reasons', (e) => element('span', { class: 'reasons' },
      e.reasons.map((r) => element('code', {}, r)))],
    // The gate's command is shown to the zone's roles only (the API omits it for a declarant).
    ['Command', (e) => (e.command === undefined ? '—' : `${e.command} (seq ${e.seq})`)],
  ], events, 'gate-events-list'));
  if (d.gate_events_earlier) {
    section.append(element('p', { class: 'muted', id: 'gate-events-earlier' },
      `${d.gate_events_earlier} earlier ${d.gate_events_earlier === 1 ? 'event is' : 'events are'} ` +
      'no longer kept (the latest 20 are).'));
  }
  return section;
}

export async function declaration(main, me, [number]) {
  const answer = await api(`/v1/declarations/${encodeURIComponent(number)}`);
  if (!answer.ok) {
    main.append(element('p', { class: 'error', id: 'not-found' }, answer.problem.detail));
    return;
  }
  const d = answer.body;
  const result = d.result;
  main.append(
    element('h1', {}, `Declaration ${d.declaration} `, lane(d.lane)),
    element('p', {},
      `${d.movement.replaceAll('_', ' ')} by ${d.declarant} on ${d.date}, under ${result.policy}; `,
      element('strong', { id: 'release' }, d.release),
      d.finding ? ` — inspection: ${d.finding}` : ''),
    d.lane_reasons
      ? element('p', { class: 'reasons', id: 'reasons' }, 'Lane because: ',
        d.lane_reasons.map((r) => element('code', {}, r)))
      : null,
    element('h2', {}, 'Items, treatment and taxes'),
    table([
      ['Line', (i) => i.line], ['Item', (i) => i.item], ['HS', (i) => i.hs],
      ['Status', (i) => i.goods_status], ['Customs value', (i) => money(i.customs_value), true],
      ['Duty', (i) => money(i.duty), true], ['CT', (i) => money(i.consumption_tax), true],
      ['VAT', (i) => money(i.vat), true], ['Refund', (i) => money(i.refund), true],
      ['Rules', (i) => i.rules.join(', ')],
    ], result.items, 'items'),
    element('p', {}, 'Totals: customs value ', money(result.totals.customs_value), ', duty ',
      money(result.totals.duty), ', consumption tax ', money(result.totals.consumption_tax),
      ', VAT ', money(result.totals.vat), ', refund ', money(result.totals.refund), '.'),
    gateEvents(d));
  if (d.release === 'held' && me.role === 'officer') {
    main.append(inspectionForm(d.declaration, (r) => {
      main.append(element('p', { class: 'ok', id: 'recorded' },
        `Recorded: ${r.finding}, ${r.release}` +
        (r.difference ? `; difference in duty ${r.difference.duty}, VAT ${r.difference.vat}, ` +
          `refund ${r.difference.refund}` : '') + '.'));
      main.querySelector('#inspection').remove();
    }));
  }
}
