#!/usr/bin/env node
// Browser gate for one built aktsom site: axe-core (light, dark, JavaScript off), the Nu Html
// Checker, internal links and anchors, keyboard use, reflow at 320 px and AAA body-text
// contrast. Usage (tests/browser/run calls it for every site):
//
//   node suite.mjs --dir BUILD_DIR [--name NAME] [--base-path /] [--site-url URL]
//                  [--checks axe,contrast,tables,links,html,keyboard,reflow,nojs,server]
//                  [--pages REGEX] [--expect-fail rule,rule,...] [--concurrency 4] [--json FILE]
//
// Prints one line per failure, then "N passed, M failed" as the last line; exits 1 if any
// check failed. With --expect-fail the site is meant to be broken: the failures are printed
// as EXPECTED, and the checks are instead "the gate failed" and "the gate reported RULE" for
// each rule listed.
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { AxeBuilder } from '@axe-core/playwright';
import { startServer, fetchRaw } from './lib/server.mjs';
import {
  installHelpers, collectLinks, tablesWithoutHeaders, lowContrastParagraphs,
  describeFocus, horizontalOverflow,
} from './lib/in-page.mjs';

const require = createRequire(import.meta.url);

const ALL_CHECKS = ['server', 'axe', 'contrast', 'tables', 'links', 'html', 'keyboard', 'reflow', 'nojs'];
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'];
// Rules outside those tags that we switch on in addition (nothing is switched off).
// td-has-header is WCAG 1.3.1 but tagged "experimental" in axe-core, so it is off by default.
const AXE_EXTRA_RULES = { 'td-has-header': { enabled: true } };
const AAA_BODY_TEXT = 7;
const TAB_STOPS = 15;
const NARROW = 320;

const { values: opt } = parseArgs({
  options: {
    dir: { type: 'string' },
    name: { type: 'string' },
    'base-path': { type: 'string', default: '/' },
    'site-url': { type: 'string' },
    checks: { type: 'string', default: ALL_CHECKS.join(',') },
    'expect-fail': { type: 'string' },
    concurrency: { type: 'string', default: '4' },
    json: { type: 'string' },
    pages: { type: 'string' },
    chromium: { type: 'string', default: process.env.CHROMIUM || '/usr/bin/chromium' },
    java: { type: 'string', default: process.env.JAVA || 'java' },
  },
});
if (!opt.dir) {
  console.error('usage: node suite.mjs --dir BUILD_DIR [--name NAME] [--base-path /] [--expect-fail rules]');
  process.exit(2);
}
const ROOT = path.resolve(opt.dir);
const NAME = opt.name || path.basename(ROOT);
let BASE = opt['base-path'];
if (!BASE.startsWith('/')) BASE = '/' + BASE;
if (!BASE.endsWith('/')) BASE += '/';
const CHECKS = new Set(opt.checks.split(',').map((s) => s.trim()).filter(Boolean));
for (const c of CHECKS) if (!ALL_CHECKS.includes(c)) { console.error(`unknown check: ${c}`); process.exit(2); }
const EXPECT = opt['expect-fail'] ? opt['expect-fail'].split(',').map((s) => s.trim()).filter(Boolean) : null;
const CONCURRENCY = Math.max(1, parseInt(opt.concurrency, 10) || 4);

// ---------------------------------------------------------------------------------------
// Results

/** @type {{kind: string, page: string, ok: boolean, failures: object[]}[]} */
const results = [];
const notes = [];

function record(kind, page, failures) {
  results.push({ kind, page, ok: failures.length === 0, failures });
}
function fail(rule, { selector = '', html = '', message = '', help = '' } = {}) {
  return { rule, selector, html, message, help };
}
function oneLine(s, max = 300) {
  s = String(s ?? '').replace(/\s+/g, ' ').trim();
  return s.length > max ? s.slice(0, max - 1) + '…' : s;
}
function failureLine(prefix, r, f) {
  const fields = [r.page, f.rule, f.selector, f.html, f.message, f.help].map((x) => oneLine(x)).filter(Boolean);
  return `${prefix} [${NAME}] ${r.kind}: ${fields.join(' | ')}`;
}

