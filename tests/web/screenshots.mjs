// Screenshots of each page for docs/ (docs/web.md), from a real
// `zonegate serve --demo` in headless Chromium:
//
//   node tests/web/screenshots.mjs ZONEGATE_BINARY PACK_DIR OUT_DIR
//   (scripts/screenshots.sh does it with the built binary, into docs/screenshots/)

import { mkdtempSync, rmSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, launchBrowser, logIn } from './harness.mjs';

const [binary, pack, out] = process.argv.slice(2);
if (!binary || !pack || !out) {
  console.error('usage: node tests/web/screenshots.mjs ZONEGATE_BINARY PACK_DIR OUT_DIR');
  process.exit(2);
}
mkdirSync(out, { recursive: true });
const data = mkdtempSync(join(tmpdir(), 'zonegate-shots-'));
const { server, port, tokens } = await startServer(binary, pack, join(data, 'zone'));
const base = `http://127.0.0.1:${port}`;
const { browser, profile } = await launchBrowser();
const shot = async (page, name) => {
  await page.waitForTimeout(300);  // the charts' last layout
  await page.screenshot({ path: join(out, `${name}.png`), fullPage: false });
  console.log(`${out}/${name}.png`);
};
try {
  const login = await browser.newPage();
  await login.goto(`${base}/`);
  await shot(login, 'login');

  const officer = await logIn(browser, base, tokens.OFFICER.token);
  // A few licensed goods waiting for an officer, for the queue (the
  // simulated day's own were released by evening).
  await officer.evaluate(async (uscc) => {
    const { token } = JSON.parse(sessionStorage.getItem('zonegate-session'));
    const at = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
    for (let i = 1; i <= 3; i += 1) {
      await fetch('/v1/commands', {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ type: 'declare', id: `shot-cigarettes-${i}`, at,
          movement: 'first_line_entry', declarant: uscc, purpose: 'trade', currency: 'CNY',
          items: [{ item: 'CIG-A', hs: '24022000', origin: 'GB', quantity: String(10 * i),
            unit: '1000pcs', value: `${5000 * i}.00`, licence: `TL-${i}` }] }),
      });
    }
  }, tokens.ENTERPRISE_A.uscc);
  await officer.goto(`${base}/#/dashboard`);
  await officer.waitForSelector('#by-movement');
  await shot(officer, 'dashboard');
  await officer.goto(`${base}/#/queue`);
  await officer.waitForSelector('#queue');
  await shot(officer, 'queue');
  await officer.click('#queue tbody tr td a');
  await officer.waitForSelector('#inspection');
  await shot(officer, 'declaration');
  await officer.goto(`${base}/#/declarations?movement=second_line_exit`);
  await officer.waitForSelector('#list table');
  await shot(officer, 'declarations');

  const enterprise = await logIn(browser, base, tokens.ENTERPRISE_A.token);
  await enterprise.waitForSelector('#lots');
  await shot(enterprise, 'book');
  await enterprise.goto(`${base}/#/declare`);
  await enterprise.waitForSelector('#declare');
  await enterprise.fill('#items [name=hs]', 'wine');
  await enterprise.waitForSelector('#items datalist option', { state: 'attached' });
  await enterprise.fill('#items [name=hs]', '2204210');
  await enterprise.fill('#items [name=quantity]', '-5');
  await enterprise.click('#declare button[type=submit]');
  await enterprise.waitForSelector('input.bad');
  await shot(enterprise, 'declare');
} finally {
  await browser.close();
  server.kill('SIGKILL');
  rmSync(profile, { recursive: true, force: true });
  rmSync(data, { recursive: true, force: true });
}
