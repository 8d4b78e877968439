// The pages' CSV reading, without a browser: RFC 4180 records (quotes,
// doubled quotes, CRLF, a byte-order mark, line breaks inside quotes) and
// a CSV batch of declarations turned into declare commands, with the file's
// faults named by row and column.
//
//   node tests/web/csv.test.mjs
//
// Exit 0 when every check passes; each failure is printed.

import { parseCsv, csvCell, CsvError } from '../../web/csv.js';
import { declarationsFromCsv, locateInCsv, csvTemplate } from '../../web/csv_declarations.js';
import { check, failureCount } from './check.mjs';

const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
function thrown(f) {
  try {
    f();
  } catch (e) {
    return e;
  }
  return null;
}

// --- RFC 4180 ----------------------------------------------------------------
{
  const records = parseCsv('\uFEFFa,b,c\r\n1,"two, with comma","say ""hi"""\r\n\r\n"x\r\ny",,""\r\n');
  check(same(records.map((r) => r.cells), [['a', 'b', 'c'], ['1', 'two, with comma', 'say "hi"'],
    ['x\r\ny', '', '']]), 'quoted fields, doubled quotes, CRLF, a BOM and a blank line');
  check(same(records.map((r) => r.row), [1, 2, 4]),
    'rows count records as a spreadsheet does (the blank record is row 3)');
  check(same(parseCsv('a,b\n1,2').map((r) => r.cells), [['a', 'b'], ['1', '2']]),
    'bare LF and no final line break');
  check(same(parseCsv('a\r""').map((r) => r.cells), [['a'], ['']]),
    'a bare CR ends a record; an empty quoted field is a record');
  const cleared = parseCsv('a,b\n,\n1,2\n,,,\n"",\n');
  check(same(cleared.map((r) => [r.row, r.cells]), [[1, ['a', 'b']], [3, ['1', '2']], [5, ['', '']]]),
    'records of empty fields (",,,") are skipped; one with a quoted empty field ("") is kept');
  const multi = parseCsv('h\n"one\ntwo"\nthree\n');
  check(same(multi.map((r) => r.row), [1, 2, 3]), 'a quoted line break does not shift the rows');
  const open = thrown(() => parseCsv('a,b\n1,"never closed\n2,3\n'));
  check(open instanceof CsvError && open.row === 2 && open.column === 2,
    `an unbalanced quote is refused at its row and column (${open && open.message})`);
  const after = thrown(() => parseCsv('a,b\n"x"y,2\n'));
  check(after instanceof CsvError && after.row === 2 && after.column === 1,
    `text after a closing quote is refused (${after && after.message})`);
  const inside = thrown(() => parseCsv('a,b\n1,x"y\n'));
  check(inside instanceof CsvError && inside.row === 2 && inside.column === 2,
    `a quote inside an unquoted field is refused (${inside && inside.message})`);
  check(csvCell('=HYPERLINK("x")') === `"'=HYPERLINK(""x"")"` && csvCell('-12.50') === '-12.50',
    'cells written for spreadsheets: formulas defused, quotes doubled, numbers kept');
  check(same(parseCsv(csvTemplate('U').map((r) => r.map(csvCell).join(',')).join('\r\n'))
    .map((r) => r.cells), csvTemplate('U')), 'what csvCell writes, parseCsv reads back');
}

