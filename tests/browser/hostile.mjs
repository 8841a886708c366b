#!/usr/bin/env node
// Nothing a member writes runs in a reader's browser: every page built from
// tests/fixtures/hostile (script tags, event handlers, javascript: and data: URLs in every
// spelling, SVG and MathML tricks, HTML in front matter and member names) is loaded in
// Chromium with traps set before any script of the page runs. Every payload in the fixture
// sets window.__pwned or opens a dialog if it ever runs. Usage (like suite.mjs):
//
//   node hostile.mjs --dir BUILD_DIR [--name hostile] [--base-path /] [--chromium PATH]
//
// Per page it checks:
//   runtime     no script error, no request to another host
//   dom         no on* attribute anywhere; every href/src/action/data resolves (by the
//               browser's own URL parser) to http, https, mailto or tel; every script is
//               the theme's (a same-origin .js file, or JSON data)
//   events      the events inline handlers would listen for, dispatched on every element
//               of the member's text, run nothing
//   traps       window.__pwned was never set, no alert/confirm/prompt/print/open, no dialog
// and on the search page the same after searching for words from the payloads, and on
// the page that compares any two years with a comparison shown.
// Prints one line per failure, then "N passed, M failed" as the last line; exits 1 if any
// check failed.
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { startServer } from './lib/server.mjs';

const { values: opt } = parseArgs({
  options: {
    dir: { type: 'string' },
    name: { type: 'string', default: 'hostile' },
    'base-path': { type: 'string', default: '/' },
    chromium: { type: 'string', default: process.env.CHROMIUM || '/usr/bin/chromium' },
  },
});
if (!opt.dir) {
  console.error('usage: node hostile.mjs --dir BUILD_DIR [--name NAME] [--base-path /]');
  process.exit(2);
}
const ROOT = path.resolve(opt.dir);
let BASE = opt['base-path'];
if (!BASE.startsWith('/')) BASE = '/' + BASE;
if (!BASE.endsWith('/')) BASE += '/';

let passed = 0;
let failed = 0;
function oneLine(s, max = 300) {
  s = String(s ?? '').replace(/\s+/g, ' ').trim();
  return s.length > max ? s.slice(0, max - 1) + '…' : s;
}
async function check(kind, page, fn) {
  try {
    const problems = (await fn()) || [];
    if (!problems.length) { passed++; return; }
    failed++;
    for (const p of problems) console.log(`FAIL [${opt.name}] hostile/${kind}: ${page} | ${oneLine(p)}`);
  } catch (e) {
    failed++;
    console.log(`FAIL [${opt.name}] hostile/${kind}: ${page} | suite-error | ${oneLine(e.stack || e.message)}`);
  }
}

/** Every HTML page of the build, as URL paths. */
function pages(dir, rel = '') {
  const out = [];
  for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...pages(dir, r));
    else if (e.name.endsWith('.html')) out.push(BASE + r.replace(/(^|\/)index\.html$/, '$1'));
  }
  return out.sort();
}

// Runs in every page before its own scripts: anything a payload does is written down.
function traps() {
  const log = [];
  Object.defineProperty(window, '__hostileLog', { value: log });
  Object.defineProperty(window, '__pwned', {
    configurable: false,
    get() { return undefined; },
    set(v) { log.push(`window.__pwned = ${String(v)}`); },
  });
  for (const name of ['alert', 'confirm', 'prompt', 'print', 'open']) {
    Object.defineProperty(window, name, {
      configurable: false,
      writable: false,
      value: (...args) => { log.push(`${name}(${args.map(String).join(', ')})`); },
    });
  }
}

// In the page: attributes that could run code or load something unsafe.
function domProblems() {
  const problems = [];
  const SAFE = new Set(['http:', 'https:', 'mailto:', 'tel:']);
  const URL_ATTRS = ['href', 'src', 'action', 'formaction', 'data', 'poster', 'xlink:href', 'background', 'srcdoc'];
  const describe = (el) => el.outerHTML.slice(0, 160);
  for (const el of document.querySelectorAll('*')) {
    for (const a of el.attributes) {
      const name = a.name.toLowerCase();
      if (name.startsWith('on')) problems.push(`event-handler | ${name} | ${describe(el)}`);
      if (name === 'srcdoc') problems.push(`srcdoc | ${describe(el)}`);
      if (URL_ATTRS.includes(name) && name !== 'srcdoc') {
        let protocol;
        try { protocol = new URL(a.value, document.baseURI).protocol; } catch { continue; }
        if (!SAFE.has(protocol)) problems.push(`unsafe-url | ${name}=${a.value} | ${describe(el)}`);
      }
    }
    if (el.localName === 'script') {
      const src = el.getAttribute('src');
      const json = el.getAttribute('type') === 'application/json';
      let ours = false;
      if (src) {
        try {
          const u = new URL(src, document.baseURI);
          ours = u.origin === location.origin && u.pathname.endsWith('.js');
        } catch { /* not ours */ }
      }
      if (!json && !ours) problems.push(`foreign-script | ${describe(el)}`);
    }
    if (['iframe', 'object', 'embed', 'frame', 'base'].includes(el.localName)) {
      problems.push(`embedding-element | ${describe(el)}`);
    }
  }
  return problems;
}