async function withTimeout(promise, ms, what) {
  let timer;
  const t = new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`timed out after ${ms / 1000} s: ${what}`)), ms); });
  try { return await Promise.race([promise, t]); } finally { clearTimeout(timer); }
}

async function pool(items, n, fn) {
  let next = 0;
  const workers = Array.from({ length: Math.min(n, items.length) }, async (_, worker) => {
    while (next < items.length) {
      const item = items[next++];
      await fn(item, worker);
    }
  });
  await Promise.all(workers);
}

// ---------------------------------------------------------------------------------------
// Pages of the build folder

function walk(dir) {
  const out = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...walk(p));
    else if (e.isFile() && e.name.endsWith('.html')) out.push(p);
  }
  return out;
}

function urlPathOf(file) {
  const rel = path.relative(ROOT, file).split(path.sep).join('/');
  if (rel === 'index.html') return BASE;
  if (rel.endsWith('/index.html')) return BASE + rel.slice(0, -'index.html'.length);
  return BASE + rel;
}

if (!fs.existsSync(path.join(ROOT, 'index.html'))) {
  console.error(`${ROOT} has no index.html: is it a built site?`);
  process.exit(2);
}
const PAGES = walk(ROOT).map((file) => ({ file, path: urlPathOf(file) }))
  .sort((a, b) => a.path.localeCompare(b.path));
const BY_PATH = new Map(PAGES.map((p) => [p.path, p]));
if (opt.pages) {
  // Only pages whose URL path matches, e.g. --pages '^/medlemmer/[^/]+/$' (links to other
  // pages are still checked against the whole build).
  const re = new RegExp(opt.pages);
  for (let i = PAGES.length - 1; i >= 0; i--) if (!re.test(PAGES[i].path)) PAGES.splice(i, 1);
  for (const k of [...BY_PATH.keys()]) if (!re.test(k)) BY_PATH.delete(k);
  if (!PAGES.length) { console.error(`no page matches --pages ${opt.pages}`); process.exit(2); }
}

/** The representative pages for the keyboard, reflow and no-JavaScript checks. */
function representativePages() {
  const has = (p) => BY_PATH.has(p);
  const set = [];
  const add = (label, p) => { if (p && has(p)) set.push({ label, path: p }); else notes.push(`no ${label} in this site: not in the keyboard/reflow/no-JS set`); };
  add('front page', BASE);
  add('members list', BASE + 'medlemmer/');
  const memberRe = new RegExp(`^${BASE}medlemmer/[^/]+/$`);
  const reportRe = new RegExp(`^${BASE}medlemmer/[^/]+/\\d{4}/$`);
  const yearRe = new RegExp(`^${BASE}ar/\\d{4}/$`);
  const members = PAGES.filter((p) => memberRe.test(p.path));
  const reportsOf = (m) => PAGES.filter((p) => reportRe.test(p.path) && p.path.startsWith(m.path)).length;
  members.sort((a, b) => reportsOf(b) - reportsOf(a) || a.path.localeCompare(b.path));
  add('member page', members[0]?.path);
  // The member's page that compares any two years, and its largest static comparison.
  add('comparison of any two years', members[0] && `${members[0].path}sammenlign/`);
  const comparisons = PAGES.filter((p) => members[0] && p.path.startsWith(`${members[0].path}sammenlign/`) && /\d{4}-\d{4}\/$/.test(p.path))
    .map((p) => ({ ...p, size: fs.statSync(p.file).size }))
    .sort((a, b) => b.size - a.size);
  add('comparison page', comparisons[0]?.path);
  // The largest report: the most sections, tables and links to tab through.
  const reports = PAGES.filter((p) => reportRe.test(p.path))
    .map((p) => ({ ...p, size: fs.statSync(p.file).size }))
    .sort((a, b) => b.size - a.size);
  add('report page', reports[0]?.path);
  const years = PAGES.filter((p) => yearRe.test(p.path)).sort((a, b) => b.path.localeCompare(a.path));
  add('year page', years[0]?.path);
  add('accessibility page', BASE + 'tilgjengelighet/');
  return set;
}

