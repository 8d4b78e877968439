// Declarations from a CSV file (docs/web.md, "CSV batches"). The contract
// has no CSV, so the pages define one: a header row of named columns, then
// one row per item; the rows of one id make one declare command, its items
// in row order, its declaration's columns repeated in each of its rows.
// A file that breaks this is refused whole, before anything is sent, with
// the row and column; the API then judges each declaration as it judges
// one sent as JSON.

import { parseCsv, CsvError } from './csv.js';

// The declaration's columns: the same in every row of an id.
const DECLARATION_COLUMNS = ['id', 'at', 'movement', 'declarant', 'counterparty', 'purpose',
  'currency', 'channel', 'gross_kg'];
// Each row's item.
const ITEM_COLUMNS = ['item', 'hs', 'description', 'origin', 'quantity', 'unit', 'value',
  'licence', 'net_kg'];
// A file without one of these cannot make a declaration the contract
// accepts; a blank cell in one is left for the API to name.
const REQUIRED = ['id', 'movement', 'declarant', 'purpose', 'currency', 'item', 'hs', 'origin',
  'quantity', 'unit', 'value'];
const ERRORS_SHOWN_MAX = 20;

// A template with two declarations (one of two items), for `declarant`.
export function csvTemplate(declarant) {
  const columns = [...DECLARATION_COLUMNS, ...ITEM_COLUMNS];
  const row = (values) => columns.map((c) => values[c] ?? '');
  const first = { id: 'my-batch-0001', movement: 'first_line_entry', declarant,
    purpose: 'processing', currency: 'CNY', channel: 'HENGQIN-PORT-CARGO', gross_kg: '120.0' };
  const second = { ...first, id: 'my-batch-0002', purpose: 'trade', channel: '', gross_kg: '' };
  return [columns,
    row({ ...first, item: 'CHIP-A', hs: '85423100', description: 'processors', origin: 'KR',
      quantity: '100', unit: 'pcs', value: '5000.00' }),
    row({ ...first, item: 'WAFER-8IN', hs: '38180000', description: 'silicon wafers, 8 inch',
      origin: 'JP', quantity: '20', unit: 'pcs', value: '2000.00' }),
    row({ ...second, item: 'WINE-R', hs: '22042100', description: 'red wine', origin: 'FR',
      quantity: '60', unit: 'L', value: '6000.00' })];
}

// The header's columns by index; throws a CsvError for an unknown, repeated
// or missing column.
function readHeader(record) {
  const known = [...DECLARATION_COLUMNS, ...ITEM_COLUMNS];
  const names = record.cells.map((c) => c.trim().toLowerCase());
  names.forEach((name, index) => {
    if (!known.includes(name)) {
      throw new CsvError(record.row, index + 1, `unknown column "${name}" (the columns are ` +
        `${known.join(', ')})`);
    }
    if (names.indexOf(name) !== index) {
      throw new CsvError(record.row, index + 1, `column "${name}" comes twice`);
    }
  });
  const missing = REQUIRED.filter((name) => !names.includes(name));
  if (missing.length) {
    throw new CsvError(record.row, null, `no column ${missing.map((m) => `"${m}"`).join(', ')} ` +
      '(required)');
  }
  return names;
}

// { declarations, errors }: each declaration { id, command, rows (its rows'
// numbers, item by item), columns (the file's column names) }; `errors`
// the file's faults (CsvError), empty when it can be sent. A declaration
// whose rows have no "at" gets none here: the page dates it when it first
// sends it (upload.js), not when the file is read.
export function declarationsFromCsv(text) {
  let records, columns;
  try {
    records = parseCsv(text);
    if (!records.length) throw new CsvError(1, null, 'the file is empty');
    columns = readHeader(records[0]);
  } catch (e) {
    if (e instanceof CsvError) return { declarations: [], errors: [e] };
    throw e;
  }
  const byId = new Map();
  const errors = [];
  for (const { row, cells } of records.slice(1)) {
    if (cells.length !== columns.length) {
      errors.push(new CsvError(row, null, `${cells.length} cells; the header has ` +
        `${columns.length}`));
      continue;
    }
    const values = Object.fromEntries(columns.map((name, k) => [name, cells[k].trim()]));
    if (!values.id) {
      errors.push(new CsvError(row, 'id', 'is empty: each row names its declaration'));
      continue;
    }
    const found = byId.get(values.id);
    if (!found) {
      byId.set(values.id, { id: values.id, first: values, rows: [row], items: [itemOf(values)],
        columns });
      continue;
    }
    // One declaration, one set of declaration fields: a row that says
    // otherwise is a mistake (two declarations under one id, or a typo).
    for (const name of DECLARATION_COLUMNS.filter((c) => c in values)) {
      if (values[name] !== found.first[name]) {
        errors.push(new CsvError(row, name, `"${values[name]}" differs from row ` +
          `${found.rows[0]} of the same id ("${found.first[name]}")`));
      }
    }
    found.rows.push(row);
    found.items.push(itemOf(values));
  }
  if (errors.length > ERRORS_SHOWN_MAX) {
    const more = errors.length - ERRORS_SHOWN_MAX;
    errors.length = ERRORS_SHOWN_MAX;
    errors.push(new Error(`and ${more} more`));
  }
  const declarations = [...byId.values()].map((d) => ({
    id: d.id, rows: d.rows, columns: d.columns, command: commandOf(d),
  }));
  return { declarations, errors };
}

function itemOf(values) {
  return Object.fromEntries(ITEM_COLUMNS.filter((c) => values[c]).map((c) => [c, values[c]]));
}

// The declare command, its fields in the contract's order; blank cells are
// left out, so the API says which required field is missing (a blank "at"
// is the page's to fill when sending).
function commandOf(d) {
  const command = { type: 'declare', id: d.id };
  if (d.first.at) command.at = d.first.at;
  for (const name of DECLARATION_COLUMNS.slice(2)) {
    if (d.first[name]) command[name] = d.first[name];
  }
  command.items = d.items;
  return command;
}

// Where an API error's field (`items[1].hs`, `declarant`) is in the file:
// "row 4, column hs", "column declarant", or the field as the API named it.
export function locateInCsv(declaration, field) {
  const item = /^items\[(\d+)\](?:\.(\w+))?/.exec(field || '');
  if (item) {
    const row = declaration.rows[Number(item[1])];
    if (row === undefined) return field;
    return item[2] && declaration.columns.includes(item[2]) ? `row ${row}, column ${item[2]}`
      : `row ${row}, ${field}`;
  }
  return declaration.columns.includes(field) ? `column ${field}` : field;
}
