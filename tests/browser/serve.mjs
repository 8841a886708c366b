#!/usr/bin/env node
// Live reload in a real browser: starts `aktsom serve` on a copy of tests/fixtures/minimal,
// opens a report page in Chromium, edits the report's file and checks that the page
// reloads with the new text and keeps its scroll position; breaks the file and checks the
// error overlay (role="alert", file:line:column, the offending line; axe-core in light and
// dark mode; Escape hides it); fixes it; and restarts the server with an edit made while it
// was down, which the open tab must pick up when it reconnects.
//
//   AKTSOM_BIN=target/release/aktsom node serve.mjs [--chromium /usr/bin/chromium]
//
// Prints one line per failure, then "N passed, M failed" as the last line; exits 1 if any
// check failed. Every wait is bounded.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { AxeBuilder } from '@axe-core/playwright';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(HERE, '..', '..');
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'];
const WAIT = 30_000;
const REPORT = 'content/members/alfa-kommune/2024.md';
const PAGE = '/medlemmer/alfa-kommune/2024/';

const { values: opt } = parseArgs({
  options: {
    chromium: { type: 'string', default: process.env.CHROMIUM || '/usr/bin/chromium' },
    bin: { type: 'string', default: process.env.AKTSOM_BIN || path.join(REPO, 'target/release/aktsom') },
  },
});
if (!fs.existsSync(opt.bin)) {
  console.error(`no aktsom binary at ${opt.bin}: build it or set AKTSOM_BIN`);
  process.exit(2);
}

const results = [];
function check(what, ok, detail = '') {
  results.push({ what, ok: !!ok, detail });
}

// A hung server or browser fails the run instead of hanging CI.
const watchdog = setTimeout(() => {
  console.log('FAIL [serve] the browser test did not finish in 5 minutes');
  console.log(`${results.filter((r) => r.ok).length} passed, ${results.filter((r) => !r.ok).length + 1} failed`);
  process.exit(1);
}, 300_000);
watchdog.unref();

// ---------------------------------------------------------------------------------------
// The server

/**
 * Starts `aktsom serve` and resolves with {child, url, built} once it serves (its first
 * build may still be running; `built` resolves when it is over).
 */
function startServe(root, port) {
  return new Promise((resolve, reject) => {
    const child = spawn(opt.bin, ['serve', '--root', root, '--port', String(port)], {
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    let done;
    const built = new Promise((r) => { done = r; });
    const timer = setTimeout(() => reject(new Error(`aktsom serve did not start:\n${out}\n${err}`)), WAIT);
    const over = () => /^Built in /m.test(out) || err.includes('could not be built');
    child.stderr.on('data', (d) => { err += d; if (over()) done(); });
    child.stdout.on('data', (d) => {
      out += d;
      if (over()) done();
      const m = out.match(/Serving .* at (http:\/\/127\.0\.0\.1:\d+\/)/);
      if (m) { clearTimeout(timer); resolve({ child, url: m[1], built, output: () => out + err }); }
    });
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`aktsom serve exited (${code}):\n${out}\n${err}`)); });
  });
}

/** Stops the server with SIGTERM (so it removes its temporary folder) and waits. */
function stopServe(server) {
  return new Promise((resolve) => {
    if (!server || server.child.exitCode !== null) return resolve();
    server.child.removeAllListeners('exit');
    const timer = setTimeout(() => { server.child.kill('SIGKILL'); resolve(); }, 10_000);
    server.child.on('exit', () => { clearTimeout(timer); resolve(); });
    server.child.kill('SIGTERM');
  });
}

/** Saves a file the way many editors do: a new file renamed over the old one. */
function save(file, text) {
  fs.writeFileSync(file + '.tmp', text);
  fs.renameSync(file + '.tmp', file);
}

const axe = (page) => new AxeBuilder({ page })
  .withTags(AXE_TAGS)
  .options({ resultTypes: ['violations'] })
  .setLegacyMode(true);

