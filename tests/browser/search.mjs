#!/usr/bin/env node
// Search in a real browser, on a build of the sample site: typed queries and their
// results, folding (ø typed as o), compounds, question numbers and members' names (their
// pages first), the filters with their
// counts, the polite live region, the query in the URL with Back, keyboard use, the
// header field, no JavaScript, axe on the page with results (light and dark), 320 px,
// the size of search.js, and that search.js finds the same when the index is laid out
// in small files (chunked postings, several excerpt files per member, as on a large
// site: the sample built again with AKTSOM_SEARCH_SMALL=1 by $AKTSOM_BIN, default
// target/release/aktsom). Usage (like suite.mjs):
//
//   node search.mjs --dir BUILD_DIR [--name NAME] [--base-path /] [--chromium PATH]
//
// The queries assume the sample site (the repository root, built with --drafts). Prints
// one line per failure, then "N passed, M failed" as the last line; exits 1 if any check
// failed.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { AxeBuilder } from '@axe-core/playwright';
import { startServer } from './lib/server.mjs';

const { values: opt } = parseArgs({
  options: {
    dir: { type: 'string' },
    name: { type: 'string', default: 'sample' },
    'base-path': { type: 'string', default: '/' },
    chromium: { type: 'string', default: process.env.CHROMIUM || '/usr/bin/chromium' },
  },
});
if (!opt.dir) {
  console.error('usage: node search.mjs --dir BUILD_DIR [--name NAME] [--base-path /]');
  process.exit(2);
}
const ROOT = path.resolve(opt.dir);
let BASE = opt['base-path'];
if (!BASE.endsWith('/')) BASE += '/';
const JS_LIMIT = 10 * 1024;
const STATUS_TIMEOUT = 15000;

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
    for (const p of problems) console.log(`FAIL [${opt.name}] search/${kind}: ${page} | ${oneLine(p)}`);
  } catch (e) {
    failed++;
    console.log(`FAIL [${opt.name}] search/${kind}: ${page} | suite-error | ${oneLine(e.stack || e.message)}`);
  }
}
const expect = (cond, message, out) => { if (!cond) out.push(message); };

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const { Engine } = createRequire(import.meta.url)(path.join(REPO, 'themes/default/static/search.js'));

/** A query run in node with search.js on a build's files: every hit, in order, with its
    score and excerpt, and the words to mark. */
async function engineResults(root, q) {
  const page = fs.readFileSync(path.join(root, 'sok/index.html'), 'utf8');
  const locator = page.match(/data-index="([^"]+)"/)[1];
  const file = (u) => path.join(root, u.slice(BASE.length).replace(/\?.*$/, ''));
  const engine = new Engine(locator, async (u) => JSON.parse(fs.readFileSync(file(u), 'utf8')));
  const res = await engine.search(q);
  const xs = await Promise.all(res.hits.map((h) => engine.excerpt(h.doc)));
  return { hits: res.hits.map((h, i) => [h.doc, h.score, xs[i]]), marks: [...res.marks].sort() };
}

const server = await startServer(ROOT, BASE);
const SOK = BASE + 'sok/';
const url = (p) => server.origin + p;
const browser = await chromium.launch({
  executablePath: opt.chromium,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
});
const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 }, reducedMotion: 'reduce' });
const errors = [];
ctx.on('weberror', (e) => errors.push(e.error().message));

/** The live region's text once it has settled on a result count. */
async function settled(page, re = /treff/) {
  await page.waitForFunction((src) => new RegExp(src).test(document.getElementById('sok-status').textContent),
    re.source, { timeout: STATUS_TIMEOUT });
  await page.waitForFunction(() => !document.getElementById('sok-treff').hasAttribute('aria-busy'));
  return page.locator('#sok-status').textContent();
}
const countOf = (text) => parseInt(text.replace(/\s/g, ''), 10);

