// A batch upload: a JSON Lines file of commands (one a line) or a CSV file
// of declarations (csv_declarations.js), sent in parts of BATCH commands
// with progress. Each command's answer is the contract's, so a refused one
// is listed with where it came from: its line, or its declaration's first
// row and the row and column of each error.

import { api, now } from './api.js';
import { element } from './dom.js';
import { downloadCsv } from './csv.js';
import { declarationsFromCsv, locateInCsv, csvTemplate } from './csv_declarations.js';

const BATCH = 500;

// The "at" of a CSV declaration without one: stamped when the page first
// sends it (not when the file is read, which may be an hour before the
// last part goes) and kept in localStorage under the enterprise (or, for a
// zone's role, the token) and the id. Sending the file again — after a
// lost connection, a reload, another day — must repeat each command exactly
// (same id, same at) to be answered as before: a new "at" would make it a
// different command, refused as id_conflict.
const stampKey = (me, id) => `zonegate-csv-at:${me.uscc || me.token_id}:${id}`;
// The tab's own copy, for when localStorage is full (or off): then a
// stamp lasts as long as the tab.
const stamps = new Map();
function stampFor(me, id) {
  const key = stampKey(me, id);
  let at = stamps.get(key) || localStorage.getItem(key);
  if (!at) {
    at = now();
    try {
      localStorage.setItem(key, at);
    } catch { /* full: kept in `stamps` only */ }
  }
  stamps.set(key, at);
  return at;
}
// A refused command was not applied, so its stamp is dropped: the corrected
// row, sent later, is dated then and lies within the "at" window.
function dropStamp(me, id) {
  stamps.delete(stampKey(me, id));
  localStorage.removeItem(stampKey(me, id));
}

// The file's text: UTF-8, or else GB18030 (a superset of GBK), as Excel
// saves "CSV" on Chinese Windows; file.text() would read that as UTF-8 and
// turn its Chinese into U+FFFD without a word. { text, note }.
async function textOf(file) {
  const bytes = await file.arrayBuffer();
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes), note: '' };
  } catch {
    return { text: new TextDecoder('gb18030').decode(bytes),
      note: 'The file was read as GB18030, not UTF-8. ' };
  }
}

// The file's commands as { text(), where, locate(field), csvId }, or
// { errors } for a CSV file that cannot be read as declarations; `note`
// says how the file was decoded when not as UTF-8.
async function commandsOf(file, me) {
  const { text, note } = await textOf(file);
  if (!/\.csv$/i.test(file.name) && file.type !== 'text/csv') {
    return { note,
      commands: text.split('\n').map((line, index) => ({ text: () => line.trim(),
        where: `line ${index + 1}` })).filter((c) => c.text()),
    };
  }
  const { declarations, errors } = declarationsFromCsv(text);
  if (errors.length) return { note, errors };
  return { note,
    commands: declarations.map((d) => ({
      // Dated at the first send; the spread keeps the contract's order.
      text: () => JSON.stringify(d.command.at ? d.command
        : { type: 'declare', id: d.id, at: stampFor(me, d.id), ...d.command }),
      where: `row ${d.rows[0]} (id ${d.id})`, csvId: d.id,
      locate: (field) => locateInCsv(d, field),
    })),
  };
}