// ---------------------------------------------------------------------------------------
// Checks in the browser

// axe-core is preloaded into every tab of the axe contexts (context.addInitScript), and
// AxeBuilder gets a stub as its source: in legacy mode it would otherwise evaluate the
// 550 kB axe source twice per page, which made a page's check about 40 % slower.
// Legacy mode runs axe.run() in the page itself; the default mode finishes each run in
// a fresh blank tab, slower still. The site has no iframes, which legacy mode handles less
// well.
const AXE_SOURCE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const AXE_PRELOADED = 'if (typeof window.axe !== "object") throw new Error("axe-core was not preloaded into this page");';
async function axeContext(options) {
  const context = await browser.newContext(options);
  await context.addInitScript({ content: AXE_SOURCE });
  return context;
}
const axeBuilder = (page) => new AxeBuilder({ page, axeSource: AXE_PRELOADED })
  .withTags(AXE_TAGS)
  .options({ rules: AXE_EXTRA_RULES, resultTypes: ['violations'] })
  .setLegacyMode(true);

function axeFailures(result) {
  const out = [];
  for (const v of result.violations) {
    for (const node of v.nodes) {
      const msg = node.failureSummary?.replace(/^Fix (any|all) of the following:\s*/i, '') || v.help;
      out.push(fail(v.id, {
        selector: node.target.map((t) => (Array.isArray(t) ? t.join(' >>> ') : t)).join(', '),
        html: node.html,
        message: `${v.help} (${v.impact}): ${msg}`,
        help: v.helpUrl,
      }));
    }
  }
  return out;
}

/** A tab that is reused for many pages, noting failed requests and script errors. */
async function newTab(context) {
  const page = await context.newPage();
  page.__events = [];
  page.on('pageerror', (e) => page.__events.push(fail('js-error', { message: `uncaught ${e.name || 'error'}: ${e.message}` })));
  page.on('response', (r) => {
    if (r.url().startsWith(ORIGIN) && r.status() >= 400) {
      const req = r.request();
      page.__events.push(fail('resource-broken', { selector: req.resourceType(), message: `${r.url().slice(ORIGIN.length)} answered ${r.status()}` }));
    }
  });
  page.on('requestfailed', (req) => {
    // ERR_ABORTED: the load was cancelled, e.g. a late favicon request when the tab moved on.
    if (req.url().startsWith(ORIGIN) && req.failure()?.errorText !== 'net::ERR_ABORTED') page.__events.push(fail('resource-broken', { selector: req.resourceType(), message: `${req.url().slice(ORIGIN.length)} failed: ${req.failure()?.errorText}` }));
  });
  return page;
}

async function visit(page, urlPath) {
  page.__events.length = 0;
  const resp = await page.goto(ORIGIN + urlPath, { waitUntil: 'load', timeout: 30000 });
  await page.evaluate(installHelpers);
  return resp ? resp.status() : 0;
}

const linkData = new Map(); // page path → { refs, ids }

