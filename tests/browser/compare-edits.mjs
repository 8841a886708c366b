#!/usr/bin/env node
// The real edits comparisons must read right, as the browser shows them, on a build of
// tests/fixtures/compare-edits: a numbered list that gains a new first case (changed,
// the new case in full, never "rewritten"), a bullet added in the middle of a list, an
// item reworded (word by word), a list renumbered (unchanged), table rows added and
// removed, a paragraph moved, and a pair of years that has no static page. Usage (like
// suite.mjs):
//
//   node compare-edits.mjs --dir BUILD_DIR [--name NAME] [--base-path /] [--chromium PATH]
//
// Prints one line per failure, then "N passed, M failed" as the last line; exits 1 if any
// check failed.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { startServer } from './lib/server.mjs';

const { values: opt } = parseArgs({
  options: {
    dir: { type: 'string' },
    name: { type: 'string', default: 'compare-edits' },
    'base-path': { type: 'string', default: '/' },
    chromium: { type: 'string', default: process.env.CHROMIUM || '/usr/bin/chromium' },
  },
});
if (!opt.dir) {
  console.error('usage: node compare-edits.mjs --dir BUILD_DIR [--name NAME] [--base-path /]');
  process.exit(2);
}
const ROOT = path.resolve(opt.dir);
let BASE = opt['base-path'];
if (!BASE.endsWith('/')) BASE += '/';
const PAGE = BASE + 'medlemmer/gamma-kommune/sammenlign/';

let passed = 0;
let failed = 0;
async function check(kind, where, fn) {
  try {
    const problems = (await fn()) || [];
    if (!problems.length) { passed++; return; }
    failed++;
    for (const p of problems) console.log(`FAIL [${opt.name}] compare-edits/${kind}: ${where} | ${String(p).replace(/\s+/g, ' ')}`);
  } catch (e) {
    failed++;
    console.log(`FAIL [${opt.name}] compare-edits/${kind}: ${where} | suite-error | ${e.message}`);
  }
}
const expect = (cond, message, out) => { if (!cond) out.push(message); };

const server = await startServer(ROOT, BASE);
const browser = await chromium.launch({
  executablePath: opt.chromium,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
});
const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });

/** The comparison the page shows for `hash`: question → {status, ins, del, moved, rows}. */
async function comparison(hash) {
  const page = await ctx.newPage();
  await page.goto(server.origin + PAGE + hash);
  await page.waitForSelector('#resultat-tittel', { timeout: 15000 });
  const out = await page.evaluate(() => Object.fromEntries(
    [...document.querySelectorAll('#sammenligning-resultat [data-number]')].map((q) => {
      const texts = (sel) => [...q.querySelectorAll(sel)].map((e) => e.textContent);
      return [q.dataset.number, {
        status: q.dataset.status,
        ins: texts('ins'),
        del: texts('del'),
        moved: texts('.moved'),
        rows: [...q.querySelectorAll('tbody tr')].map((r) => `${r.className}: ${r.cells[1].textContent}`),
        elided: texts('.elided'),
      }];
    })));
  await page.close();
  return out;
}

try {
  const c = await comparison('#2023-2024');
  const statuses = Object.fromEntries(Object.entries(c).map(([n, q]) => [n, q.status]));
  await check('statuses', `${PAGE}#2023-2024`, () => {
    const want = { '1.A.2': 'changed', '2.A.3': 'changed', '3.B.1': 'changed', '3.B.2': 'changed', '6.A.2': 'changed', '5.A.1': 'rewritten', '3.B.3': 'unchanged' };
    return Object.entries(want).filter(([n, s]) => statuses[n] !== s).map(([n, s]) => `${n} is ${statuses[n]}, expected ${s}`);
  });
  await check('new-first-case', `${PAGE}#2023-2024 6.A.2`, () => {
    const out = [];
    const q = c['6.A.2'];
    expect(q.ins.length === 2, `the new case's two paragraphs added: ${JSON.stringify(q.ins)}`, out);
    expect(q.ins[0]?.startsWith('Lagt til: Sammen med andre offentlige innkjøpere') && q.ins[0].endsWith('en månedslønn for arbeiderne.'), `in full: ${q.ins[0]}`, out);
    expect(q.del.length === 0, `nothing removed: ${q.del}`, out);
    expect(JSON.stringify(q.elided) === JSON.stringify(['[…] 1 uendret avsnitt', '[…] 1 uendret avsnitt']), `the rest unchanged: ${q.elided}`, out);
    return out;
  });
  await check('list-items', `${PAGE}#2023-2024 3.B.1 3.B.2`, () => {
    const out = [];
    expect(JSON.stringify(c['3.B.1'].ins) === JSON.stringify(['Lagt til: Mat laget av lokale råvarer i sesong der det lar seg gjøre.']), `bullet added: ${c['3.B.1'].ins}`, out);
    expect(JSON.stringify(c['3.B.2'].ins) === JSON.stringify(['Lagt til: grundig', 'Lagt til: ut hvert år.']), `item reworded, added words: ${c['3.B.2'].ins}`, out);
    expect(JSON.stringify(c['3.B.2'].del) === JSON.stringify(['Fjernet: ut.']), `removed words: ${c['3.B.2'].del}`, out);
    return out;
  });
  await check('rows-and-moves', `${PAGE}#2023-2024 2.A.3 1.A.2`, () => {
    const out = [];
    expect(JSON.stringify(c['2.A.3'].rows) === JSON.stringify(['row-removed: Lave lønninger i kaffeproduksjon', 'row-added: Barnearbeid i kakaoproduksjon']), `rows: ${c['2.A.3'].rows}`, out);
    expect(c['1.A.2'].moved.length === 1 && c['1.A.2'].ins.length === 0 && c['1.A.2'].del.length === 0, `moved: ${JSON.stringify(c['1.A.2'])}`, out);
    return out;
  });
  // 2022–2024 has no static page: a question new in 2023, and 6.A.2 from one sentence
  // to two cases (rewritten: almost nothing of either kept).
  const far = await comparison('#2022-2024');
  await check('non-neighbouring', `${PAGE}#2022-2024`, () => {
    const out = [];
    expect(far['3.B.3']?.status === 'new', `3.B.3 new: ${far['3.B.3']?.status}`, out);
    expect(far['6.A.2']?.status === 'rewritten', `6.A.2 rewritten: ${far['6.A.2']?.status}`, out);
    // 1.A.2: a sentence lengthened (2022 → 2023) and a paragraph moved (2023 → 2024).
    expect(far['1.A.2']?.status === 'changed' && far['1.A.2'].moved.length === 1
      && far['1.A.2'].ins.some((t) => t.includes('i samarbeid med kommunens jurister')), `1.A.2: ${JSON.stringify(far['1.A.2'])}`, out);
    return out;
  });
} finally {
  await browser.close();
  await server.close();
}

console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