export async function upload(main, me) {
  const file = element('input', { type: 'file', name: 'batch',
    accept: '.jsonl,.ndjson,.json,.csv' });
  const progress = element('progress', { id: 'upload-progress', max: 1, value: 0, hidden: true });
  const status = element('p', { id: 'upload-status', class: 'muted' });
  const rejected = element('div', { id: 'upload-rejected' });
  const template = element('button', { type: 'button', class: 'quiet', id: 'csv-template' },
    'Download a CSV template');
  template.addEventListener('click', () =>
    downloadCsv('declarations.csv', csvTemplate(me.uscc || '')));
  const form = element('form', { id: 'upload' },
    element('label', {}, 'A JSON Lines file of commands, or a CSV file of declarations', file),
    element('button', { type: 'submit' }, 'Send'), ' ', progress);
  const send = form.querySelector('button[type=submit]');
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (!file.files.length || send.disabled) return;
    send.disabled = true;
    try {
      await sendBatch();
    } finally {
      send.disabled = false;
    }
  });
  const sendBatch = async () => {
    rejected.replaceChildren();
    // Reading a large file (100,000 rows) takes a while: say so, and let
    // the browser paint that before the parse holds the page (a frame, or
    // a moment in a background tab, where frames wait).
    progress.hidden = true;
    status.className = 'muted';
    status.textContent = 'Reading the file…';
    await new Promise((resolve) => {
      requestAnimationFrame(() => setTimeout(resolve, 0));
      setTimeout(resolve, 100);
    });
    const { commands, errors, note } = await commandsOf(file.files[0], me);
    if (errors) {
      status.className = 'error';
      status.textContent = `${note}Nothing was sent: the CSV file cannot be read as declarations.`;
      rejected.append(...errors.map((err) => element('p', { class: 'error' }, err.message)));
      return;
    }
    progress.hidden = false;
    progress.max = commands.length;
    progress.value = 0;
    let accepted = 0, refused = 0, taken = 0;
    for (let start = 0; start < commands.length; start += BATCH) {
      const part = commands.slice(start, start + BATCH);
      const body = part.map((c) => c.text()).join('\n') + '\n';
      let answer = await api('/v1/commands', { body, type: 'application/x-ndjson' });
      // A busy server (429, 503) asks to come back: a few tries, a second apart.
      for (let tries = 0; !answer.ok && [429, 503].includes(answer.status) && tries < 5; tries += 1) {
        await new Promise((resolve) => setTimeout(resolve, 1000));
        answer = await api('/v1/commands', { body, type: 'application/x-ndjson' });
      }
      if (!answer.ok) {
        status.textContent = `${note}Stopped at ${part[0].where}: ${answer.problem.detail}. ` +
          `${accepted} accepted before; send the file again to go on (commands already ` +
          'applied are answered as before).';
        status.className = 'error';
        return;
      }
      // One command's answer parses as an object, several as lines.
      const results = typeof answer.body === 'string'
        ? answer.body.trim().split('\n').map((r) => JSON.parse(r)) : [answer.body];
      results.forEach((r, k) => {
        if (r.status === 'accepted') {
          accepted += 1;
          return;
        }
        const { where, locate = (field) => field, csvId } = part[k];
        const errs = r.errors || [];
        if (csvId !== undefined && errs.some((err) => err.code === 'id_conflict')) {
          // Not a refusal of this row's content: the zone already holds a
          // declaration under this id, lodged with other content, and it
          // stands; this one was not lodged.
          taken += 1;
          rejected.append(element('p', { class: 'error' }, `${where}: id ${csvId} was already ` +
            'lodged, with other content; that declaration stands and this one was not lodged. ' +
            'Give it a new id only if it is another declaration, not the same one changed.'));
          return;
        }
        refused += 1;
        if (csvId !== undefined) dropStamp(me, csvId);
        rejected.append(element('p', { class: 'error' }, `${where}: `,
          errs.map((err) => {
            const place = err.field ? locate(err.field) : '';
            return `${place ? `${place}: ` : ''}${err.message}`;
          }).join('; ')));
      });
      progress.value = start + part.length;
      status.className = 'muted';
      status.textContent = `${note}${progress.value} of ${commands.length} sent: ` +
        `${accepted} accepted, ${refused} refused` +
        `${taken ? `, ${taken} already lodged with other content` : ''}.`;
    }
  };
  main.append(element('h1', {}, 'Upload a batch'), form,
    element('p', { class: 'muted' }, 'CSV: one row per item under a header of named columns; ' +
      'the rows of one id make one declaration (docs/web.md). ', template),
    status, rejected);
}
