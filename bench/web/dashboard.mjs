// The dashboard's first view against a data directory (issue 8: under one
// second with a year of Hengqin loaded), beside a baseline measured in the
// same run. bench/web/dashboard.sh is the command; docs/web.md explains it.
//
//   node bench/web/dashboard.mjs ZONEGATE DATA_DIR [RUNS]
//
// Each run: a fresh browser context (no cache, no storage), an officer logs
// in (landing on the queue, drawn before the clock starts), then the clock
// runs from going to #/dashboard until the dashboard has drawn its figures
// (render() in web/dashboard.js draws every card, table and chart at once,
// after all its requests answered; the crossings table is its last
// element) — "filled" — and until the next frame is painted — "painted",
// the figure reported. "answered" is when the last API answer arrived, so
// filled − answered is the browser's own drawing.
// A shown error, a script error or a timeout ends the benchmark with exit 1.
//
// Baseline: a directory made here with `zonegate simulate --scale 0.05`,
// served beside DATA_DIR; runs alternate between the two servers, so the
// machine's noise falls on both, and the figures are given as ratios too.
//
// DATA_DIR gets an officer token valid one day (DATA_DIR/tokens.db),
// revoked at the end; serving it writes nothing else (no commands are sent,
// so no snapshot is written on shutdown).

import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve, launchIncognito, newContext, logIn } from '../../tests/web/harness.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const [binaryArg, dataArg, runsArg] = process.argv.slice(2);
if (!binaryArg || !dataArg) {
  console.error('usage: node bench/web/dashboard.mjs ZONEGATE DATA_DIR [RUNS (10)]');
  process.exit(2);
}
const binary = resolve(binaryArg);
const data = resolve(dataArg);
const runs = Number(runsArg || 10);
const viewTimeoutMs = Number(process.env.ZG_BENCH_VIEW_TIMEOUT_MS || 120000);
const startTimeoutMs = Number(process.env.ZG_BENCH_START_TIMEOUT_MS || 1800000);
const baselineScale = process.env.ZG_BENCH_BASELINE_SCALE || '0.05';
if (!Number.isInteger(runs) || runs < 1) {
  console.error(`dashboard bench: RUNS must be a whole number above 0, not ${runsArg}`);
  process.exit(2);
}
if (!existsSync(join(data, 'journal.db'))) {
  console.error(`dashboard bench: ${data} is not a zone's data directory (no journal.db)`);
  process.exit(2);
}

const zonegate = (...args) => execFileSync(binary, args, { encoding: 'utf8' });
const ms = (value) => `${Math.round(value)} ms`;
const quantile = (values, q) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
};
const median = (values) => quantile(values, 0.5);
const rss = (pid) => {
  try {
    const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]);
    return `${(kb / 1024).toFixed(0)} MiB`;
  } catch { return '–'; }
};
const ratio = (a, b) => (b > 0 ? `${(a / b).toFixed(1)}×` : '–');

// An officer token valid a day: its secret and its id (to revoke).
function officerToken(dir) {
  const printed = zonegate('token', 'create', '--data', dir, '--role', 'officer', '--days', '1',
    '--note', 'bench/web/dashboard').trim().split('\n');
  return { token: printed.at(-1), id: printed.find((l) => l.startsWith('id: ')).slice(4) };
}

// Stops a child process: SIGTERM, then SIGKILL if it has not exited within
// `graceMs`. One ended by a signal has a signalCode and an exitCode of null,
// so both say whether it has exited.
async function stop(child, graceMs = 30000) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

// The server over `dir`, added to `zones` (so stopped at the end) as soon
// as it listens: how long until it said it listens and until /health
// answered, and each request's own time from its log (route, µs).
async function startZone(name, dir) {
  const started = performance.now();
  const { server, port } = await serve(binary, ['--data', dir], { timeout: startTimeoutMs });
  const listening = performance.now() - started;
  const base = `http://127.0.0.1:${port}`;
  const zone = { name, dir, server, base, listening, log: [] };
  zones.push(zone);
  // Bounded, and given up when the server exits: a loop that waited for a
  // dead server's /health would never end.
  for (;;) {
    if (server.exitCode !== null || server.signalCode !== null) {
      throw new Error(`the ${name} server exited (${server.exitCode ?? server.signalCode}) ` +
        'before /health answered');
    }
    if (performance.now() - started > startTimeoutMs) {
      throw new Error(`the ${name} server's /health did not answer within ${startTimeoutMs / 1000} s ` +
        '(ZG_BENCH_START_TIMEOUT_MS)');
    }
    try {
      if ((await fetch(`${base}/health`)).ok) break;
    } catch { /* not yet */ }
    await new Promise((r) => setTimeout(r, 20));
  }
  zone.healthy = performance.now() - started;
  let partial = '';
  server.stderr.on('data', (chunk) => {
    const lines = (partial + chunk).split('\n');
    partial = lines.pop();
    for (const line of lines) {
      try {
        const entry = JSON.parse(line);
        if (entry.route && entry.micros !== undefined) zone.log.push(entry);
      } catch { /* not a request line */ }
    }
  });
  return zone;
}

