// check-report.mjs — open a parevm report in headless Chromium and check
// that it renders: the expected SVG charts are in the DOM with a non-zero
// size, no console error, no uncaught exception, no log error, and no
// request other than the file itself (the page must be self-contained).
//
//   node scripts/check-report.mjs REPORT.html [--screenshot OUT.png]
//
// Speaks the DevTools protocol over --remote-debugging-pipe (fd 3: to the
// browser, fd 4: from it; messages are JSON terminated by NUL), so it
// needs no npm package. Env: CHROMIUM (default "chromium").
// Prints one line per check and "N passed, M failed"; exit 0 when all pass.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const args = process.argv.slice(2);
if (args.length < 1 || args[0].startsWith('-')) {
  console.error('usage: node scripts/check-report.mjs REPORT.html [--screenshot OUT.png]');
  process.exit(2);
}
const file = realpathSync(args[0]);
const shotIdx = args.indexOf('--screenshot');
const screenshot = shotIdx > 0 ? args[shotIdx + 1] : null;
const url = pathToFileURL(file).href;
const profile = mkdtempSync(join(tmpdir(), 'parevm-chromium-'));
const browser = spawn(process.env.CHROMIUM || 'chromium', [
  '--headless', '--no-sandbox', '--disable-gpu', '--remote-debugging-pipe',
  '--no-first-run', '--no-default-browser-check', '--disable-extensions',
  '--disable-background-networking', '--disable-sync', '--disable-component-update',
  `--user-data-dir=${profile}`, '--window-size=1400,2000', 'about:blank',
], { stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'] });
let browserLog = '';
browser.stderr.on('data', (d) => { browserLog += d; });
const toBrowser = browser.stdio[3], fromBrowser = browser.stdio[4];

let nextId = 1;
const pending = new Map();
const listeners = [];
let buffer = Buffer.alloc(0);
fromBrowser.on('data', (chunk) => {
  buffer = Buffer.concat([buffer, chunk]);
  for (let end; (end = buffer.indexOf(0)) >= 0;) {
    const msg = JSON.parse(buffer.subarray(0, end).toString('utf8'));
    buffer = buffer.subarray(end + 1);
    if (msg.id && pending.has(msg.id)) {
      const { resolve, reject } = pending.get(msg.id);
      pending.delete(msg.id);
      if (msg.error) reject(new Error(`${msg.error.message} (${msg.error.code})`));
      else resolve(msg.result);
    } else if (msg.method) {
      for (const l of listeners) l(msg);
    }
  }
});
function send(method, params = {}, sessionId) {
  const id = nextId++;
  const msg = { id, method, params };
  if (sessionId) msg.sessionId = sessionId;
  toBrowser.write(JSON.stringify(msg) + '\0');
  return new Promise((resolve, reject) => pending.set(id, { resolve, reject }));
}
function waitFor(method, timeoutMs) {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`timed out waiting for ${method}`)), timeoutMs);
    listeners.push((m) => { if (m.method === method) { clearTimeout(t); resolve(m.params); } });
  });
}

const problems = [];   // console errors, exceptions, log errors
const requests = [];   // every URL the page asked for
listeners.push((m) => {
  if (m.method === 'Runtime.exceptionThrown') {
    const d = m.params.exceptionDetails;
    problems.push(`uncaught exception: ${d.exception?.description || d.text}`);
  } else if (m.method === 'Runtime.consoleAPICalled' && (m.params.type === 'error' || m.params.type === 'assert')) {
    problems.push(`console.${m.params.type}: ${m.params.args.map((a) => a.value ?? a.description).join(' ')}`);
  } else if (m.method === 'Log.entryAdded' && m.params.entry.level === 'error') {
    problems.push(`log error (${m.params.entry.source}): ${m.params.entry.text} ${m.params.entry.url || ''}`);
  } else if (m.method === 'Network.requestWillBeSent') {
    requests.push(m.params.request.url);
  }
});

let passed = 0, failed = 0;
function check(ok, what) {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (ok) passed++; else failed++;
}

const watchdog = setTimeout(() => {
  console.error('check-report: timed out after 90 s');
  console.error(browserLog.split('\n').slice(-10).join('\n'));
  browser.kill('SIGKILL');
  process.exit(1);
}, 90000);