async function pageChecks(page, scheme, p) {
  const status = await visit(page, p.path);
  if (status !== 200) {
    record(`axe/${scheme}`, p.path, [fail('http-status', { message: `the page answered ${status}, expected 200` })]);
    return;
  }
  if (CHECKS.has('axe')) {
    const r = await withTimeout(axeBuilder(page).analyze(), 120000, `axe on ${p.path}`);
    record(`axe/${scheme}`, p.path, axeFailures(r));
  }
  if (CHECKS.has('contrast')) {
    const low = await page.evaluate(lowContrastParagraphs, AAA_BODY_TEXT);
    record(`contrast-aaa/${scheme}`, p.path, low.map((l) => fail(l.image ? 'contrast-aaa-background-image' : 'contrast-aaa-body-text', {
      selector: l.selector,
      html: l.html,
      message: l.image
        ? `paragraph over a background image (${l.image}): contrast cannot be computed; ${l.ratio}:1 against the colour behind it`
        : `body text contrast ${l.ratio}:1 (${l.fg} on ${l.bg}) is below ${AAA_BODY_TEXT}:1 (WCAG 1.4.6 AAA)`,
      help: 'https://www.w3.org/WAI/WCAG22/Understanding/contrast-enhanced.html',
    })));
  }
  if (scheme === 'light' && CHECKS.has('tables')) {
    const bad = await page.evaluate(tablesWithoutHeaders);
    record('tables', p.path, bad.map((b) => fail('table-has-header-cells', {
      selector: b.selector,
      html: b.html,
      message: 'a data table has no header cells (th): give it a header row or column (WCAG 1.3.1)',
      help: 'https://www.w3.org/WAI/tutorials/tables/',
    })));
  }
  if (scheme === 'light' && CHECKS.has('links')) {
    linkData.set(p.path, await page.evaluate(collectLinks));
    // Requests the page made itself (style sheets, scripts, fetches) and script errors.
    record('runtime', p.path, [...page.__events]);
  }
}

async function keyboardChecks(context, scheme, rep) {
  const page = await context.newPage();
  try {
    if (CHECKS.has('keyboard')) await skipAndFocus(page, scheme, rep);
    if (CHECKS.has('reflow')) await reflow(page, scheme, rep);
  } catch (e) {
    record(`keyboard/${scheme}`, rep.path, [fail('suite-error', { message: e.message })]);
  } finally {
    await page.close().catch(() => {});
  }
}

async function skipAndFocus(page, scheme, rep) {
  // The first Tab focuses the skip link; Enter moves focus to main.
  await page.goto(ORIGIN + rep.path, { waitUntil: 'load' });
  await page.evaluate(installHelpers);
  await page.keyboard.press('Tab');
  const first = await page.evaluate(() => {
    const el = document.activeElement;
    const T = window.__aktsomTest;
    const main = document.querySelector('main');
    const href = el?.getAttribute?.('href') || '';
    const target = href.startsWith('#') ? document.getElementById(decodeURIComponent(href.slice(1))) : null;
    return {
      selector: T.cssPath(el), html: T.snippet(el), href,
      isSkip: el?.localName === 'a' && Boolean(target) && target === main,
      targetSel: target ? T.cssPath(target) : null,
      hasMain: Boolean(main),
    };
  });
  const skip = [];
  if (!first.isSkip) {
    skip.push(fail('skip-link-first', {
      selector: first.selector, html: first.html,
      message: first.hasMain
        ? `the first Tab stop must be a skip link to <main>; it is ${first.href ? `a link to ${first.href}${first.targetSel ? ` (${first.targetSel})` : ' (no such id)'}` : 'not a skip link'}`
        : 'the page has no <main> element',
      help: 'https://www.w3.org/WAI/WCAG22/Techniques/general/G1',
    }));
  } else {
    const visible = await page.evaluate(describeFocus);
    if (visible.offscreen || visible.obscured) {
      skip.push(fail('skip-link-visible', { selector: first.selector, html: first.html, message: 'the focused skip link is not visible on screen' }));
    }
    await page.keyboard.press('Enter');
    await page.waitForTimeout(50);
    const after = await page.evaluate(() => {
      const el = document.activeElement;
      return { isMain: el === document.querySelector('main'), selector: window.__aktsomTest.cssPath(el), html: window.__aktsomTest.snippet(el) };
    });
    if (!after.isMain) {
      skip.push(fail('skip-link-target', {
        selector: after.selector, html: after.html,
        message: 'activating the skip link must move focus to <main> (give main tabindex="-1"); focus is on this element instead',
        help: 'https://www.w3.org/WAI/WCAG22/Understanding/bypass-blocks.html',
      }));
    }
  }
  record(`keyboard-skip-link/${scheme}`, rep.path, skip);

  // Focus is visible and not hidden for the first Tab stops.
  await page.goto(ORIGIN + rep.path, { waitUntil: 'load' });
  await page.evaluate(installHelpers);
  const focus = [];
  const seen = new Set();
  for (let i = 1; i <= TAB_STOPS; i++) {
    await page.keyboard.press('Tab');
    const f = await page.evaluate(describeFocus);
    if (f.none) break; // past the last stop
    const key = f.selector;
    if (seen.has(key)) break; // wrapped around
    seen.add(key);
    if (!f.visible) {
      focus.push(fail('focus-visible', { selector: f.selector, html: f.html, message: `Tab stop ${i}: the focused element has no outline and no box-shadow`, help: 'https://www.w3.org/WAI/WCAG22/Understanding/focus-visible.html' }));
    }
    if (f.offscreen) {
      focus.push(fail('focus-not-obscured', { selector: f.selector, html: f.html, message: `Tab stop ${i}: the focused element (${f.size}) is outside the viewport`, help: 'https://www.w3.org/WAI/WCAG22/Understanding/focus-not-obscured-minimum.html' }));
    } else if (f.obscured) {
      focus.push(fail('focus-not-obscured', { selector: f.selector, html: f.html, message: `Tab stop ${i}: the focused element is covered by ${f.obscured.selector} ${f.obscured.html}`, help: 'https://www.w3.org/WAI/WCAG22/Understanding/focus-not-obscured-minimum.html' }));
    }
  }
  if (seen.size === 0) focus.push(fail('focus-visible', { message: 'Tab never focused anything' }));
  record(`keyboard-focus/${scheme}`, rep.path, focus);
}