// One first view: fresh context, log in, then #/dashboard.
async function firstView(browser, zone, token) {
  const context = await newContext(browser);
  try {
    const page = await logIn(context, zone.base, token);
    const scriptErrors = [];
    page.on('pageerror', (e) => scriptErrors.push(String(e.message || e)));
    await page.waitForSelector('#queue, #queue-empty, .view .error',
      { timeout: Math.max(viewTimeoutMs, 120000) });
    const shown = page.evaluate((timeoutMs) => new Promise((done) => {
      performance.clearResourceTimings();
      const main = document.getElementById('main');
      let finished = false;
      const finish = (outcome) => {
        if (finished) return;
        finished = true;
        observer.disconnect();
        const filled = performance.now() - t0;
        const requests = performance.getEntriesByType('resource')
          .filter((r) => new URL(r.name).pathname.startsWith('/v1/'))
          .map((r) => ({ path: new URL(r.name).pathname, server: r.responseStart - r.requestStart,
            total: r.responseEnd - r.startTime, end: r.responseEnd - t0, bytes: r.encodedBodySize }));
        const answered = Math.max(0, ...requests.map((r) => r.end));
        requestAnimationFrame(() => setTimeout(() => done({ ...outcome, filled, answered,
          painted: performance.now() - t0, requests }), 0));
      };
      const check = () => {
        const error = main.querySelector('#figures > p.error, .view > p.error, #login');
        if (error) finish({ error: error.textContent.trim() || 'the login page came back' });
        else if (main.querySelector('#figures #crossings')) finish({});
      };
      const observer = new MutationObserver(check);
      observer.observe(main, { childList: true, subtree: true });
      setTimeout(() => finish({ error: 'timeout', loading: main.innerText.replace(/\s+/g, ' ').slice(0, 300) }), timeoutMs);
      const t0 = performance.now();
      location.hash = '#/dashboard';
    }), viewTimeoutMs);
    const result = await shown;
    if (result.error === 'timeout') {
      throw new Error(`the dashboard's first view on ${zone.name} did not complete within ` +
        `${viewTimeoutMs / 1000} s (ZG_BENCH_VIEW_TIMEOUT_MS); the page shows: ${result.loading}`);
    }
    if (result.error) throw new Error(`the dashboard on ${zone.name} shows an error: ${result.error}`);
    if (scriptErrors.length) {
      throw new Error(`a script error on the dashboard on ${zone.name}: ${scriptErrors.join('; ')}`);
    }
    return result;
  } finally {
    await context.close();
  }
}

const work = mkdtempSync(join(tmpdir(), 'zonegate-dash-bench-'));
const zones = [];
let dataToken = null;
let browser = null;
let failed = false;

// The end, whichever comes first (the run's end or a signal), done once:
// the browser closed, the servers stopped, DATA_DIR's token revoked.
let cleaning = null;
const cleanup = () => (cleaning ??= (async () => {
  if (browser) await browser.close().catch(() => {});
  await Promise.all(zones.map((z) => stop(z.server)));
  // Tried again a few times: the binary may be being rebuilt meanwhile.
  for (let attempt = 1; dataToken && attempt <= 5; attempt += 1) {
    try {
      zonegate('token', 'revoke', '--data', data, dataToken.id);
      dataToken = null;
    } catch (e) {
      if (attempt === 5) {
        console.error(`dashboard bench: could not revoke token ${dataToken.id} in ${data} ` +
          `(zonegate token revoke --data ${data} ${dataToken.id}): ${e.message}`);
      } else {
        await new Promise((r) => setTimeout(r, 2000));
      }
    }
  }
  rmSync(work, { recursive: true, force: true });
})());
// Interrupted (^C, a timeout's SIGTERM): the same end, so no day-long
// officer token is left in DATA_DIR and no server or browser runs on.
for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]]) {
  process.once(signal, async () => {
    console.error(`dashboard bench: ${signal}: stopping the servers, revoking the token`);
    await cleanup();
    process.exit(code);
  });
}