function violations(result) {
  return result.violations.map((v) => `${v.id} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
}

// ---------------------------------------------------------------------------------------
// The test

const site = fs.mkdtempSync(path.join(os.tmpdir(), 'aktsom-serve-browser-'));
fs.cpSync(path.join(REPO, 'tests/fixtures/minimal'), site, { recursive: true });
const large = fs.mkdtempSync(path.join(os.tmpdir(), 'aktsom-serve-browser-large-'));
const report = path.join(site, REPORT);
const original = fs.readFileSync(report, 'utf8');
// A longer report, so that the page scrolls and the position kept means something.
const filler = Array.from({ length: 40 }, (_, i) => `Avsnitt ${i + 1} om kartleggingen av leverandørkjeden.`).join('\n\n');
save(report, original.replace('Forordet for 2024.', `Forordet for 2024.\n\n${filler}`));

let server;
let browser;
try {
  server = await startServe(site, 0);
  await server.built;
  const port = new URL(server.url).port;
  browser = await chromium.launch({
    executablePath: opt.chromium,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
  });
  const context = await browser.newContext({ viewport: { width: 800, height: 600 }, colorScheme: 'light' });
  const page = await context.newPage();
  const connected = () => page.waitForResponse((r) => r.url().endsWith('/__aktsom/events'), { timeout: WAIT });

  // 1. Open the report page; it connects to the event stream.
  let stream = connected();
  await page.goto(server.url.replace(/\/$/, '') + PAGE, { timeout: WAIT });
  await stream;
  check('the report page opens from aktsom serve', (await page.textContent('h1'))?.includes('2024'));

  // 2. Scroll down, edit the report: the page reloads with the new text, at the same place.
  await page.evaluate(() => window.scrollTo(0, 700));
  const before = await page.evaluate(() => window.scrollY);
  check('the page scrolls (the test means something)', before > 300, `scrollY ${before}`);
  let loaded = page.waitForEvent('load', { timeout: WAIT });
  stream = connected();
  save(report, fs.readFileSync(report, 'utf8').replace('Forordet for 2024.', 'Forordet er endret.'));
  await loaded;
  await stream;
  check('the page reloads with the new text after the file is saved',
    (await page.textContent('main')).includes('Forordet er endret.'));
  const kept = await page.waitForFunction((y) => Math.abs(window.scrollY - y) <= 2 ? window.scrollY : false, before, { timeout: 5000 })
    .then((h) => h.jsonValue()).catch(() => page.evaluate(() => window.scrollY));
  check('the reloaded page keeps its scroll position', Math.abs(kept - before) <= 2, `before ${before}, after ${kept}`);

  // 3. A broken edit: the error overlay appears without a reload and says where and what.
  const goodText = fs.readFileSync(report, 'utf8');
  let reloads = 0;
  page.on('load', () => { reloads += 1; });
  save(report, goodText.replace('year = 2024', 'yaer = 2024'));
  const overlay = await page.waitForSelector('#aktsom-live [role="alert"]', { timeout: WAIT }).catch(() => null);
  check('a broken edit shows the error overlay (role="alert")', overlay);
  if (overlay) {
    const text = await overlay.textContent();
    check('the overlay names the file, line and column',
      text.includes('content/members/alfa-kommune/2024.md') && text.includes('linje 2, kolonne 1'), text);
    check('the overlay has the message and the offending line',
      text.includes('unknown key `yaer`') && text.includes('yaer = 2024'), text);
    check('the last good page stays in place under the overlay',
      reloads === 0 && (await page.textContent('main')).includes('Forordet er endret.'));
    for (const scheme of ['light', 'dark']) {
      await page.emulateMedia({ colorScheme: scheme });
      const r = await axe(page).analyze();
      check(`axe finds nothing on the page with the overlay (${scheme})`, r.violations.length === 0, violations(r).join('; '));
    }
    await page.emulateMedia({ colorScheme: 'light' });
    // Keyboard: the close button is reachable and Escape hides the overlay.
    await page.focus('.aktsom-live-close');
    const focused = await page.evaluate(() => document.activeElement?.className);
    check('the overlay\'s close button takes keyboard focus', focused === 'aktsom-live-close', focused);
    await page.keyboard.press('Escape');
    check('Escape hides the overlay', (await page.$('#aktsom-live')) === null);
  }

  // 4. The fix: the page reloads, without the overlay.
  loaded = page.waitForEvent('load', { timeout: WAIT });
  stream = connected();
  save(report, goodText.replace('Forordet er endret.', 'Forordet er rettet.'));
  await loaded;
  await stream;
  check('the fix reloads the page with the new text', (await page.textContent('main')).includes('Forordet er rettet.'));
  check('the fix clears the overlay', (await page.$('#aktsom-live')) === null);

  // 5. The server stops, the file changes, the server starts again on the same port:
  //    the open tab reconnects, sees a different build and reloads.
  await stopServe(server);
  server = null;
  save(report, goodText.replace('Forordet er endret.', 'Skrevet mens serveren var nede.'));
  server = await startServe(site, port);
  // (If it reconnects while the first build runs, it may pass through a page of that
  // build first.)
  const picked = await page.waitForFunction(
    () => document.querySelector('main')?.textContent.includes('Skrevet mens serveren var nede.'),
    null, { timeout: WAIT }).then(() => true).catch(() => false);
  check('a tab that reconnects after a restart reloads when the build changed', picked);
  await server.built;

  // 6. A site whose first build fails: the preview's own page says so, with the overlay,
  //    and passes axe (the page a page not built yet gets has the same markup).
  await stopServe(server);
  server = null;
  save(report, goodText.replace('year = 2024', 'year = "i fjor"'));
  server = await startServe(site, 0);
  await server.built;
  await page.goto(server.url, { timeout: WAIT }).catch(() => null);
  check('a site that does not build shows the overlay on the preview\'s own page',
    (await page.$('#aktsom-live [role="alert"]')) !== null && (await page.textContent('h1')).length > 0);
  for (const scheme of ['light', 'dark']) {
    await page.emulateMedia({ colorScheme: scheme });
    const r = await axe(page).analyze();
    check(`axe finds nothing on the preview's own page (${scheme})`, r.violations.length === 0, violations(r).join('; '));
  }
  await page.emulateMedia({ colorScheme: 'light' });
  await stopServe(server);
  server = null;
  save(report, goodText);

  // 7. A larger site, opened before its first build is over: a page not made yet says
  //    so and turns into the page by itself.
  //    (The sample site, each member 30 times.)
  fs.cpSync(path.join(REPO, 'site.toml'), path.join(large, 'site.toml'));
  fs.cpSync(path.join(REPO, 'report-templates'), path.join(large, 'report-templates'), { recursive: true });
  for (const dir of fs.readdirSync(path.join(REPO, 'content/members'))) {
    for (let i = 0; i < 30; i += 1) {
      fs.cpSync(path.join(REPO, 'content/members', dir), path.join(large, 'content/members', `${dir}-${i}`), { recursive: true });
    }
  }
  server = await startServe(large, 0);
  const first = await page.goto(server.url + 'sok/', { timeout: WAIT }).catch(() => null);
  const wasBuilding = first?.status() === 503;
  if (wasBuilding) {
    // Checked as served, in a tab of its own: this one turns into the page meanwhile.
    const still = await context.newPage();
    await still.setContent(await first.text());
    check('a page not made yet says that it is being made',
      (await still.$('[data-aktsom-building]')) !== null && (await still.textContent('h1')).includes('bygges'));
    for (const scheme of ['light', 'dark']) {
      await still.emulateMedia({ colorScheme: scheme });
      const r = await axe(still).analyze();
      check(`axe finds nothing on the page being made (${scheme})`, r.violations.length === 0, violations(r).join('; '));
    }
    await still.close();
  }
  const arrived = await page.waitForFunction(
    () => document.querySelector('main') && !document.querySelector('[data-aktsom-building]')
      && document.querySelector('#sok-q'),
    null, { timeout: WAIT }).then(() => true).catch(() => false);
  check(`the search page opened ${wasBuilding ? 'while it was being made turns into the page' : 'is there'}`, arrived);
  await server.built;

  await context.close();
} catch (e) {
  check('the browser test ran to the end', false, e.stack || String(e));
} finally {
  if (browser) await browser.close().catch(() => {});
  await stopServe(server);
  fs.rmSync(site, { recursive: true, force: true });
  fs.rmSync(large, { recursive: true, force: true });
}

const failed = results.filter((r) => !r.ok);
for (const r of failed) console.log(`FAIL [serve] ${r.what}${r.detail ? ': ' + String(r.detail).replace(/\s+/g, ' ').slice(0, 600) : ''}`);
console.log(`   serve: live reload in Chromium, ${results.length} checks`);
console.log(`${results.length - failed.length} passed, ${failed.length} failed`);
process.exit(failed.length ? 1 : 0);