async function reflow(page, scheme, rep) {
  // Reflow: no horizontal scrolling of the page at 320 CSS px.
  await page.setViewportSize({ width: NARROW, height: 800 });
  await page.goto(ORIGIN + rep.path, { waitUntil: 'load' });
  await page.evaluate(installHelpers);
  const o = await page.evaluate(horizontalOverflow);
  const bad = [];
  if (o.scrollWidth > NARROW) {
    const help = 'https://www.w3.org/WAI/WCAG22/Understanding/reflow.html';
    if (o.offenders.length === 0) bad.push(fail('reflow-320', { message: `document scrollWidth ${o.scrollWidth} > ${NARROW}`, help }));
    for (const x of o.offenders) {
      bad.push(fail('reflow-320', { selector: x.selector, html: x.html, message: `document scrollWidth ${o.scrollWidth} > ${NARROW}: this element reaches x=${x.right} outside a scrolling container (.table-wrap)`, help }));
    }
  }
  record(`reflow-320/${scheme}`, rep.path, bad);
}

async function noJsChecks(noJsContext, jsContext, rep) {
  let page, checker;
  try {
    page = await noJsContext.newPage();
    const resp = await page.goto(ORIGIN + rep.path, { waitUntil: 'load' });
    const bad = [];
    const h1 = await page.evaluate(() => {
      const h = document.querySelector('main h1');
      return h ? (h.textContent || '').trim() : null;
    });
    if (resp?.status() !== 200) bad.push(fail('http-status', { message: `answered ${resp?.status()}` }));
    if (!h1) bad.push(fail('nojs-main-content', { selector: 'main h1', message: 'with JavaScript off, the page has no (non-empty) h1 in main' }));
    // axe needs JavaScript, and a page without it runs none: take the DOM the browser built
    // with JavaScript off (noscript content parsed as markup, no script run), and have axe
    // check that DOM at the same address in a tab that runs JavaScript but not the page's.
    const snapshot = (await page.content())
      .replace(/<script\b[^>]*>[\s\S]*?<\/script\s*>/gi, '')
      .replace(/<noscript\b([^>]*)>/gi, '<div data-was-noscript=""$1>')
      .replace(/<\/noscript\s*>/gi, '</div>');
    checker = await jsContext.newPage();
    const url = ORIGIN + rep.path;
    await checker.route((u) => u.href === url, (route) => route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: snapshot }));
    await checker.goto(url, { waitUntil: 'load' });
    const r = await withTimeout(axeBuilder(checker).analyze(), 120000, `axe (no JS) on ${rep.path}`);
    bad.push(...axeFailures(r));
    record('nojs', rep.path, bad);
  } catch (e) {
    record('nojs', rep.path, [fail('suite-error', { message: e.message })]);
  } finally {
    await page?.close().catch(() => {});
    await checker?.close().catch(() => {});
  }
}