try {
  const size = spawnSync('du', ['-sh', data], { encoding: 'utf8' }).stdout.split('\t')[0];
  const journal = spawnSync('du', ['-sh', join(data, 'journal.db')], { encoding: 'utf8' })
    .stdout.split('\t')[0];
  console.log(`data: ${data}: ${size} (journal ${journal})`);

  const baselineDir = join(work, 'baseline');
  let t = performance.now();
  zonegate('simulate', '--data', baselineDir, '--scale', baselineScale,
    '--pack', join(root, 'policies/hengqin'));
  console.log(`baseline: simulate --scale ${baselineScale} in ${ms(performance.now() - t)}: ` +
    `${spawnSync('du', ['-sh', baselineDir], { encoding: 'utf8' }).stdout.split('\t')[0]}`);
  const baselineToken = officerToken(baselineDir).token;
  dataToken = officerToken(data);

  const baseline = await startZone('baseline', baselineDir);
  const target = await startZone('data', data);
  for (const z of zones) {
    console.log(`server start (${z.name}): listening after ${ms(z.listening)}, ` +
      `/health answered after ${ms(z.healthy)}`);
  }
  console.log(`start ratio data/baseline: ${ratio(target.healthy, baseline.healthy)}`);

  browser = await launchIncognito();
  const tokens = new Map([[baseline, baselineToken], [target, dataToken.token]]);
  const results = new Map(zones.map((z) => [z, []]));
  // A first view each, not counted: the browser's and the servers' first.
  for (const z of zones) {
    const r = await firstView(browser, z, tokens.get(z));
    console.log(`warm-up ${z.name}: filled ${ms(r.filled)}, painted ${ms(r.painted)} (not counted)`);
  }
  for (let run = 1; run <= runs; run += 1) {
    const line = [];
    for (const z of zones) {
      const r = await firstView(browser, z, tokens.get(z));
      results.get(z).push(r);
      line.push(`${z.name} answered ${ms(r.answered)} filled ${ms(r.filled)} painted ${ms(r.painted)}`);
    }
    console.log(`run ${String(run).padStart(2)}: ${line.join(' | ')}`);
  }

  console.log(`\nfirst view of #/dashboard, ${runs} runs (target: data's under 1000 ms):`);
  const summary = {};
  for (const z of zones) {
    const of = (key) => results.get(z).map((r) => r[key]);
    const painted = of('painted');
    summary[z.name] = { painted: median(painted), p90: quantile(painted, 0.9) };
    console.log(`  ${z.name.padEnd(8)} painted median ${ms(median(painted))}, p90 ` +
      `${ms(quantile(painted, 0.9))} (last answer median ${ms(median(of('answered')))}, ` +
      `filled ${ms(median(of('filled')))}); server memory ${rss(z.server.pid)}`);
  }
  console.log(`  ratio data/baseline: painted median ${ratio(summary.data.painted,
    summary.baseline.painted)}, p90 ${ratio(summary.data.p90, summary.baseline.p90)}`);

  // Each request the dashboard made: the browser's view (request sent to
  // first byte: the server's time plus a loopback hop) and the server's
  // request log (µs; reads queue on the zone's one thread, so the five share
  // one another's time), medians over the counted runs.
  const perPath = (z) => {
    const paths = new Map();
    for (const r of results.get(z)) {
      for (const q of r.requests) {
        if (!paths.has(q.path)) paths.set(q.path, { server: [], total: [], bytes: [] });
        const p = paths.get(q.path);
        p.server.push(q.server);
        p.total.push(q.total);
        p.bytes.push(q.bytes);
      }
    }
    return paths;
  };
  const logged = (z, path) => {
    const micros = z.log.filter((e) => e.route === path).map((e) => e.micros);
    return micros.length ? median(micros) / 1000 : NaN;
  };
  const dataPaths = perPath(target);
  const basePaths = perPath(baseline);
  console.log('\nrequests (medians; "to first byte" is Resource Timing responseStart - requestStart,' +
    ' "server log" its time in the server by its request log, waiting for the zone\'s one thread included):');
  console.log(`  ${'route'.padEnd(20)} ${'to first byte'.padStart(14)} ${'whole'.padStart(8)} ` +
    `${'server log'.padStart(11)} ${'bytes'.padStart(10)} ${'vs baseline'.padStart(12)}`);
  let slowest = null;
  for (const [path, p] of [...dataPaths.entries()].sort()) {
    const first = median(p.server);
    const b = basePaths.get(path);
    const count = p.server.length / runs;
    console.log(`  ${(path + (count > 1 ? ` ×${count}` : '')).padEnd(20)} ${ms(first).padStart(14)} ` +
      `${ms(median(p.total)).padStart(8)} ${(Number.isNaN(logged(target, path)) ? '–'
        : `${logged(target, path).toFixed(1)} ms`).padStart(11)} ${String(median(p.bytes)).padStart(10)} ` +
      `${(b ? ratio(first, median(b.server)) : '–').padStart(12)}`);
    if (!slowest || first > slowest.first) slowest = { path, first };
  }
  if (slowest) console.log(`  slowest: ${slowest.path} (${ms(slowest.first)} to first byte)`);
  if (summary.data.painted >= 1000) {
    console.log(`\nOVER TARGET: the dashboard's first view took ${ms(summary.data.painted)} ` +
      '(median) on this directory; the target is under 1000 ms');
  }
} catch (e) {
  failed = true;
  // After a signal, the error is only the closed browser's: not worth a line.
  if (!cleaning) console.error(`dashboard bench: ${e.message || e}`);
} finally {
  await cleanup();
}
process.exit(failed ? 1 : 0);
