// What the browser tests and the screenshot script share: a demo server on
// a free port with its printed tokens, headless Chromium (Debian's, driven
// by playwright-core; see ../shared/STACK.md), and logging in.

import { spawn, execSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { chromium } = require('playwright-core');

// `zonegate serve --demo` on a free port: resolves with the process, its
// port and the tokens it printed ({OFFICER: {token}, ENTERPRISE_A: {token,
// uscc}, ...}).
export function startServer(binary, pack, data) {
  return new Promise((resolve, reject) => {
    const server = spawn(binary, ['serve', '--pack', pack, '--data', data, '--demo', '--quiet',
      '--demo-scale', process.env.ZG_DEMO_SCALE || '0.25',
      '--listen', '127.0.0.1:0'], { stdio: ['ignore', 'pipe', 'ignore'] });
    let text = '';
    const timer = setTimeout(() => {
      server.kill('SIGKILL');
      reject(new Error(`the server did not start: ${text}`));
    }, 60000);
    server.stdout.on('data', (chunk) => {
      text += chunk;
      const port = text.match(/:\/\/127\.0\.0\.1:(\d+) /);
      const tokens = Object.fromEntries([...text.matchAll(/export (\w+)=(\S+)(?:\s+# (\S+))?/g)]
        .map(([, name, token, uscc]) => [name, { token, uscc }]));
      if (port && tokens.ENTERPRISE_B) {
        clearTimeout(timer);
        resolve({ server, port: Number(port[1]), tokens });
      }
    });
    server.on('exit', (code) => reject(new Error(`the server exited (${code}): ${text}`)));
  });
}

// Headless Chromium with a fresh profile (removed by the caller).
export async function launchBrowser() {
  const profile = mkdtempSync(join(tmpdir(), 'chromium-profile-'));
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM_BIN || execSync('command -v chromium').toString().trim(),
    headless: true,
    timeout: 30000,
    viewport: { width: 1280, height: 900 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  browser.setDefaultTimeout(15000);
  return { browser, profile };
}

export async function logIn(browser, base, token) {
  const page = await browser.newPage();
  await page.goto(`${base}/`);
  await page.fill('#login input[name=token]', token);
  await page.click('#login button');
  await page.waitForSelector('#logout');
  return page;
}