// ---------------------------------------------------------------------------------------
// Links and anchors

function isInternal(url) {
  const u = new URL(url);
  if (u.origin === ORIGIN) return { path: u.pathname, hash: u.hash, search: u.search };
  if (opt['site-url']) {
    const site = new URL(opt['site-url']);
    if (u.origin === site.origin && u.pathname.startsWith(site.pathname)) {
      return { path: BASE + u.pathname.slice(site.pathname.length), hash: u.hash, search: u.search };
    }
  }
  return null;
}

async function linkChecks() {
  const status = new Map(); // path → Promise<{status, ids}>
  const idsOf = (p) => {
    if (!status.has(p)) {
      status.set(p, (async () => {
        const r = await fetchRaw(ORIGIN + p);
        let ids = linkData.get(p)?.ids;
        if (!ids && r.status === 200 && r.type.startsWith('text/html')) {
          ids = [...r.body.matchAll(/\s(?:id|name)\s*=\s*["']?([^"'\s>]+)/gi)].map((m) => m[1]);
        }
        return { status: r.status, location: r.location, ids: ids ? new Set(ids) : null };
      })());
    }
    return status.get(p);
  };
  for (const [pagePath, data] of [...linkData.entries()].sort()) {
    const bad = [];
    for (const ref of data.refs) {
      let u;
      try { u = new URL(ref.url); } catch { bad.push(fail('link-invalid', { selector: ref.selector, html: ref.html, message: `${ref.attr}="${ref.value}" is not a valid URL` })); continue; }
      if (!['http:', 'https:'].includes(u.protocol)) continue; // mailto:, tel:
      const int = isInternal(ref.url);
      if (!int) continue;
      // Only a[href] and area[href] navigate to #fragments; others (link, img) load a resource.
      const t = await idsOf(int.path);
      if (t.status !== 200) {
        bad.push(fail('link-broken', {
          selector: ref.selector, html: ref.html,
          message: `${ref.attr}="${ref.value}" → ${int.path} answered ${t.status}${t.location ? ` (redirect to ${t.location}: link the canonical address)` : ''}`,
        }));
        continue;
      }
      if (int.hash && int.hash !== '#' && int.hash !== '#top') {
        const id = decodeURIComponent(int.hash.slice(1));
        if (!t.ids) {
          bad.push(fail('anchor-missing', { selector: ref.selector, html: ref.html, message: `${ref.attr}="${ref.value}": ${int.path} is not an HTML page, so it has no anchor #${id}` }));
        } else if (!t.ids.has(id)) {
          bad.push(fail('anchor-missing', { selector: ref.selector, html: ref.html, message: `${ref.attr}="${ref.value}": no element with id="${id}" on ${int.path}` }));
        }
      }
    }
    record('links', pagePath, bad);
  }
}

// ---------------------------------------------------------------------------------------
// Nu Html Checker

function vnuJarPath() {
  const jar = require('vnu-jar'); // the package exports the path of vnu.jar
  return String(jar);
}

async function htmlChecks() {
  const files = PAGES.map((p) => p.file);
  const css = [];
  const walkAll = (d) => { for (const e of fs.readdirSync(d, { withFileTypes: true })) { const p = path.join(d, e.name); if (e.isDirectory()) walkAll(p); else if (e.name.endsWith('.css')) css.push(p); } };
  walkAll(ROOT);
  const args = ['-jar', vnuJarPath(), '--errors-only', '--format', 'json', '--also-check-css', ...files, ...css];
  const { code, stdout, stderr } = await new Promise((resolve) => {
    const child = spawn(opt.java, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '', stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('error', (e) => resolve({ code: -1, stdout, stderr: `${stderr}\ncould not run ${opt.java}: ${e.message}` }));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
  let report;
  try {
    report = JSON.parse(stderr.trim() || stdout.trim());
  } catch {
    record('html-valid', '(vnu)', [fail('vnu-did-not-run', { message: `java exited ${code}: ${oneLine(stderr || stdout, 600)}` })]);
    return;
  }
  const byFile = new Map([...files, ...css].map((f) => [f, []]));
  for (const m of report.messages || []) {
    if (m.type === 'info') continue;
    let file = m.url?.startsWith('file:') ? decodeURIComponent(new URL(m.url).pathname) : null;
    if (!file || !byFile.has(file)) file = [...byFile.keys()][0];
    const where = m.lastLine ? `line ${m.lastLine}${m.firstColumn ? `:${m.firstColumn}` : ''}` : '';
    byFile.get(file).push(fail(`vnu-${m.type}${m.subType ? `-${m.subType}` : ''}`, {
      selector: where,
      html: m.extract || '',
      message: m.message,
      help: 'https://validator.github.io/validator/',
    }));
  }
  for (const [file, fails] of byFile) {
    const p = file.endsWith('.html') ? urlPathOf(file) : BASE + path.relative(ROOT, file).split(path.sep).join('/');
    record(file.endsWith('.css') ? 'css-valid' : 'html-valid', p, fails);
  }
}

// ---------------------------------------------------------------------------------------
// The server itself: a missing page answers 404 with the site's 404 page.

async function serverChecks() {
  const bad = [];
  if (!fs.existsSync(path.join(ROOT, '404.html'))) bad.push(fail('404-page', { message: 'the build has no 404.html' }));
  const r = await fetchRaw(`${ORIGIN}${BASE}finnes-ikke-${Date.now()}/`);
  if (r.status !== 404) bad.push(fail('404-status', { message: `a missing page answered ${r.status}, expected 404` }));
  else if (!/<h1[\s>]/i.test(r.body)) bad.push(fail('404-page', { message: 'the 404 answer is not the site\'s 404 page (no h1)' }));
  record('server-404', `${BASE}finnes-ikke/`, bad);
}

// ---------------------------------------------------------------------------------------
// Main

const started = Date.now();
const server = await startServer(ROOT, BASE);
const ORIGIN = server.origin;
console.log(`== ${NAME}: ${PAGES.length} pages from ${ROOT}, served at ${ORIGIN}${BASE}`);

const vnuPromise = CHECKS.has('html') ? htmlChecks() : Promise.resolve(); // runs in a JVM meanwhile

let browser;
try {
  browser = await chromium.launch({
    executablePath: opt.chromium,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
  });
} catch (e) {
  console.error(`could not start Chromium at ${opt.chromium}: ${e.message}`);
  process.exit(2);
}

try {
  if (CHECKS.has('server')) await serverChecks();

  const schemes = ['light', 'dark'];
  const contexts = {}; // with axe-core preloaded
  const plain = {}; // without: for the keyboard and reflow checks
  for (const s of schemes) {
    contexts[s] = await axeContext({ colorScheme: s, viewport: { width: 1280, height: 800 } });
    plain[s] = await browser.newContext({ colorScheme: s, viewport: { width: 1280, height: 800 } });
  }

  const pageWork = CHECKS.has('axe') || CHECKS.has('contrast') || CHECKS.has('tables') || CHECKS.has('links');
  if (pageWork) {
    const tasks = schemes.flatMap((s) => PAGES.map((p) => ({ s, p })));
    let done = 0;
    const t0 = Date.now();
    const tabs = {}; // one reused tab per worker and colour scheme
    await pool(tasks, CONCURRENCY, async ({ s, p }, worker) => {
      const key = `${worker}/${s}`;
      try {
        tabs[key] ??= await newTab(contexts[s]);
        await pageChecks(tabs[key], s, p);
      } catch (e) {
        record(`axe/${s}`, p.path, [fail('suite-error', { message: e.message })]);
        await tabs[key]?.close().catch(() => {});
        delete tabs[key];
      }
      done++;
      if (done % 20 === 0 || done === tasks.length) process.stdout.write(`   page checks ${done}/${tasks.length} (${((Date.now() - t0) / 1000).toFixed(1)} s)\n`);
    });
  }
  if (CHECKS.has('links')) await linkChecks();

  const reps = representativePages();
  if (CHECKS.has('keyboard') || CHECKS.has('reflow')) {
    const tasks = schemes.flatMap((s) => reps.map((r) => ({ s, r })));
    await pool(tasks, CONCURRENCY, ({ s, r }) => keyboardChecks(plain[s], s, r));
  }
  if (CHECKS.has('nojs')) {
    const ctx = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 1280, height: 800 } });
    // The representative pages, the 404 page and the search page (the one that needs
    // JavaScript for its main function, so it must say so without it).
    const list = [...reps];
    for (const p of [BASE + '404.html', BASE + 'sok/']) if (BY_PATH.has(p)) list.push({ label: p, path: p });
    await pool(list, CONCURRENCY, (r) => noJsChecks(ctx, contexts.light, r));
    await ctx.close();
  }
  for (const s of schemes) { await contexts[s].close(); await plain[s].close(); }
  await vnuPromise;
} finally {
  await browser.close().catch(() => {});
  await server.close();
}

// ---------------------------------------------------------------------------------------
// Report

const failed = results.filter((r) => !r.ok);
const secs = ((Date.now() - started) / 1000).toFixed(1);
for (const n of notes) console.log(`   note: ${n}`);

if (opt.json) {
  fs.mkdirSync(path.dirname(path.resolve(opt.json)), { recursive: true });
  fs.writeFileSync(opt.json, JSON.stringify({ site: NAME, dir: ROOT, expectFail: EXPECT, results }, null, 2));
}

const kinds = [...new Set(results.map((r) => r.kind.split('/')[0]))];
const perKind = kinds.map((k) => {
  const rs = results.filter((r) => r.kind.split('/')[0] === k);
  return `${k} ${rs.filter((r) => r.ok).length}/${rs.length}`;
}).join(', ');

if (!EXPECT) {
  for (const r of failed) for (const f of r.failures) console.log(failureLine('FAIL', r, f));
  console.log(`   ${NAME}: ${secs} s; checks passed per kind: ${perKind}`);
  console.log(`${results.length - failed.length} passed, ${failed.length} failed`);
  process.exit(failed.length ? 1 : 0);
} else {
  // A site that must fail: show what the gate found, then check it found what it must.
  for (const r of failed) for (const f of r.failures) console.log(failureLine('EXPECTED', r, f));
  const found = new Set(failed.flatMap((r) => r.failures.map((f) => f.rule)));
  const gate = [];
  gate.push({ what: `the gate fails on ${NAME}`, ok: failed.length > 0 });
  for (const rule of EXPECT) gate.push({ what: `the gate reports ${rule}`, ok: found.has(rule) });
  const suiteErrors = failed.flatMap((r) => r.failures.filter((f) => f.rule === 'suite-error' || f.rule === 'vnu-did-not-run'));
  gate.push({ what: 'the suite itself ran without errors', ok: suiteErrors.length === 0 });
  for (const g of gate) if (!g.ok) console.log(`FAIL [${NAME}] expect-fail: ${g.what}: it did not (found: ${[...found].sort().join(', ') || 'nothing'})`);
  console.log(`   ${NAME}: ${secs} s; ${failed.length} checks failed as they should; rules found: ${[...found].sort().join(', ')}`);
  const bad = gate.filter((g) => !g.ok).length;
  console.log(`${gate.length - bad} passed, ${bad} failed`);
  process.exit(bad ? 1 : 0);
}
