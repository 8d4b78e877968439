// What the browser tests, the screenshot script and the dashboard's
// benchmark (bench/web/) share: a server on a free port (a demo one with its
// printed tokens), headless Chromium (Debian's, driven by playwright-core;
// see ../shared/STACK.md), and logging in.

import { spawn, execSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { chromium } = require('playwright-core');

// `zonegate serve ARGS --listen 127.0.0.1:0` on a free port: resolves, once
// what it printed satisfies `ready(text)` and names its port, with the
// process, the port and the printout; rejects if it exits first or takes
// longer than `timeout` ms (its standard error's end in the message).
export function serve(binary, args, { ready = () => true, timeout = 60000 } = {}) {
  return new Promise((resolve, reject) => {
    const server = spawn(binary, ['serve', ...args, '--listen', '127.0.0.1:0'],
      { stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    let errors = '';
    const timer = setTimeout(() => {
      server.kill('SIGKILL');
      reject(new Error(`the server did not start within ${timeout / 1000} s: ${text}${errors}`));
    }, timeout);
    server.stderr.on('data', (chunk) => { errors = (errors + chunk).slice(-4000); });
    server.stdout.on('data', (chunk) => {
      text += chunk;
      const port = text.match(/:\/\/127\.0\.0\.1:(\d+) /);
      if (port && ready(text)) {
        clearTimeout(timer);
        resolve({ server, port: Number(port[1]), text });
      }
    });
    server.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the server exited (${code}): ${text}${errors}`));
    });
  });
}

// The tokens `serve --demo` printed: {OFFICER: {token}, ENTERPRISE_A: {token, uscc}, ...}.
const demoTokens = (text) => Object.fromEntries([...text.matchAll(/export (\w+)=(\S+)(?:\s+# (\S+))?/g)]
  .map(([, name, token, uscc]) => [name, { token, uscc }]));

// `zonegate serve --demo` on a free port: resolves with the process, its
// port and the tokens it printed.
export async function startServer(binary, pack, data) {
  const { server, port, text } = await serve(binary, ['--pack', pack, '--data', data, '--demo',
    '--quiet', '--demo-scale', process.env.ZG_DEMO_SCALE || '0.25'],
  { ready: (printed) => demoTokens(printed).ENTERPRISE_B });
  return { server, port, tokens: demoTokens(text) };
}

const CHROMIUM = {
  executablePath: process.env.CHROMIUM_BIN || execSync('command -v chromium').toString().trim(),
  headless: true,
  timeout: 30000,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
};
const VIEWPORT = { width: 1280, height: 900 };

// Headless Chromium with a fresh profile (removed by the caller).
export async function launchBrowser() {
  const profile = mkdtempSync(join(tmpdir(), 'chromium-profile-'));
  const browser = await chromium.launchPersistentContext(profile, { ...CHROMIUM, viewport: VIEWPORT });
  browser.setDefaultTimeout(15000);
  return { browser, profile };
}

// Headless Chromium whose contexts (browser.newContext()) each start
// empty — no cache, no storage — for measuring a page as a first visit.
export async function launchIncognito() {
  return chromium.launch(CHROMIUM);
}

export const newContext = (browser) => browser.newContext({ viewport: VIEWPORT });

// Logs in on a new page of `browser` (a browser context).
export async function logIn(browser, base, token) {
  const page = await browser.newPage();
  await page.goto(`${base}/`);
  await page.fill('#login input[name=token]', token);
  await page.click('#login button');
  await page.waitForSelector('#logout');
  return page;
}
