// CSV both ways: reading a file as RFC 4180 records (for batch uploads) and
// writing cells a spreadsheet reads safely (for downloads). No DOM at
// import, so node runs its tests (tests/web/csv.test.mjs).

// A file that is not CSV, at a record ("row", 1 for the header, as a
// spreadsheet numbers them) and a field ("column", 1-based).
export class CsvError extends Error {
  constructor(row, column, message) {
    super(`row ${row}${column ? `, column ${column}` : ''}: ${message}`);
    this.row = row;
    this.column = column;
  }
}

// RFC 4180 records: fields separated by commas, records by CRLF (or a bare
// LF or CR, as editors write them); a field in double quotes may hold
// commas, line breaks and doubled quotes (""). A leading byte-order mark is
// dropped. Records of empty unquoted fields only are skipped: blank lines,
// and the ",,,," Excel and WPS write for a row whose cells were cleared.
// Each record: { row, cells }, `row` counting records, not lines, so a
// quoted line break or a skipped record does not shift the numbers a
// spreadsheet shows.
export function parseCsv(text) {
  const records = [];
  let cells = [], cell = '', quoted = false, anyQuoted = false, row = 1, i = 0;
  if (text.startsWith('\uFEFF')) i = 1;
  const endField = () => {
    cells.push(cell);
    anyQuoted ||= quoted;
    cell = '';
    quoted = false;
  };
  const endRecord = () => {
    endField();
    // A quoted empty field ("") is a value, so its record is kept.
    if (anyQuoted || cells.some((c) => c !== '')) records.push({ row, cells });
    cells = [];
    anyQuoted = false;
    row += 1;
  };
  while (i < text.length) {
    const c = text[i];
    const column = cells.length + 1;
    if (c === '"' && cell === '' && !quoted) {
      // A quoted field: up to the quote that is not doubled.
      quoted = true;
      for (i += 1; ; i += 1) {
        if (i >= text.length) throw new CsvError(row, column, 'a quoted field is never closed');
        if (text[i] === '"') {
          if (text[i + 1] !== '"') break;
          i += 1;
        }
        cell += text[i];
      }
      i += 1;  // past the closing quote
      const next = text[i];
      if (next !== undefined && next !== ',' && next !== '\r' && next !== '\n') {
        throw new CsvError(row, column, 'text after a closing quote (a quote inside a quoted ' +
          'field is written twice: "")');
      }
      continue;
    }
    if (c === '"') throw new CsvError(row, column, 'a quote inside an unquoted field');
    if (c === ',') {
      endField();
    } else if (c === '\r' || c === '\n') {
      if (c === '\r' && text[i + 1] === '\n') i += 1;
      endRecord();
    } else {
      cell += c;
    }
    i += 1;
  }
  if (cells.length || cell !== '' || quoted) endRecord();
  return records;
}

// A cell as spreadsheets read it safely: text a spreadsheet would take for
// a formula (an item code typed "=HYPERLINK(...)") starts with a quote
// mark; quotes, commas and line breaks are quoted.
export function csvCell(value) {
  let s = String(value ?? '');
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(s) && !/^-?\d+(\.\d+)?$/.test(s)) {
    s = `'${s}`;
  }
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

// Offers `rows` (arrays of cells) as a CSV file named `name`, UTF-8 with a
// byte-order mark: without one, Excel reads a CSV in the system's code page
// (GBK on Chinese Windows) and garbles Chinese text.
export function downloadCsv(name, rows) {
  const text = '\uFEFF' + rows.map((r) => r.map(csvCell).join(',')).join('\n') + '\n';
  const link = document.createElement('a');
  link.href = URL.createObjectURL(new Blob([text], { type: 'text/csv' }));
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
}
