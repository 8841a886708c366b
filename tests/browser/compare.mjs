#!/usr/bin/env node
// The page that compares any two years in the browser (medlemmer/<slug>/sammenlign/),
// on a build of the sample site: a pair that has no static page (2021–2024 of
// fjordvik-kommune) chosen with the keyboard only, focus moved to the result, the polite
// live region's short summary, the address (#2021-2024) loaded directly and shared,
// Back, the member page's picker leading there, axe with the result in light and dark
// mode, AAA body text, the result valid HTML (Nu Html Checker on the DOM the script
// built), its links and anchors, 320 px, invalid addresses (#abc, the same year twice, a
// year the member has no report for) and a missing rapport.json (404) each giving a clear
// message, and for a neighbouring pair the same statuses and the same added and removed
// words as the static page, as the browser renders both. Usage (like suite.mjs):
//
//   node compare.mjs --dir BUILD_DIR [--name NAME] [--base-path /] [--chromium PATH]
//
// Prints one line per failure, then "N passed, M failed" as the last line; exits 1 if any
// check failed.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { AxeBuilder } from '@axe-core/playwright';
import { startServer, fetchRaw } from './lib/server.mjs';
import { installHelpers, describeFocus, horizontalOverflow, lowContrastParagraphs } from './lib/in-page.mjs';

const require = createRequire(import.meta.url);
const { values: opt } = parseArgs({
  options: {
    dir: { type: 'string' },
    name: { type: 'string', default: 'sample' },
    'base-path': { type: 'string', default: '/' },
    chromium: { type: 'string', default: process.env.CHROMIUM || '/usr/bin/chromium' },
    java: { type: 'string', default: process.env.JAVA || 'java' },
  },
});
if (!opt.dir) {
  console.error('usage: node compare.mjs --dir BUILD_DIR [--name NAME] [--base-path /]');
  process.exit(2);
}
const ROOT = path.resolve(opt.dir);
let BASE = opt['base-path'];
if (!BASE.endsWith('/')) BASE += '/';
const MEMBER = BASE + 'medlemmer/fjordvik-kommune/';
const PAGE = MEMBER + 'sammenlign/';
const WAIT = 15000;

let passed = 0;
let failed = 0;
function oneLine(s, max = 300) {
  s = String(s ?? '').replace(/\s+/g, ' ').trim();
  return s.length > max ? s.slice(0, max - 1) + '…' : s;
}
async function check(kind, where, fn) {
  try {
    const problems = (await fn()) || [];
    if (!problems.length) { passed++; return; }
    failed++;
    for (const p of problems) console.log(`FAIL [${opt.name}] compare/${kind}: ${where} | ${oneLine(p)}`);
  } catch (e) {
    failed++;
    console.log(`FAIL [${opt.name}] compare/${kind}: ${where} | suite-error | ${oneLine(e.stack || e.message)}`);
  }
}
const expect = (cond, message, out) => { if (!cond) out.push(message); };

const server = await startServer(ROOT, BASE);
const url = (p) => server.origin + p;
const browser = await chromium.launch({
  executablePath: opt.chromium,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
});
const errors = [];

async function context(options = {}) {
  const c = await browser.newContext({ viewport: { width: 1280, height: 800 }, reducedMotion: 'reduce', ...options });
  c.on('weberror', (e) => errors.push(e.error().message));
  return c;
}

/** The result once shown: its heading, the live region, the selects. */
async function shown(page) {
  await page.waitForSelector('#resultat-tittel', { timeout: WAIT });
  return page.evaluate(() => ({
    heading: document.getElementById('resultat-tittel').textContent,
    status: document.getElementById('sammenligning-status').textContent,
    from: document.getElementById('cmp-fra').value,
    to: document.getElementById('cmp-til').value,
    focused: document.activeElement?.id || document.activeElement?.localName,
    questions: document.querySelectorAll('#sammenligning-resultat [data-status]').length,
    busy: document.getElementById('sammenligning-resultat').hasAttribute('aria-busy'),
    title: document.title,
  }));
}

/** The message shown instead of a comparison. */
async function failure(page) {
  await page.waitForSelector('#sammenligning-feil:not([hidden])', { timeout: WAIT });
  return page.evaluate(() => ({
    text: document.getElementById('sammenligning-feil').textContent.trim(),
    status: document.getElementById('sammenligning-status').textContent,
    result: document.getElementById('sammenligning-resultat').childElementCount,
    links: [...document.querySelectorAll('#sammenligning-feil a')].map((a) => a.getAttribute('href')),
    focused: document.activeElement?.id || document.activeElement?.localName,
  }));
}