try {
  const { targetInfos } = await send('Target.getTargets');
  let page = targetInfos.find((t) => t.type === 'page');
  const targetId = page ? page.targetId : (await send('Target.createTarget', { url: 'about:blank' })).targetId;
  const { sessionId } = await send('Target.attachToTarget', { targetId, flatten: true });
  await send('Runtime.enable', {}, sessionId);
  await send('Log.enable', {}, sessionId);
  await send('Network.enable', {}, sessionId);
  await send('Page.enable', {}, sessionId);
  const loaded = waitFor('Page.loadEventFired', 60000);
  await send('Page.navigate', { url }, sessionId);
  await loaded;
  // let the layout settle and late errors arrive
  await new Promise((r) => setTimeout(r, 500));
  const probe = `(() => {
    const n = (s) => document.querySelectorAll(s).length;
    const sized = (s) => [...document.querySelectorAll(s)].every((e) => {
      const r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0; });
    return JSON.stringify({
      svg: n('svg'), rect: n('svg rect'), path: n('svg path'), polyline: n('svg polyline'),
      titles: n('svg title'), speedup: n('svg.speedup'), gantt: n('svg.gantt'), deps: n('svg.deps'),
      sections: n('section.block'), summaryRows: n('table.summary tbody tr'), hotTables: n('table.hot'),
      svgSized: sized('svg'), ganttBarsSized: [...document.querySelectorAll('svg.gantt rect')]
        .filter((e) => e.getBBox().width > 0).length,
      scripts: n('script'), external: n('link, img, iframe, object, embed'),
      engineTables: n('table.engines'),
      balGantts: [...document.querySelectorAll('h3')]
        .filter((h) => h.textContent === 'Schedule of the access-list-driven run').length,
    });
  })()`;
  const { result } = await send('Runtime.evaluate', { expression: probe, returnByValue: true }, sessionId);
  const d = JSON.parse(result.value);
  console.log(`rendered: ${d.svg} svg, ${d.rect} rect, ${d.path} path, ${d.polyline} polyline, ` +
    `${d.titles} tooltips; ${d.sections} block sections, ${d.summaryRows} summary rows`);
  check(d.sections > 0, `block sections present (${d.sections})`);
  check(d.speedup > 0, `speedup charts rendered (${d.speedup})`);
  check(d.gantt === d.sections + d.balGantts,
    `one Gantt chart per block, and one per list-driven run (${d.gantt}/${d.sections}+${d.balGantts})`);
  check(d.engineTables === 0 || d.balGantts > 0,
    `three-engine tables (${d.engineTables}) come with list-driven schedules (${d.balGantts})`);
  check(d.deps === d.sections, `one dependency graph per block (${d.deps}/${d.sections})`);
  check(d.summaryRows >= d.sections, `summary table has a row per block (${d.summaryRows})`);
  check(d.svgSized, 'every <svg> has a non-zero rendered size');
  check(d.ganttBarsSized > d.gantt * 2, `Gantt bars laid out (${d.ganttBarsSized} with width > 0)`);
  check(d.polyline >= 2 * d.speedup, `speedup and bound lines drawn (${d.polyline} polylines)`);
  check(d.scripts === 0 && d.external === 0, 'no <script>, <link>, <img> or embedded objects');
  const foreign = requests.filter((u) => u !== url);
  check(foreign.length === 0, `no request but the file itself${foreign.length ? ': ' + foreign.join(', ') : ''}`);
  check(problems.length === 0, `no console errors${problems.length ? ':\n  ' + problems.join('\n  ') : ''}`);
  if (screenshot) {
    const m = await send('Page.getLayoutMetrics', {}, sessionId);
    const h = Math.min(Math.ceil(m.cssContentSize?.height || 2000), 16000);
    await send('Emulation.setDeviceMetricsOverride', { width: 1400, height: h, deviceScaleFactor: 1, mobile: false }, sessionId);
    const { data } = await send('Page.captureScreenshot', { format: 'png' }, sessionId);
    writeFileSync(screenshot, Buffer.from(data, 'base64'));
    console.log(`screenshot: ${screenshot}`);
  }
  await send('Browser.close').catch(() => {});
} catch (e) {
  console.log(`FAIL ${e.message}`);
  failed++;
  const tail = browserLog.split('\n').filter((l) => l && !/dbus|Fontconfig/.test(l)).slice(-8).join('\n');
  if (tail) console.log(tail);
}
clearTimeout(watchdog);
browser.kill();
try { rmSync(profile, { recursive: true, force: true }); } catch { /* the browser may still hold it */ }
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
