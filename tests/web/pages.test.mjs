// The web pages in a real browser (headless Chromium driven by
// playwright-core) against a real `zonegate serve --demo`: each role logs
// in and sees only its pages, an enterprise declares through the form (and
// sees the API's error at the field), the dashboard's counter moves as a
// declaration arrives, an officer records an inspection, a declaration's
// page shows its gate events, a CSV batch names its refusals by row, and an
// enterprise cannot open another's book.
//
//   node tests/web/pages.test.mjs ZONEGATE_BINARY PACK_DIR
//
// Exit 0 when every check passes; each failure is printed with its step.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, launchBrowser, logIn } from './harness.mjs';
import { check, fail, failureCount } from './check.mjs';

const [binary, pack] = process.argv.slice(2);
if (!binary || !pack) {
  console.error('usage: node tests/web/pages.test.mjs ZONEGATE_BINARY PACK_DIR');
  process.exit(2);
}


const data = mkdtempSync(join(tmpdir(), 'zonegate-web-'));
// Started inside the try, so a browser that will not launch still stops the server.
let server = null, browser = null, profile = null;
try {
  const started = await startServer(binary, pack, join(data, 'zone'));
  server = started.server;
  const { port, tokens } = started;
  const base = `http://127.0.0.1:${port}`;
  ({ browser, profile } = await launchBrowser());
  const a = tokens.ENTERPRISE_A, b = tokens.ENTERPRISE_B;

  // A bad token is refused at the login, saying so.
  const stranger = await browser.newPage();
  await stranger.goto(`${base}/`);
  await stranger.fill('#login input[name=token]', 'zgt_000000000000_not-a-token');
  await stranger.click('#login button');
  await stranger.waitForFunction(() => document.querySelector('#login-error').textContent !== '');
  check(await stranger.isVisible('#login input.bad'), 'a bad token is refused at the login');
  await stranger.close();

  // An enterprise: its book, not the dashboard, not another's book.
  const enterprise = await logIn(browser, base, a.token);
  await enterprise.waitForSelector('#lots');
  check((await enterprise.textContent('h1')).startsWith('Account book of'),
    'an enterprise lands on its own account book');
  await enterprise.waitForLoadState('networkidle');
  const books = (await enterprise.$$('#lots')).length;
  check(books === 1, `the landing page is drawn once (${books} books shown)`);
  check(!(await enterprise.isVisible('nav a[href="#/dashboard"]')),
    'an enterprise has no dashboard in its menu');
  await enterprise.goto(`${base}/#/dashboard`);
  await enterprise.waitForSelector('#forbidden');
  check(true, 'an enterprise opening the dashboard is told it cannot');
  const other = await enterprise.evaluate(async (uscc) => {
    const { token } = JSON.parse(sessionStorage.getItem('zonegate-session'));
    const r = await fetch(`/v1/enterprises/${uscc}/book`, { headers: { Authorization: `Bearer ${token}` } });
    return r.status;
  }, b.uscc);
  check(other === 403, `an enterprise's token cannot read another's book (HTTP ${other})`);

  // An officer's dashboard, and its counter moving as a declaration arrives.
  const officer = await logIn(browser, base, tokens.OFFICER.token);
  await officer.goto(`${base}/#/dashboard`);
  await officer.waitForSelector('#declarations');
  const before = Number(await officer.textContent('#declarations'));
  check(before > 0, `the dashboard counts the demo day's declarations (${before})`);

  // The enterprise declares through the form: first wrong, then right.
  await enterprise.goto(`${base}/#/declare`);
  await enterprise.waitForSelector('#declare');
  await enterprise.selectOption('select[name=movement]', 'first_line_entry');
  // The HS field looks codes up as one types.
  await enterprise.fill('#items [name=hs]', 'wine');
  await enterprise.waitForSelector('#items datalist option[value="22042100"]', { state: 'attached' });
  check(true, 'typing "wine" in the HS field offers the tariff line 22042100');
  const fields = { item: 'CHIP-A', hs: '8542310', origin: 'KR', quantity: '100', unit: 'pcs',
    value: '5000.00' };
  for (const [name, value] of Object.entries(fields)) {
    await enterprise.fill(`#items [name=${name}]`, value);
  }
  await enterprise.click('#declare button[type=submit]');
  await enterprise.waitForSelector('input.bad[data-field="items[0].hs"]');
  const hsError = await enterprise.textContent('label:has(input[data-field="items[0].hs"]) .error');
  check(hsError.includes('HS code 8542310'), `the API's error shows at the HS field ("${hsError}")`);
  await enterprise.fill('#items [name=hs]', '85423100');
  await enterprise.click('#declare button[type=submit]');
  await enterprise.waitForSelector('#declared-number');
  const number = await enterprise.textContent('#declared-number');
  check(/^HQ\d+$/.test(number), `the form's declaration is accepted (${number})`);
  await officer.waitForFunction((n) => Number(document.querySelector('#declarations')?.textContent) > n,
    before, { timeout: 15000 });
  check(true, 'the dashboard counter moved without a reload');

  // A batch with progress: one command accepted, one refused with its line.
  await enterprise.goto(`${base}/#/upload`);
  await enterprise.waitForSelector('#upload');
  // Dated now: an enterprise's commands must be (its "at" window).
  const at = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  const good = { type: 'declare', id: 'batch-1', at,
    movement: 'first_line_entry', declarant: a.uscc, purpose: 'processing', currency: 'CNY',
    items: [{ item: 'CHIP-A', hs: '85423100', origin: 'KR', quantity: '10', unit: 'pcs',
      value: '500.00' }] };
  const bad = { ...good, id: 'batch-2', items: [{ ...good.items[0], quantity: '-1' }] };
  await enterprise.setInputFiles('#upload input[name=batch]', { name: 'batch.jsonl',
    mimeType: 'application/x-ndjson',
    buffer: Buffer.from(`${JSON.stringify(good)}\n${JSON.stringify(bad)}\n`) });
  await enterprise.click('#upload button[type=submit]');
  await enterprise.waitForFunction(() =>
    document.querySelector('#upload-status').textContent.startsWith('2 of 2'));
  const uploaded = await enterprise.textContent('#upload-status');
  check(uploaded.includes('1 accepted, 1 refused'),
    `a batch upload reports its progress and outcome ("${uploaded}")`);
  const refusedLines = await enterprise.textContent('#upload-rejected');
  check(refusedLines.includes('line 2: items[0].quantity'),
    `a refused line of the batch is named with its error ("${refusedLines}")`);

  // A CSV batch of declarations: one row per item, the rows of an id one
  // declaration; the API's refusal named by the CSV's rows and column.
  const csvRows = [
    'id,movement,declarant,purpose,currency,item,hs,description,origin,quantity,unit,value',
    `csv-1,first_line_entry,${a.uscc},processing,CNY,CHIP-A,85423100,"chips, ""7 nm""",KR,10,pcs,500.00`,
    `csv-1,first_line_entry,${a.uscc},processing,CNY,CHIP-B,85423100,chips,KR,5,pcs,250.00`,
    `csv-2,first_line_entry,${a.uscc},processing,CNY,CHIP-A,85423100,chips,KR,1,pcs,50.00`,
    `csv-2,first_line_entry,${a.uscc},processing,CNY,CHIP-C,85423100,chips,KR,-1,pcs,50.00`,
  ];
  // Away and back: the page at #/upload still shows the last batch's outcome.
  await enterprise.goto(`${base}/#/declare`);
  await enterprise.goto(`${base}/#/upload`);
  await enterprise.waitForSelector('#upload');
  await enterprise.setInputFiles('#upload input[name=batch]', { name: 'declarations.csv',
    mimeType: 'text/csv', buffer: Buffer.from(`\uFEFF${csvRows.join('\r\n')}\r\n`) });
  await enterprise.click('#upload button[type=submit]');
  // Done when all is sent, or stopped: the status says which.
  await enterprise.waitForFunction(() => /^(2 of 2|Nothing|Stopped)/
    .test(document.querySelector('#upload-status').textContent));
  const csvStatus = await enterprise.textContent('#upload-status');
  check(csvStatus.includes('1 accepted, 1 refused'),
    `a CSV batch makes one declaration per id ("${csvStatus}": ` +
    `${await enterprise.textContent('#upload-rejected')})`);
  const csvRefused = await enterprise.textContent('#upload-rejected');
  check(csvRefused.includes('row 4 (id csv-2): row 5, column quantity:'),
    `a refused CSV declaration is named by its rows and column ("${csvRefused}")`);
  // The enterprise's newest declaration, as the API tells it.
  const newestDeclaration = () => enterprise.evaluate(async () => {
    const { token } = JSON.parse(sessionStorage.getItem('zonegate-session'));
    const get = async (path) => (await fetch(path, { headers: { Authorization: `Bearer ${token}` } }))
      .json();
    let page = await get('/v1/declarations?limit=500');
    while (page.next) page = await get(`/v1/declarations?limit=500&after=${page.next}`);
    return get(`/v1/declarations/${page.items[page.items.length - 1].declaration}`);
  });
  const newest = await newestDeclaration();
  check(newest.result.id === 'csv-1' && newest.result.items.length === 2,
    `the rows of csv-1 made one declaration of two items (${newest.result.id}, ` +
    `${newest.result.items.length} items)`);
  // Sent once a CSV file (`rows`, or bytes) and awaits its outcome: { status, rejected }.
  const sendCsv = async (name, rows) => {
    await enterprise.setInputFiles('#upload input[name=batch]', { name, mimeType: 'text/csv',
      buffer: Buffer.isBuffer(rows) ? rows : Buffer.from(`${rows.join('\r\n')}\r\n`) });
    // Cleared first, so the last file's outcome is not taken for this one's.
    await enterprise.evaluate(() => { document.querySelector('#upload-status').textContent = ''; });
    await enterprise.click('#upload button[type=submit]');
    await enterprise.waitForFunction(() => /(\d+ of \d+ sent|Nothing was sent|Stopped)/
      .test(document.querySelector('#upload-status').textContent));
    return { status: await enterprise.textContent('#upload-status'),
      rejected: await enterprise.textContent('#upload-rejected') };
  };
  // Sent again after a reload (as after a lost connection), in another
  // second: the accepted declaration is answered as before, its "at" the
  // one it was first sent with, not refused as id_conflict.
  await enterprise.reload();
  await enterprise.waitForSelector('#upload');
  await enterprise.waitForTimeout(1100);
  const again = await sendCsv('declarations.csv', csvRows);
  check(again.status.includes('1 accepted, 1 refused') && !again.rejected.includes('csv-1'),
    `a CSV file sent again after a reload is answered as before ("${again.status}": ${again.rejected})`);
  // The same id with other content: said to be lodged already, not refused.
  const changed = await sendCsv('changed.csv', [csvRows[0], csvRows[1].replace(',KR,10,', ',KR,11,'),
    csvRows[2]]);
  check(changed.status.includes('0 accepted, 0 refused, 1 already lodged with other content') &&
    changed.rejected.includes('row 2 (id csv-1): id csv-1 was already lodged, with other content'),
  `an id already lodged with other content is said so ("${changed.status}": ${changed.rejected})`);
  // Excel on Chinese Windows saves CSV as GBK, and writes a cleared row as
  // commas: read as GB18030, saying so, the row skipped.
  const gbk = Buffer.concat([Buffer.from(`${csvRows[0]}\r\n` +
    `csv-gbk,first_line_entry,${a.uscc},trade,CNY,WINE-R,22042100,`),
  Buffer.from([0xba, 0xec, 0xbe, 0xc6]),  // 红酒 in GBK
  Buffer.from(`,FR,60,L,6000.00\r\n${','.repeat(11)}\r\n`)]);
  // The API does not echo a description: the command as sent shows it.
  const sent = [];
  const onRequest = (r) => { if (r.url().endsWith('/v1/commands')) sent.push(r.postData()); };
  enterprise.on('request', onRequest);
  const chinese = await sendCsv('gbk.csv', gbk);
  enterprise.off('request', onRequest);
  check(chinese.status.includes('read as GB18030, not UTF-8') &&
    chinese.status.includes('1 accepted, 0 refused'),
  `a GBK CSV is read as GB18030, and says so ("${chinese.status}": ${chinese.rejected})`);
  check((await newestDeclaration()).result.id === 'csv-gbk' &&
    sent.join('').includes('"description":"红酒"'), `its Chinese description is sent as written (${sent})`);
  // 100,000 rows: "Reading the file…" shows while the file is parsed.
  await enterprise.evaluate(() => {
    window.statusShown = [];
    new MutationObserver((changes) => changes.forEach((c) => c.addedNodes.forEach((n) =>
      window.statusShown.push(n.textContent)))).observe(document.querySelector('#upload-status'),
      { childList: true });
  });
  const large = await sendCsv('large.csv', [csvRows[0],
    ...Array.from({ length: 100000 }, (_, k) => `large-${k},first_line_entry`)]);
  const shown = await enterprise.evaluate(() => window.statusShown);
  check(shown.includes('Reading the file…') && large.status.startsWith('Nothing was sent') &&
    large.rejected.includes('and 99980 more'),
  `a file of 100,000 rows shows "Reading the file…" while it is read (${JSON.stringify(shown)})`);
  const malformed = (await sendCsv('bad.csv', ['id,movement,colour', 'x,first_line_entry,red']))
    .rejected;
  check(malformed.includes('row 1, column 3: unknown column "colour"'),
    `a malformed CSV is refused before sending, with its row and column ("${malformed}")`);

  // The book as CSV, with the API's exact figures.
  await enterprise.goto(`${base}/#/book`);
  await enterprise.waitForSelector('#download');
  const [download] = await Promise.all([enterprise.waitForEvent('download'),
    enterprise.click('#download')]);
  const csv = await new Promise((resolve, reject) => {
    download.createReadStream().then((stream) => {
      let text = '';
      stream.on('data', (c) => { text += c; });
      stream.on('end', () => resolve(text));
      stream.on('error', reject);
    }, reject);
  });
  check(csv.startsWith('\uFEFFlot,item,hs,goods_status') && csv.split('\n').length > 2,
    'the account book downloads as CSV, UTF-8 with a byte-order mark (for Excel)');

  // A figure leads to its declarations.
  await officer.goto(`${base}/#/dashboard`);
  await officer.waitForSelector('#by-movement');
  await officer.click('#by-movement a[href*="movement=second_line_entry"]');
  await officer.waitForSelector('#list table, #none');
  const listed = await officer.$$eval('#list tbody tr td:nth-child(4)', (cells) =>
    cells.map((c) => c.textContent));
  check(listed.length > 0 && listed.every((m) => m === 'second_line_entry'),
    `a movement's figure opens its declarations (${listed.length})`);

  // Crossings: the demo's one day by the hour; a longer range by the day,
  // each bar the API's sum for its day and leading to that day's hours.
  const bars = (page) => page.$$eval('#crossings-chart .bar-group', (groups) => groups.map((g) =>
    [...g.querySelectorAll('title')].map((t) => Number(t.textContent.split(': ').pop()))));
  const sums = (rows, key) => {
    const buckets = new Map();
    for (const r of rows) {
      const [open, held] = buckets.get(r[key]) || [0, 0];
      buckets.set(r[key], [open + r.open, held + r.stopped]);
    }
    return JSON.stringify([...buckets.entries()].sort(([x], [y]) => (x < y ? -1 : 1)).map(([, v]) => v));
  };
  const crossingsTitle = (page, text) => page.waitForFunction((t) =>
    document.querySelector('#crossings-title')?.textContent === t, text);
  const gates = await officer.evaluate(async () => {
    const { token } = JSON.parse(sessionStorage.getItem('zonegate-session'));
    const get = async (query) => (await fetch(`/v1/gates/figures?${query}`,
      { headers: { Authorization: `Bearer ${token}` } })).json();
    return { hours: await get('by=hour'), days: await get('by=day') };
  });
  const day = gates.days.crossings_by_day[0]?.day;
  check(day && gates.days.crossings_by_day.every((r) => r.day === day),
    `the demo's crossings fall on one day (${day})`);
  await officer.goto(`${base}/#/dashboard`);
  await crossingsTitle(officer, 'Crossings by hour');
  const hourly = JSON.stringify(await bars(officer));
  check(hourly === sums(gates.hours.crossings_by_hour, 'hour'),
    `all time, the demo day's crossings are drawn by the hour, as the API counts them (${
      JSON.parse(hourly).length} hours)`);
  const shift = (date, days) => new Date(Date.parse(date) + days * 86400000).toISOString().slice(0, 10);
  await officer.fill('#range input[name=from]', shift(day, -1));
  await officer.fill('#range input[name=to]', shift(day, 3));
  await officer.click('#range button[type=submit]');
  await crossingsTitle(officer, 'Crossings by day');
  const daily = JSON.stringify(await bars(officer));
  check(daily === sums(gates.days.crossings_by_day, 'day') && daily === JSON.stringify(
    [JSON.parse(hourly).reduce(([o, h], [bo, bh]) => [o + bo, h + bh], [0, 0])]),
    `five days are drawn by the day, the day's bar the sum of its hours (${daily})`);
  check(officer.url().endsWith(`#/dashboard?from=${shift(day, -1)}&to=${shift(day, 3)}`),
    'the address keeps the range');
  await officer.click('#crossings-chart a');
  await crossingsTitle(officer, 'Crossings by hour');
  check(await officer.inputValue('#range input[name=from]') === day &&
    JSON.stringify(await bars(officer)) === hourly, "a day's bar opens that day by the hour");

  // Licensed goods wait for an officer (the simulated day's officers have
  // released its own by evening).
  const held = await enterprise.evaluate(async ({ uscc, at }) => {
    const { token } = JSON.parse(sessionStorage.getItem('zonegate-session'));
    const r = await fetch('/v1/commands', {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ type: 'declare', id: 'cigarettes-1', at, movement: 'first_line_entry',
        declarant: uscc, purpose: 'trade', currency: 'CNY', items: [{ item: 'CIG-A',
          hs: '24022000', origin: 'GB', quantity: '10', unit: '1000pcs', value: '5000.00',
          licence: 'TL-1' }] }),
    });
    return (await r.json()).declaration;
  }, { uscc: a.uscc, at });
  check(/^HQ\d+$/.test(held || ''), `licensed goods are declared and held (${held})`);

  // A declaration's gate events: the demo day's trucks carry its
  // declarations; a page shows each event the API lists, as the API says it.
  const carried = await officer.evaluate(async () => {
    const { token } = JSON.parse(sessionStorage.getItem('zonegate-session'));
    const get = async (path) => (await fetch(path, { headers: { Authorization: `Bearer ${token}` } }))
      .json();
    // The first held at a gate, within the first thousand declarations.
    let page = { next: '' };
    for (let pages = 0; pages < 5 && page.next !== null; pages += 1) {
      page = await get(`/v1/declarations?limit=200${page.next ? `&after=${page.next}` : ''}`);
      for (const d of page.items) {
        const story = await get(`/v1/declarations/${d.declaration}`);
        if (story.gate_events.some((e) => e.decision === 'hold' && e.reasons.length)) return story;
      }
    }
    return null;
  });
  check(carried !== null, `a demo declaration was held at a gate (${carried?.declaration})`);
  if (carried) {
    await officer.goto(`${base}/#/declaration/${carried.declaration}`);
    await officer.waitForSelector('#gate-events-list');
    const rows = await officer.$$eval('#gate-events-list tbody tr', (trs) =>
      trs.map((tr) => [...tr.children].map((td) => td.textContent)));
    const want = carried.gate_events.map((e) => [e.at, e.channel, e.direction, e.decision,
      e.reasons.join(''), `${e.command} (seq ${e.seq})`]);
    check(JSON.stringify(rows) === JSON.stringify(want),
      `${carried.declaration}'s page shows its ${want.length} gate events as the API lists them ` +
      `(${JSON.stringify(rows)})`);
  }

  // The officer's queue, a held declaration's story, and its inspection.
  await officer.goto(`${base}/#/queue`);
  await officer.waitForSelector('#queue');
  await officer.click(`#queue a[href="#/declaration/${held}"]`);
  await officer.waitForSelector('#items');
  check((await officer.textContent('#reasons')).includes('licence/'),
    `the officer sees why ${held} is held`);
  await officer.selectOption('#inspection select[name=finding]', 'compliant');
  await officer.click('#inspection button[type=submit]');
  await officer.waitForSelector('#recorded');
  check((await officer.textContent('#recorded')).includes('released'),
    'the officer records a compliant finding and the goods are released');
  await officer.goto(`${base}/#/queue`);
  await officer.waitForSelector('#queue, #queue-empty');
  check(!(await officer.textContent('main')).includes(held), `${held} has left the queue`);
} catch (e) {
  fail(e.stack || e);
} finally {
  // A browser that fails to close must not leave the server running.
  if (browser) {
    await browser.close().catch((e) => console.log(`(closing the browser: ${e.message})`));
  }
  if (server) server.kill('SIGKILL');
  if (profile) rmSync(profile, { recursive: true, force: true });
  rmSync(data, { recursive: true, force: true });
}
console.log(failureCount() === 0 ? 'web pages: all checks passed' : `web pages: ${failureCount()} failed`);
process.exit(failureCount() === 0 ? 0 : 1);