// In the page: fire what inline handlers listen for on every element of member text.
function fireEvents() {
  const TYPES = ['mouseover', 'mouseenter', 'mouseout', 'mousemove', 'focus', 'focusin', 'blur',
    'click', 'dblclick', 'error', 'load', 'toggle', 'animationstart', 'animationend',
    'transitionend', 'pointerdown', 'pointerover', 'keydown', 'input', 'change', 'scroll',
    'begin', 'start', 'finish'];
  // Links and buttons in the text are not followed.
  const stop = (e) => e.preventDefault();
  window.addEventListener('click', stop, true);
  window.addEventListener('submit', stop, true);
  const content = document.querySelectorAll(
    '.report-body *, article.prose *, .lead *, .answer-body *, .diff *');
  let fired = 0;
  for (const el of content) {
    for (const type of TYPES) {
      el.dispatchEvent(new Event(type, { bubbles: true, cancelable: true }));
      fired++;
    }
  }
  window.removeEventListener('click', stop, true);
  window.removeEventListener('submit', stop, true);
  return fired;
}

const server = await startServer(ROOT, BASE);
const browser = await chromium.launch({
  executablePath: opt.chromium,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
});
const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 }, reducedMotion: 'reduce' });
await ctx.addInitScript(traps);

/** Opens `url` with its own record of errors, dialogs and requests. */
async function open(url) {
  const page = await ctx.newPage();
  const seen = { errors: [], dialogs: [], foreign: [] };
  page.on('pageerror', (e) => seen.errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') seen.errors.push(m.text()); });
  page.on('dialog', async (d) => { seen.dialogs.push(`${d.type()}: ${d.message()}`); await d.dismiss(); });
  page.on('request', (r) => {
    const u = new URL(r.url());
    if (u.origin !== server.origin && u.protocol !== 'data:') seen.foreign.push(r.url());
  });
  await page.goto(url, { waitUntil: 'load' });
  // Give deferred scripts and timers a moment.
  await page.waitForTimeout(150);
  return { page, seen };
}

async function checkPage(label, page, seen, { events = true } = {}) {
  await check('dom', label, () => page.evaluate(domProblems));
  if (events) {
    await check('events', label, async () => {
      const fired = await page.evaluate(fireEvents);
      await page.waitForTimeout(50);
      return fired >= 0 ? [] : ['no events fired'];
    });
  }
  await check('runtime', label, () => [
    ...seen.errors.map((e) => `js-error | ${e}`),
    ...seen.foreign.map((u) => `external-request | ${u}`),
  ]);
  await check('traps', label, async () => [
    ...(await page.evaluate(() => window.__hostileLog.slice())).map((l) => `script-ran | ${l}`),
    ...seen.dialogs.map((d) => `dialog | ${d}`),
  ]);
}

const all = pages(ROOT);
console.log(`== ${opt.name}: ${all.length} pages from ${ROOT}, served at ${server.origin}${BASE}`);
if (!all.some((p) => p.includes('/medlemmer/skadelig-as/2024/'))) {
  failed++;
  console.log(`FAIL [${opt.name}] hostile/setup: ${ROOT} | not the hostile fixture (no /medlemmer/skadelig-as/2024/)`);
}
for (const p of all) {
  const { page, seen } = await open(server.origin + p);
  await checkPage(p, page, seen);
  await page.close();
}

// The page that compares any two years: the browser draws the payloads' text from
// rapport.json; shown for the member's first and last year, it must stay text.
for (const p of all.filter((x) => /\/medlemmer\/[^/]+\/sammenlign\/$/.test(x))) {
  const data = /<script type="application\/json" id="sammenligning-data">([\s\S]*?)<\/script>/
    .exec(fs.readFileSync(path.join(ROOT, p.slice(BASE.length), 'index.html'), 'utf8'));
  const years = JSON.parse(data[1]).years.map((y) => y.year);
  const label = `${p}#${years[0]}-${years[years.length - 1]}`;
  const { page, seen } = await open(server.origin + label);
  await check('compare', label, async () => {
    await page.waitForSelector('#resultat-tittel', { timeout: 15000 });
    return (await page.locator('#sammenligning-resultat .diff').count()) ? [] : ['no changes shown'];
  });
  await checkPage(label, page, seen);
  await page.close();
}

// Search: the index holds the payloads as text; the results must show them as text.
const sok = BASE + 'sok/';
if (all.includes(sok)) {
  for (const q of ['pwned', 'script', 'onerror', 'Skadelig', 'alert', 'img']) {
    const label = `${sok}?q=${q}`;
    const { page, seen } = await open(server.origin + sok);
    await check('search', label, async () => {
      const field = page.locator('main input[type="search"]').first();
      if (!(await field.count())) return ['no search field in main'];
      await field.fill(q);
      await field.press('Enter');
      await page.waitForTimeout(600);
      return [];
    });
    await checkPage(label, page, seen, { events: false });
    await page.close();
  }
}

await browser.close();
await server.close();
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