// --- Declarations ------------------------------------------------------------
const HEADER = 'id,movement,declarant,purpose,currency,gross_kg,item,hs,description,origin,' +
  'quantity,unit,value,licence';
{
  const text = `${HEADER}\r\n` +
    'd-1,first_line_entry,U1,processing,CNY,120.0,CHIP-A,85423100,"chips, 7 nm",KR,100,pcs,5000.00,\r\n' +
    'd-2,first_line_entry,U1,trade,CNY,,WINE-R,22042100,red wine,FR,60,L,6000.00,\r\n' +
    'd-1,first_line_entry,U1,processing,CNY,120.0,WAFER,38180000,wafers,JP,20,pcs,2000.00,L-1\r\n';
  const { declarations, errors } = declarationsFromCsv(text);
  check(errors.length === 0, `a good file has no faults (${errors.map((e) => e.message)})`);
  check(same(declarations.map((d) => d.id), ['d-1', 'd-2']), 'one declaration per id, in order');
  const d1 = declarations[0];
  check(same(d1.command, {
    type: 'declare', id: 'd-1', movement: 'first_line_entry',
    declarant: 'U1', purpose: 'processing', currency: 'CNY', gross_kg: '120.0',
    items: [
      { item: 'CHIP-A', hs: '85423100', description: 'chips, 7 nm', origin: 'KR', quantity: '100',
        unit: 'pcs', value: '5000.00' },
      { item: 'WAFER', hs: '38180000', description: 'wafers', origin: 'JP', quantity: '20',
        unit: 'pcs', value: '2000.00', licence: 'L-1' }],
  }), 'the rows of an id make one declare command, items in row order, undated (the page ' +
    `dates it when it first sends it, not when it reads the file) (${JSON.stringify(d1.command)})`);
  check(same(d1.rows, [2, 4]), 'a declaration knows its rows');
  check(!('gross_kg' in declarations[1].command), 'a blank optional cell is left out');
  check(locateInCsv(d1, 'items[1].hs') === 'row 4, column hs' &&
    locateInCsv(d1, 'declarant') === 'column declarant' && locateInCsv(d1, 'at') === 'at',
  'an API error is located at its row and column');
}
{
  const unknown = declarationsFromCsv(`${HEADER},colour\n`).errors;
  check(unknown.length === 1 && unknown[0].row === 1 && unknown[0].column === 15 &&
    unknown[0].message.includes('unknown column "colour"'), `an unknown column (${unknown[0]?.message})`);
  const missing = declarationsFromCsv(HEADER.replace(',hs,', ',') + '\n').errors;
  check(missing.length === 1 && missing[0].message.includes('no column "hs"'),
    `a missing required column (${missing[0]?.message})`);
  const disagree = declarationsFromCsv(`${HEADER}\n` +
    'd-1,first_line_entry,U1,processing,CNY,,A,85423100,,KR,1,pcs,1.00,\n' +
    'd-1,first_line_entry,U2,processing,CNY,,B,85423100,,KR,1,pcs,1.00,\n').errors;
  check(disagree.length === 1 && disagree[0].row === 3 && disagree[0].column === 'declarant' &&
    disagree[0].message.includes('differs from row 2'),
  `rows of one id that disagree (${disagree[0]?.message})`);
  const short = declarationsFromCsv(`${HEADER}\nd-1,first_line_entry\n`).errors;
  check(short.length === 1 && short[0].row === 2, `a row of too few cells (${short[0]?.message})`);
  const quote = declarationsFromCsv(`${HEADER}\nd-1,"first_line_entry\n`).errors;
  check(quote.length === 1 && quote[0].row === 2 && quote[0].column === 2,
    `an unbalanced quote (${quote[0]?.message})`);
  const dated = declarationsFromCsv('at,id,movement,declarant,purpose,currency,item,hs,origin,' +
    'quantity,unit,value\n2024-05-01T09:00:00+08:00,x,first_line_entry,U,trade,CNY,A,1,KR,1,pcs,1\n'
  ).declarations;
  check(dated[0]?.command.at === '2024-05-01T09:00:00+08:00', 'an "at" column dates its declaration');
  // Excel and WPS write a cleared row as commas only: a blank line.
  const cleared = declarationsFromCsv(`${HEADER}\r\n${','.repeat(13)}\r\n` +
    'd-1,first_line_entry,U1,processing,CNY,,A,85423100,,KR,1,pcs,1.00,\r\n,,,,,\r\n');
  check(cleared.errors.length === 0 && same(cleared.declarations.map((d) => d.rows), [[3]]),
    `rows of empty cells are skipped as blank lines (${cleared.errors.map((e) => e.message)})`);
}

console.log(failureCount() === 0 ? 'csv: all checks passed' : `csv: ${failureCount()} failed`);
process.exit(failureCount() === 0 ? 0 : 1);
