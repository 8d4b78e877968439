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

// The "at" given to each CSV declaration that has none, kept for the tab's
// life: sending a file again must repeat its commands exactly (same id,
// same at) to be answered as before rather than refused as id_conflict.
const csvAt = new Map();
function atFor(id) {
  if (!csvAt.has(id)) csvAt.set(id, now());
  return csvAt.get(id);
}

// The file's commands as { text, where, locate(field) }, or { errors } for
// a CSV file that cannot be read as declarations.
async function commandsOf(file) {
  const text = await file.text();
  if (!/\.csv$/i.test(file.name) && file.type !== 'text/csv') {
    return {
      commands: text.split('\n').map((line, index) => ({ text: line.trim(), where: `line ${index + 1}` }))
        .filter((c) => c.text),
    };
  }
  const { declarations, errors } = declarationsFromCsv(text, atFor);
  if (errors.length) return { errors };
  return {
    commands: declarations.map((d) => ({
      text: JSON.stringify(d.command), where: `row ${d.rows[0]} (id ${d.id})`,
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
    const { commands, errors } = await commandsOf(file.files[0]);
    if (errors) {
      progress.hidden = true;
      status.className = 'error';
      status.textContent = 'Nothing was sent: the CSV file cannot be read as declarations.';
      rejected.append(...errors.map((err) => element('p', { class: 'error' }, err.message)));
      return;
    }
    progress.hidden = false;
    progress.max = commands.length;
    progress.value = 0;
    let accepted = 0, refused = 0;
    for (let start = 0; start < commands.length; start += BATCH) {
      const part = commands.slice(start, start + BATCH);
      const body = part.map((c) => c.text).join('\n') + '\n';
      let answer = await api('/v1/commands', { body, type: 'application/x-ndjson' });
      // A busy server (429, 503) asks to come back: a few tries, a second apart.
      for (let tries = 0; !answer.ok && [429, 503].includes(answer.status) && tries < 5; tries += 1) {
        await new Promise((resolve) => setTimeout(resolve, 1000));
        answer = await api('/v1/commands', { body, type: 'application/x-ndjson' });
      }
      if (!answer.ok) {
        status.textContent = `Stopped at ${part[0].where}: ${answer.problem.detail}. ` +
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
        refused += 1;
        const { where, locate = (field) => field } = part[k];
        rejected.append(element('p', { class: 'error' }, `${where}: `,
          (r.errors || []).map((err) => {
            const place = err.field ? locate(err.field) : '';
            return `${place ? `${place}: ` : ''}${err.message}`;
          }).join('; ')));
      });
      progress.value = start + part.length;
      status.className = 'muted';
      status.textContent = `${progress.value} of ${commands.length} sent: ${accepted} accepted, ` +
        `${refused} refused.`;
    }
  };
  main.append(element('h1', {}, 'Upload a batch'), form,
    element('p', { class: 'muted' }, 'CSV: one row per item under a header of named columns; ' +
      'the rows of one id make one declaration (docs/web.md). ', template),
    status, rejected);
}