const SUMMARY = /^\d+ av \d+ spørsmål endret, \d+ nye, \d+ fjernet\.( \d+ av de endrede svarene er skrevet om\.)?$/;

/** Questions with their status and the text of every change, as a page shows them. */
function readChanges(root) {
  const scope = root === 'static' ? document.querySelector('main') : document.getElementById('sammenligning-resultat');
  return [...scope.querySelectorAll('[data-number][data-status]')].map((q) => ({
    number: q.dataset.number,
    status: q.dataset.status,
    marks: [...q.querySelectorAll('ins, del, .moved, tr[class^="row-"]')].map((m) => `${m.localName}.${m.className}: ${m.textContent}`),
  }));
}

try {
  await check('keyboard', PAGE, async () => {
    const out = [];
    const c = await context();
    const page = await c.newPage();
    await page.goto(url(PAGE));
    expect(await page.locator('form.compare-picker').isVisible(), 'the picker is shown with JavaScript', out);
    // Tab to the first select, choose the years by typing, submit with Enter.
    let tabs = 0;
    while (tabs++ < 40 && await page.evaluate(() => document.activeElement?.id) !== 'cmp-fra') await page.keyboard.press('Tab');
    expect(tabs < 40, 'Tab reaches the first year select', out);
    await page.keyboard.type('2021');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.id) === 'cmp-til', 'Tab goes on to the second select', out);
    await page.keyboard.type('2024');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.localName) === 'button', 'then to the button', out);
    await page.keyboard.press('Enter');
    const r = await shown(page);
    expect(new URL(page.url()).hash === '#2021-2024', `the address names the pair: ${page.url()}`, out);
    expect(r.heading === 'Hva endret seg fra 2021 til 2024?', `heading: ${r.heading}`, out);
    expect(r.focused === 'resultat-tittel', `focus moves to the result heading, not ${r.focused}`, out);
    await page.evaluate(installHelpers);
    const f = await page.evaluate(describeFocus);
    expect(f.visible && !f.offscreen && !f.obscured, `the focused heading is visible with an outline: ${JSON.stringify(f)}`, out);
    // The live region says which comparison is shown, in one short sentence.
    const m = /^Viser endringene fra 2021 til 2024: (.*)$/.exec(r.status);
    expect(m && SUMMARY.test(m[1]), `live region: "${r.status}"`, out);
    expect(r.status.length < 160, `the live region is short (${r.status.length} characters)`, out);
    expect(await page.locator('#sammenligning-status[role="status"][aria-live="polite"]').count() === 1, 'the live region is polite', out);
    expect(!r.busy, 'the result is no longer busy', out);
    expect(r.questions > 5, `questions listed: ${r.questions}`, out);
    expect(r.title.startsWith('Hva endret seg fra 2021 til 2024? – '), `document title: ${r.title}`, out);
    // Two different years are needed: said, and focus back on the first select.
    await page.selectOption('#cmp-til', '2021');
    await page.focus('#cmp-til');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    const msg = await page.locator('.picker-message').textContent();
    expect(msg === 'Velg to forskjellige år.', `same year: "${msg}"`, out);
    expect(await page.evaluate(() => document.activeElement?.id) === 'cmp-fra', 'focus on the first select after the message', out);
    // Another pair, then Back to the first one.
    await page.selectOption('#cmp-fra', '2022');
    await page.selectOption('#cmp-til', '2024');
    await page.click('form.compare-picker button');
    await page.waitForFunction(() => document.getElementById('resultat-tittel')?.textContent.includes('2022'), null, { timeout: WAIT });
    await page.goBack();
    await page.waitForFunction(() => document.getElementById('resultat-tittel')?.textContent.includes('2021'), null, { timeout: WAIT });
    const back = await shown(page);
    expect(back.from === '2021' && back.to === '2024', `Back shows 2021–2024 again, selects ${back.from}–${back.to}`, out);
    // The skip link's fragment is a place on the page, not an address of years: the
    // comparison stays, focus goes to main.
    await page.focus('a.skip-link');
    await page.keyboard.press('Enter');
    await page.waitForTimeout(200);
    expect(await page.evaluate(() => document.activeElement?.id) === 'hovedinnhold', 'the skip link still moves focus to main', out);
    expect(await page.locator('#resultat-tittel').count() === 1 && await page.locator('#sammenligning-feil').isHidden(),
      'the skip link leaves the comparison shown, with no message', out);
    await c.close();
    return out;
  });

  await check('address', `${PAGE}#2021-2024`, async () => {
    const out = [];
    const c = await context();
    const page = await c.newPage();
    await page.goto(url(`${PAGE}#2021-2024`));
    const r = await shown(page);
    expect(r.from === '2021' && r.to === '2024', `selects show the pair: ${r.from}–${r.to}`, out);
    // Loaded from an address, focus stays where the reader is (the start of the page).
    expect(r.focused !== 'resultat-tittel', 'focus is not moved on load', out);
    expect(/^Viser endringene fra 2021 til 2024: /.test(r.status), `live region: ${r.status}`, out);
    // The years in the other order name the same comparison.
    await page.goto(url(`${PAGE}#2024-2021`));
    await page.reload();
    const s = await shown(page);
    expect(s.heading === 'Hva endret seg fra 2021 til 2024?', `reversed years: ${s.heading}`, out);
    expect(new URL(page.url()).hash === '#2021-2024', `the address is put in order: ${page.url()}`, out);
    await c.close();
    return out;
  });

  await check('member-picker', MEMBER, async () => {
    const out = [];
    const c = await context();
    const page = await c.newPage();
    await page.goto(url(MEMBER));
    await page.selectOption('#cmp-fra', '2021');
    await page.selectOption('#cmp-til', '2023');
    await page.click('form.compare-picker button');
    await page.waitForURL((u) => u.pathname === PAGE && u.hash === '#2021-2023', { timeout: WAIT });
    const r = await shown(page);
    expect(r.heading === 'Hva endret seg fra 2021 til 2023?', `heading: ${r.heading}`, out);
    await c.close();
    return out;
  });

  // The same comparison as the static page, as the browser draws both.
  await check('same-as-static', `${PAGE}#2023-2024`, async () => {
    const out = [];
    const c = await context();
    const page = await c.newPage();
    await page.goto(url(`${PAGE}#2023-2024`));
    await shown(page);
    const browserSide = await page.evaluate(readChanges, 'browser');
    const summary = await page.locator('#sammenligning-resultat .compare-summary').textContent();
    await page.goto(url(`${PAGE}2023-2024/`));
    const staticSide = await page.evaluate(readChanges, 'static');
    const staticSummary = await page.locator('main .compare-summary').textContent();
    expect(summary === staticSummary, `summary "${summary}" vs "${staticSummary}"`, out);
    expect(browserSide.length === staticSide.length, `${browserSide.length} questions vs ${staticSide.length}`, out);
    staticSide.forEach((s, i) => {
      const b = browserSide[i] || {};
      expect(JSON.stringify(s) === JSON.stringify(b), `question ${i + 1}: static ${JSON.stringify(s)} vs browser ${JSON.stringify(b)}`, out);
    });
    expect(staticSide.some((s) => s.marks.length > 0), 'the pair has changes to compare', out);
    await c.close();
    return out;
  });

  for (const [hash, text] of [
    ['#abc', /^Adressen viser ikke til to år\. Den skal slutte med to årstall, som #2023-2024\./],
    ['#2019-2019', /^Adressen viser til samme år to ganger \(2019\)\./],
    ['#2019-2024', /^Det finnes ingen publisert rapport for 2019\./],
  ]) {
    await check('bad-address', PAGE + hash, async () => {
      const out = [];
      const c = await context();
      const page = await c.newPage();
      await page.goto(url(PAGE + hash));
      const f = await failure(page);
      expect(text.test(f.text), `message: "${f.text}"`, out);
      expect(f.status === f.text, `the live region says it: "${f.status}"`, out);
      expect(f.result === 0, 'no comparison is shown', out);
      await c.close();
      return out;
    });
  }

  await check('missing-data', `${PAGE}#2021-2024`, async () => {
    const out = [];
    const c = await context();
    const page = await c.newPage();
    await page.route('**/medlemmer/fjordvik-kommune/2021/rapport.json', (r) => r.fulfill({ status: 404, body: 'not found' }));
    await page.goto(url(PAGE));
    await page.selectOption('#cmp-fra', '2021');
    await page.selectOption('#cmp-til', '2024');
    await page.click('form.compare-picker button');
    const f = await failure(page);
    expect(/^Kunne ikke hente dataene for rapporten for 2021, så sammenligningen kan ikke vises\./.test(f.text), `message: "${f.text}"`, out);
    expect(f.links.join(' ') === '../2021/ ../2024/', `links to both reports: ${f.links}`, out);
    expect(f.focused === 'sammenligning-feil', `focus moves to the message after the reader's choice, not ${f.focused}`, out);
    expect(f.result === 0, 'no comparison is shown', out);
    // Once the data is there again, the same choice works.
    await page.unroute('**/medlemmer/fjordvik-kommune/2021/rapport.json');
    await page.click('form.compare-picker button');
    await shown(page);
    expect(await page.locator('#sammenligning-feil').isHidden(), 'the message goes with a comparison', out);
    await c.close();
    return out;
  });

  for (const scheme of ['light', 'dark']) {
    await check(`axe/${scheme}`, `${PAGE}#2021-2024`, async () => {
      const c = await context({ colorScheme: scheme });
      const page = await c.newPage();
      await page.goto(url(`${PAGE}#2021-2024`));
      await shown(page);
      const out = [];
      for (const state of ['result', 'message']) {
        if (state === 'message') {
          await page.goto(url(`${PAGE}#1999-2024`));
          await page.reload();
          await failure(page);
        }
        const r = await new AxeBuilder({ page })
          .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'])
          .options({ rules: { 'td-has-header': { enabled: true } }, resultTypes: ['violations'] })
          .setLegacyMode(true)
          .analyze();
        out.push(...r.violations.flatMap((v) => v.nodes.map((n) => `${state} | ${v.id} | ${n.target.join(', ')} | ${n.html} | ${v.help}`)));
        await page.evaluate(installHelpers);
        const low = await page.evaluate(lowContrastParagraphs, 7);
        out.push(...low.map((l) => `${state} | contrast-aaa | ${l.selector} | ${l.ratio}:1`));
      }
      await c.close();
      return out;
    });

    await check(`reflow-320/${scheme}`, `${PAGE}#2021-2024`, async () => {
      const out = [];
      const c = await context({ colorScheme: scheme, viewport: { width: 320, height: 640 } });
      const page = await c.newPage();
      await page.goto(url(`${PAGE}#2021-2024`));
      await shown(page);
      await page.evaluate(installHelpers);
      const o = await page.evaluate(horizontalOverflow);
      expect(o.scrollWidth <= 320, `page is ${o.scrollWidth} px wide at 320 px: ${JSON.stringify(o.offenders)}`, out);
      await c.close();
      return out;
    });
  }

  // The DOM the script built: valid HTML, and every link in it leads somewhere.
  await check('html-valid-and-links', `${PAGE}#2021-2024`, async () => {
    const out = [];
    const c = await context();
    const page = await c.newPage();
    await page.goto(url(`${PAGE}#2021-2024`));
    await shown(page);
    const html = await page.evaluate(() => `<!doctype html>\n${document.documentElement.outerHTML}`);
    const hrefs = await page.$$eval('#sammenligning-resultat a', (as) => [...new Set(as.map((a) => a.href))]);
    await c.close();
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'aktsom-compare-'));
    const file = path.join(tmp, 'sammenligning.html');
    fs.writeFileSync(file, html);
    const vnu = spawnSync(opt.java, ['-jar', String(require('vnu-jar')), '--errors-only', '--format', 'json', file], { encoding: 'utf8' });
    fs.rmSync(tmp, { recursive: true, force: true });
    let report;
    try { report = JSON.parse(vnu.stderr.trim() || vnu.stdout.trim()); } catch { out.push(`vnu did not run: ${vnu.error?.message || vnu.stderr}`); report = { messages: [] }; }
    for (const m of report.messages) if (m.type !== 'info') out.push(`vnu-${m.type} | line ${m.lastLine} | ${m.extract || ''} | ${m.message}`);
    expect(hrefs.length > 10, `links in the result: ${hrefs.length}`, out);
    const pages = new Map();
    for (const h of hrefs) {
      const u = new URL(h);
      if (!pages.has(u.pathname)) pages.set(u.pathname, await fetchRaw(server.origin + u.pathname));
      const r = pages.get(u.pathname);
      if (r.status !== 200) out.push(`link-broken | ${h} answered ${r.status}`);
      else if (u.hash && !r.body.includes(`id="${decodeURIComponent(u.hash.slice(1))}"`)) out.push(`anchor-missing | ${h}`);
    }
    return out;
  });

  await check('nojs', PAGE, async () => {
    const out = [];
    const c = await context({ javaScriptEnabled: false });
    const page = await c.newPage();
    await page.goto(url(`${PAGE}#2021-2024`));
    const text = await page.locator('main').innerText();
    expect(/krever JavaScript/.test(text), 'the page says that comparing any two years needs JavaScript', out);
    expect(await page.locator('form.compare-picker').isHidden(), 'no dead picker without JavaScript', out);
    const hrefs = await page.$$eval('main a', (as) => as.map((a) => a.getAttribute('href')));
    for (const h of ['2021-2022/', '2022-2023/', '2023-2024/', '../2021/', '../2024/']) expect(hrefs.includes(h), `links to ${h}`, out);
    await c.close();
    return out;
  });

  await check('no-script-errors', PAGE, async () => errors.map((e) => `js-error | ${e}`));
} finally {
  await browser.close();
  await server.close();
}

console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