/** Results on the page: [{href, title, source, marks: [..]}]. */
function results(page) {
  return page.$$eval('#sok-treff > li', (lis) => lis.map((li) => ({
    href: li.querySelector('a').getAttribute('href'),
    number: li.querySelector('.qnum')?.textContent || null,
    title: li.querySelector('a').textContent,
    source: li.querySelector('.sok-source').textContent,
    marks: [...li.querySelectorAll('mark')].map((m) => m.textContent),
    excerptLang: li.querySelector('.sok-excerpt')?.getAttribute('lang') ?? null,
  })));
}

try {
  await check('script-size', SOK, async () => {
    const js = fs.readFileSync(path.join(ROOT, 'search.js'));
    const gz = zlib.gzipSync(js, { level: 9 }).length;
    return gz <= JS_LIMIT ? [] : [`search.js is ${gz} bytes gzipped (limit ${JS_LIMIT})`];
  });

  await check('barnearbeid', SOK + '?q=barnearbeid', async () => {
    const out = [];
    const page = await ctx.newPage();
    await page.goto(url(SOK + '?q=barnearbeid'));
    const status = await settled(page);
    expect(/^\d+ treff for «barnearbeid»$/.test(status), `status text: "${status}"`, out);
    const rs = await results(page);
    expect(rs.length === 10, `10 results on the first page, got ${rs.length}`, out);
    expect(countOf(status) > rs.length, `more hits than one page: ${status}`, out);
    const linkRe = new RegExp(`^${BASE}medlemmer/[a-z0-9-]+/\\d{4}/#[0-9a-z-]+$`);
    for (const r of rs) {
      expect(linkRe.test(r.href), `result link ${r.href}`, out);
      expect(/, \d{4}/.test(r.source), `member and year shown: "${r.source}"`, out);
      expect(r.marks.some((m) => /barnearbeid/i.test(m)), `"barnearbeid" marked in "${r.title}": ${r.marks}`, out);
    }
    // The result leads to the question, and the anchor exists there.
    await page.click('#sok-treff > li:first-child a');
    await page.waitForLoadState('domcontentloaded');
    const hash = new URL(page.url()).hash.slice(1);
    expect(await page.locator(`[id="${hash}"]`).count() === 1, `anchor #${hash} exists on ${page.url()}`, out);
    await page.close();
    return out;
  });

  await check('typed-without-oe', SOK, async () => {
    const out = [];
    const page = await ctx.newPage();
    await page.goto(url(SOK));
    await page.locator('#sok-q').pressSequentially('leverandor', { delay: 20 });
    const status = await settled(page, /leverandor/);
    expect(countOf(status) >= 20, `many hits for leverandor: "${status}"`, out);
    const rs = await results(page);
    expect(rs.some((r) => r.marks.some((m) => /leverandør/i.test(m))), 'a form with ø is marked', out);
    // Typing replaces the URL's query (no history entry per keystroke).
    expect(new URL(page.url()).searchParams.get('q') === 'leverandor', `URL ${page.url()}`, out);
    await page.close();
    return out;
  });

  await check('compound-parts', SOK + '?q=rettigheter', async () => {
    const out = [];
    const page = await ctx.newPage();
    await page.goto(url(SOK + '?q=rettigheter'));
    await settled(page);
    let rs = await results(page);
    expect(rs[0].marks.some((m) => m.toLowerCase() === 'rettigheter'), `the exact form ranks first: ${rs[0].marks}`, out);
    // "Vis flere treff" until a record that only has menneskerettigheter shows up.
    for (let i = 0; i < 10 && !rs.some((r) => r.marks.some((m) => /menneskerettigheter/i.test(m))); i++) {
      if (!(await page.locator('#sok-mer').isVisible())) break;
      await page.click('#sok-mer');
      await page.waitForFunction((n) => document.querySelectorAll('#sok-treff > li').length > n, rs.length);
      rs = await results(page);
    }
    expect(rs.some((r) => r.marks.some((m) => /menneskerettigheter/i.test(m))),
      'menneskerettigheter is found (and marked) for "rettigheter"', out);
    await page.close();
    return out;
  });

  // A question number, however it is typed, puts the question's page (every member's
  // answer) first, then the members' sections that answer it.
  for (const q of ['2.A.3', '2a3', '2 a 3']) {
    await check(`question-number/${q}`, SOK + '?q=' + q, async () => {
      const out = [];
      const page = await ctx.newPage();
      await page.goto(url(SOK + '?q=' + encodeURIComponent(q)));
      await settled(page);
      const rs = await results(page);
      expect(rs.length > 5, `results for ${q}: ${rs.length}`, out);
      const first = rs[0] || {};
      expect(first.href === BASE + 'sporsmal/2-a-3/' && first.number === '2.A.3'
        && /alle medlemmenes svar/.test(first.source), `the question page first: ${JSON.stringify(first)}`, out);
      for (const r of rs.slice(1, 6)) {
        expect(r.number === '2.A.3' && r.href.endsWith('#2-a-3'), `then question 2.A.3's sections: ${r.title} ${r.href}`, out);
      }
      if (q === '2a3') {
        await page.click('#sok-treff > li:first-child a');
        await page.waitForLoadState('domcontentloaded');
        expect(new URL(page.url()).pathname === BASE + 'sporsmal/2-a-3/' && /2\.A\.3/.test(await page.locator('h1').innerText()),
          `the link opens the question page: ${page.url()}`, out);
      }
      await page.close();
      return out;
    });
  }

  // A member's name, whole or the start of it, puts the member's page first.
  for (const [q, slug] of [['helse nordvest', 'helse-nordvest'], ['Fjordvik', 'fjordvik-kommune'], ['matgross', 'matgrossisten-vest']]) {
    await check(`member-name/${q}`, SOK + '?q=' + q, async () => {
      const out = [];
      const page = await ctx.newPage();
      await page.goto(url(SOK + '?q=' + encodeURIComponent(q)));
      await settled(page);
      const rs = await results(page);
      const first = rs[0] || {};
      expect(first.href === `${BASE}medlemmer/${slug}/` && /^Medlemsside, /.test(first.source),
        `the member's page first: ${JSON.stringify(first)}`, out);
      expect(rs.length > 1 && rs.slice(1).every((r) => r.href.startsWith(`${BASE}medlemmer/${slug}/`) && /#/.test(r.href)),
        `then the member's sections: ${rs.slice(1, 4).map((r) => r.href)}`, out);
      await page.close();
      return out;
    });
  }

  await check('keyboard-to-a-named-page', SOK + '?q=fjordvik', async () => {
    const out = [];
    const page = await ctx.newPage();
    await page.goto(url(SOK + '?q=fjordvik'));
    await settled(page);
    // Tab from the search field reaches the member's page first among the results.
    await page.focus('#sok-q');
    let f = null;
    for (let i = 0; i < 12; i++) {
      await page.keyboard.press('Tab');
      f = await page.evaluate(() => ({ inResults: !!document.activeElement.closest('#sok-treff'), href: document.activeElement.getAttribute('href') }));
      if (f.inResults) break;
    }
    expect(f && f.inResults && f.href === BASE + 'medlemmer/fjordvik-kommune/', `the first result reached by Tab: ${JSON.stringify(f)}`, out);
    await page.keyboard.press('Enter');
    await page.waitForURL((u) => u.pathname === BASE + 'medlemmer/fjordvik-kommune/');
    await page.close();
    return out;
  });

  await check('english-report', SOK + '?q=labour', async () => {
    const out = [];
    const page = await ctx.newPage();
    await page.goto(url(SOK + '?q=labour'));
    await settled(page);
    const rs = await results(page);
    expect(rs.length > 0 && rs.every((r) => r.excerptLang === 'en'), `English excerpts are marked lang="en": ${JSON.stringify(rs.map((r) => r.excerptLang))}`, out);
    await page.close();
    return out;
  });

  await check('filters-and-back', SOK + '?q=barnearbeid', async () => {
    const out = [];
    const page = await ctx.newPage();
    await page.goto(url(SOK + '?q=barnearbeid'));
    const all = countOf(await settled(page));
    expect(await page.locator('#sok-filters').isVisible(), 'the filters are shown with results', out);
    const years = await page.$$eval('#sok-ar option', (os) => os.map((o) => [o.value, o.textContent]));
    const y2024 = years.find(([v]) => v === '2024');
    expect(y2024 && /^2024 \(\d+\)$/.test(y2024[1]), `year options with counts: ${JSON.stringify(years)}`, out);
    const sectors = await page.$$eval('#sok-sektor option', (os) => os.map((o) => o.textContent));
    expect(sectors.some((s) => /^Offentlig sektor \(\d+\)$/.test(s)), `sector options: ${sectors}`, out);
    const yearSum = years.slice(1).reduce((n, [, t]) => n + countOf(t.match(/\((\d+)\)/)[1]), 0);
    expect(yearSum === all, `year counts add up to the total: ${yearSum} vs ${all}`, out);

    await page.selectOption('#sok-ar', '2024');
    await page.waitForFunction(() => /avgrensning/.test(document.getElementById('sok-status').textContent));
    const status = await page.locator('#sok-status').textContent();
    const expected = countOf(y2024[1].match(/\((\d+)\)/)[1]);
    expect(countOf(status) === expected, `filtered count ${status} equals the option's ${expected}`, out);
    expect(new URL(page.url()).searchParams.get('ar') === '2024', `ar=2024 in the URL: ${page.url()}`, out);
    const rs = await results(page);
    expect(rs.length > 0 && rs.every((r) => r.source.endsWith('2024')), 'every result is from 2024', out);
    // Member counts follow the year filter.
    const members = await page.$$eval('#sok-medlem option', (os) => os.slice(1).map((o) => o.textContent));
    const memberSum = members.reduce((n, t) => n + countOf(t.match(/\((\d+)\)$/)[1]), 0);
    expect(memberSum === expected, `member counts within 2024 add up: ${memberSum} vs ${expected}`, out);

    // A shared link opens with the filter applied.
    const shared = await ctx.newPage();
    await shared.goto(page.url());
    expect(countOf(await settled(shared, /avgrensning/)) === expected, 'a shared URL gives the same results', out);
    expect(await shared.locator('#sok-ar').inputValue() === '2024', 'the shared URL sets the filter', out);
    await shared.close();

    // Back removes the filter again.
    await page.goBack();
    await page.waitForFunction(() => !/avgrensning/.test(document.getElementById('sok-status').textContent));
    expect(countOf(await settled(page)) === all, 'Back restores the unfiltered results', out);
    expect(await page.locator('#sok-ar').inputValue() === '', 'Back resets the filter', out);

    // A second query, submitted, then Back to the first.
    await page.fill('#sok-q', 'tvangsarbeid');
    await page.press('#sok-q', 'Enter');
    await settled(page, /tvangsarbeid/);
    await page.goBack();
    await settled(page, /barnearbeid/);
    expect(await page.locator('#sok-q').inputValue() === 'barnearbeid', 'Back restores the earlier query', out);
    await page.close();
    return out;
  });

  // Names that an object inherits (`?sektor=__proto__`) are values like any other: the
  // same answer as an unknown value, never "search failed".
  const PROTO = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf'];
  /** Status, options of the filters, result links and whether the failure shows. */
  async function outcome(query) {
    const page = await ctx.newPage();
    await page.goto(url(SOK + query));
    await page.waitForFunction(() => !document.getElementById('sok-feil').hidden
      || (/treff/i.test(document.getElementById('sok-status').textContent)
        && !document.getElementById('sok-treff').hasAttribute('aria-busy')), null, { timeout: STATUS_TIMEOUT });
    const o = {
      failed: await page.locator('#sok-feil').isVisible(),
      status: await page.locator('#sok-status').textContent(),
      options: await page.$$eval('#sok-filters select', (ss) => ss.map((s) => [...s.options].map((x) => x.textContent))),
      links: (await results(page)).map((r) => r.href),
    };
    await page.close();
    return o;
  }
  for (const facet of ['sektor', 'medlem', 'ar']) {
    await check(`prototype-names-as-${facet}`, `${SOK}?q=barnearbeid&${facet}=…`, async () => {
      const out = [];
      const unknown = await outcome(`?q=barnearbeid&${facet}=ukjent`);
      expect(!unknown.failed && /^Ingen treff for «barnearbeid»/.test(unknown.status), `an unknown ${facet}: ${JSON.stringify(unknown)}`, out);
      for (const name of PROTO) {
        const o = await outcome(`?q=barnearbeid&${facet}=${name}`);
        expect(!o.failed, `${facet}=${name}: "search failed" is shown`, out);
        expect(o.status === unknown.status, `${facet}=${name}: status "${o.status}", as for an unknown value "${unknown.status}"`, out);
        // The same options with the same counts (the unknown value sorts elsewhere).
        const same = (opts) => JSON.stringify(opts.map((os) => [...os].sort()));
        const named = o.options.map((os) => os.map((x) => x.replace(name, 'ukjent')));
        expect(same(named) === same(unknown.options), `${facet}=${name}: filter options ${JSON.stringify(o.options)}`, out);
      }
      return out;
    });
  }
  await check('prototype-names-as-words', `${SOK}?q=constructor`, async () => {
    const out = [];
    const plain = await outcome('?q=barnearbeid');
    for (const name of PROTO) {
      const alone = await outcome(`?q=${name}`);
      expect(!alone.failed, `q=${name}: "search failed" is shown`, out);
      expect(new RegExp(`^(Ingen treff|\\d+ treff) for «${name}»`).test(alone.status), `q=${name}: status "${alone.status}"`, out);
      // With a real word: that word's results, in a sensible way (no failure, and the
      // prototype name only narrows, AND-wise, to nothing).
      const both = await outcome(`?q=barnearbeid+${name}`);
      expect(!both.failed, `q=barnearbeid ${name}: "search failed" is shown`, out);
      expect(/^(Ingen treff|\d+ treff) for «barnearbeid /.test(both.status), `q=barnearbeid ${name}: "${both.status}"`, out);
      // As a filter next to a real one: the real filter still works.
      const filtered = await outcome(`?q=barnearbeid&ar=2024&sektor=${name}`);
      expect(!filtered.failed, `ar=2024&sektor=${name}: "search failed" is shown`, out);
    }
    expect(!plain.failed && plain.links.length === 10, `the plain query still works: ${JSON.stringify(plain)}`, out);
    return out;
  });

  await check('live-region', SOK, async () => {
    const out = [];
    const page = await ctx.newPage();
    await page.goto(url(SOK));
    const attrs = await page.$eval('#sok-status', (e) => [e.getAttribute('role'), e.getAttribute('aria-live')]);
    expect(attrs[0] === 'status' && attrs[1] === 'polite', `status region: ${attrs}`, out);
    // Changes to the region's text are what a screen reader announces: record them.
    await page.evaluate(() => {
      window.__announced = [];
      new MutationObserver(() => window.__announced.push(document.getElementById('sok-status').textContent))
        .observe(document.getElementById('sok-status'), { childList: true, characterData: true, subtree: true });
    });
    await page.fill('#sok-q', 'xyzzyqq');
    await page.press('#sok-q', 'Enter');
    const none = await settled(page, /Ingen treff/);
    expect(none.startsWith('Ingen treff for «xyzzyqq»'), `no-results text: "${none}"`, out);
    expect(await page.locator('#sok-resultater').isHidden(), 'no result list when nothing is found', out);
    await page.fill('#sok-q', 'solcellepaneler');
    await page.press('#sok-q', 'Enter');
    await settled(page, /solcellepaneler/);
    const announced = await page.evaluate(() => window.__announced.filter(Boolean));
    expect(announced.length >= 2 && /^\d+ treff for «solcellepaneler»$/.test(announced.at(-1)), `announced: ${JSON.stringify(announced)}`, out);
    await page.close();
    return out;
  });

  await check('keyboard', SOK, async () => {
    const out = [];
    const page = await ctx.newPage();
    await page.goto(url(SOK));
    // Tab to the search field.
    let id = '';
    for (let i = 0; i < 25 && id !== 'sok-q'; i++) {
      await page.keyboard.press('Tab');
      id = await page.evaluate(() => document.activeElement.id);
    }
    expect(id === 'sok-q', 'the search field is reachable with Tab', out);
    await page.keyboard.type('tvangsarbeid');
    await page.keyboard.press('Enter');
    await settled(page, /tvangsarbeid/);
    // On, with Tab: the button, the filters, then the results, each with a visible focus.
    const seen = [];
    for (let i = 0; i < 12; i++) {
      await page.keyboard.press('Tab');
      const f = await page.evaluate(() => {
        const e = document.activeElement, cs = getComputedStyle(e);
        return { tag: e.tagName, id: e.id, inResults: !!e.closest('#sok-treff'),
          outline: cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) > 0 };
      });
      seen.push(f);
      if (f.inResults) break;
    }
    const tags = seen.map((f) => f.id || f.tag);
    expect(tags.includes('sok-medlem') && tags.includes('sok-ar') && tags.includes('sok-sektor'), `filters in the Tab order: ${tags}`, out);
    expect(seen.at(-1)?.inResults, `Tab reaches the results: ${tags}`, out);
    expect(seen.every((f) => f.outline), `focus is visible at every stop: ${JSON.stringify(seen)}`, out);
    // A filter changed with the keyboard alone.
    await page.focus('#sok-ar');
    await page.keyboard.press('ArrowDown');
    await page.waitForFunction(() => /avgrensning/.test(document.getElementById('sok-status').textContent));
    expect(await page.locator('#sok-ar').inputValue() !== '', 'ArrowDown on the year filter applies a year', out);
    await page.selectOption('#sok-ar', '');
    await settled(page);
    // "Vis flere treff" with Enter moves focus to the first new result.
    if (await page.locator('#sok-mer').isVisible()) {
      await page.focus('#sok-mer');
      await page.keyboard.press('Enter');
      await page.waitForFunction(() => document.querySelectorAll('#sok-treff > li').length > 10);
      const pos = await page.evaluate(() => [...document.querySelectorAll('#sok-treff > li')].indexOf(document.activeElement.closest('li')));
      expect(pos === 10, `focus on the 11th result after "Vis flere treff", got ${pos}`, out);
    } else {
      out.push('tvangsarbeid should have more than one page of results');
    }
    // Enter on a result opens the report at the question.
    await page.focus('#sok-treff > li:first-child a');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/medlemmer\/.+#.+/);
    await page.close();
    return out;
  });

  await check('header-field', BASE, async () => {
    const out = [];
    const page = await ctx.newPage();
    await page.goto(url(BASE));
    expect(await page.getByLabel('Søk i rapportene').count() === 1, 'the header field has a label', out);
    await page.fill('#sok', 'Malaysia');
    await page.press('#sok', 'Enter');
    await page.waitForURL((u) => u.pathname === SOK && u.searchParams.get('q') === 'Malaysia');
    const status = await settled(page, /Malaysia/);
    expect(countOf(status) > 0, `results for Malaysia: "${status}"`, out);
    expect(await page.locator('#sok-q').inputValue() === 'Malaysia', 'the query is in the search field', out);
    await page.close();
    return out;
  });

  await check('nojs', SOK, async () => {
    const out = [];
    const c = await browser.newContext({ javaScriptEnabled: false });
    const page = await c.newPage();
    await page.goto(url(SOK + '?q=barnearbeid'));
    const text = await page.locator('main').innerText();
    expect(/JavaScript/.test(text), 'the page says search needs JavaScript', out);
    const hrefs = await page.$$eval('main a', (as) => as.map((a) => a.getAttribute('href')));
    for (const h of [BASE + 'medlemmer/', BASE + 'ar/']) expect(hrefs.includes(h), `links to ${h}: ${hrefs}`, out);
    expect(await page.locator('#sok-filters').isHidden(), 'no dead filters without JavaScript', out);
    await c.close();
    return out;
  });

  for (const [scheme, q] of [['light', 'barnearbeid&ar=2024'], ['dark', 'barnearbeid&ar=2024'], ['light', '2a3'], ['dark', 'helse nordvest']]) {
    await check(`axe-with-results/${scheme}/${q}`, SOK + '?q=' + q, async () => {
      const c = await browser.newContext({ colorScheme: scheme, viewport: { width: 1280, height: 800 } });
      const page = await c.newPage();
      await page.goto(url(SOK + '?q=' + q));
      await settled(page);
      const r = await new AxeBuilder({ page })
        .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'])
        .options({ resultTypes: ['violations'] })
        .setLegacyMode(true)
        .analyze();
      await c.close();
      return r.violations.flatMap((v) => v.nodes.map((n) => `${v.id} | ${n.target.join(', ')} | ${n.html} | ${v.help}`));
    });
  }

  await check('reflow-320', SOK + '?q=leverandørkjeden', async () => {
    const out = [];
    const c = await browser.newContext({ viewport: { width: 320, height: 640 } });
    const page = await c.newPage();
    await page.goto(url(SOK + '?q=leverandørkjeden'));
    await settled(page);
    const w = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(w <= 320, `page is ${w} px wide at 320 px`, out);
    await page.goto(url(BASE));
    const w2 = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(w2 <= 320, `front page with the header field is ${w2} px wide at 320 px`, out);
    await c.close();
    return out;
  });

  await check('layout', SOK, async () => {
    const out = [];
    const bin = process.env.AKTSOM_BIN || path.join(REPO, 'target/release/aktsom');
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'aktsom-search-small-'));
    try {
      const small = path.join(tmp, 'public');
      execFileSync(bin, ['build', '--root', REPO, '--out', small, '--drafts'],
        { env: { ...process.env, AKTSOM_SEARCH_SMALL: '1' }, stdio: 'pipe' });
      const count = (dir) => fs.readdirSync(path.join(small, 'sok/indeks', dir), { recursive: true })
        .filter((f) => f.endsWith('.json')).length;
      expect(count('p') > 50, `chunked postings in the small layout: ${count('p')} files`, out);
      expect(count('q') > 10, `postings packs in the small layout: ${count('q')} files`, out);
      const members = fs.readdirSync(path.join(small, 'sok/indeks/x')).length;
      expect(count('x') >= 3 * members,
        `several excerpt files per member in the small layout: ${count('x')} files, ${members} members`, out);
      // Each query ends in a space: the completions of a word being typed come from the
      // three key shards around it, which hold fewer keys when shards are small.
      for (const q of ['barnearbeid ', 'leverandor ', 'menneskerettigheter ', '2.A.3 ', 'tvangsarbeid leverandør ',
        'kommunen ', 'arbeid ', 'Fjordvik ']) {
        const [a, b] = [await engineResults(ROOT, q), await engineResults(small, q)];
        expect(a.hits.length > 0, `«${q}» finds something`, out);
        expect(JSON.stringify(a) === JSON.stringify(b),
          `«${q}»: ${a.hits.length} hits with the default layout, ${b.hits.length} in small files, or other ` +
          `scores, order or excerpts`, out);
      }
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
    return out;
  });

  await check('no-script-errors', SOK, async () => errors.map((e) => `js-error | ${e}`));
} finally {
  await browser.close();
  await server.close();
}

console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
