#!/usr/bin/env node
// The browser's comparison against the static pages: for every static comparison page
// of a built site (each report against the one before), the comparison compare-core.js
// makes from the two reports' rapport.json, with the rules, titles, figures and strings
// of the member's page that compares any two years, must show exactly what the static
// page shows: the summary, the changed key figures, and every question with the same
// status and title in the same order, the changes of each as the same HTML (so the
// same added and removed words, the same rows). Run by tests/compare_js.rs on the
// sample site, the fixtures and a generated corpus; also by hand:
//
//   node compare-consistency.mjs --dir BUILD_DIR [--dir BUILD_DIR ...]
//
// Builds without drafts (every report of a static page has its rapport.json). Prints
// every difference, then one line of counts; exits 1 on any difference.
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import core from '../../themes/default/static/compare-core.js';

const { values: opt } = parseArgs({ options: { dir: { type: 'string', multiple: true } } });
if (!opt.dir?.length) {
  console.error('usage: node compare-consistency.mjs --dir BUILD_DIR [--dir BUILD_DIR ...]');
  process.exit(2);
}

const ENTITIES = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'" };
const unescape = (s) => s.replace(/&(amp|lt|gt|quot|#39);/g, (e) => ENTITIES[e]);
const text = (html) => unescape(html.replace(/<[^>]*>/g, '')).replace(/\s+/g, ' ').trim();

/** What a static comparison page shows, from its markup (compare.html). */
function readStatic(html) {
  const summary = /<p class="lead compare-summary">([\s\S]*?)<\/p>/.exec(html);
  const figures = /<ul class="figure-changes">([\s\S]*?)<\/ul>/.exec(html);
  const questions = [];
  for (const m of html.matchAll(/<section class="q-change" data-number="([^"]*)" data-status="([^"]*)">([\s\S]*?)<\/section>/g)) {
    const body = m[3];
    const heading = /<h3 [^>]*>([\s\S]*?)<\/h3>/.exec(body);
    const start = body.indexOf('<div class="diff">');
    const diff = start < 0 ? null : body.slice(start + '<div class="diff">'.length, body.lastIndexOf('</div>'));
    questions.push({ number: unescape(m[1]), status: m[2], title: heading ? text(heading[1]) : null, diff });
  }
  for (const m of html.matchAll(/<li data-number="([^"]*)" data-status="([^"]*)">([\s\S]*?)<\/li>/g)) {
    questions.push({ number: unescape(m[1]), status: m[2], title: text(m[3]), diff: null });
  }
  return {
    summary: summary ? text(summary[1]) : null,
    templatesDiffer: html.includes('<div class="note" role="note">'),
    figures: figures ? [...figures[1].matchAll(/<li>([\s\S]*?)<\/li>/g)].map((m) => text(m[1])) : [],
    questions,
  };
}

/** The same from the browser's comparison. */
function readBrowser(c, t) {
  const value = (v) => (v === null ? t.not_reported : v);
  const q = (x, title) => ({ number: x.number, status: x.status, title, diff: x.diff });
  return {
    summary: c.summary + (c.summaryRewritten ? ` ${c.summaryRewritten}` : ''),
    templatesDiffer: c.fromTemplate !== c.toTemplate,
    figures: c.figureChanges.map((f) => text(`${f.label}: ${value(f.from)} (${c.from}) → ${value(f.to)} (${c.to})`)),
    questions: [
      ...c.changedQuestions.map((x) => q(x, `${x.number} ${x.title}`)),
      ...c.rewrittenQuestions.map((x) => q(x, `${x.number} ${x.title}: ${c.from}, ${c.to}`)),
      ...c.unchangedQuestions.map((x) => q(x, `${x.number} ${x.title}`)),
    ].map((x) => ({ ...x, title: text(x.title) })),
  };
}

/** Where two strings first differ, with some context. */
function firstDifference(a, b) {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  const around = (s) => JSON.stringify(s.slice(Math.max(0, i - 80), i + 80));
  return `at character ${i}:\n      static:  ${around(a)}\n      browser: ${around(b)}`;
}

let pairs = 0;
let questions = 0;
let marks = 0;
const problems = [];

for (const dir of opt.dir) {
  const members = path.join(dir, 'medlemmer');
  for (const slug of fs.readdirSync(members).sort()) {
    const cmp = path.join(members, slug, 'sammenlign');
    if (!fs.existsSync(cmp)) continue;
    const pageFile = path.join(cmp, 'index.html');
    const statics = fs.readdirSync(cmp).filter((d) => /^\d{4}-\d{4}$/.test(d)).sort();
    if (!fs.existsSync(pageFile)) {
      problems.push(`${slug}: static comparisons ${statics.join(', ')} but no page for any two years`);
      continue;
    }
    const json = /<script type="application\/json" id="sammenligning-data">([\s\S]*?)<\/script>/.exec(fs.readFileSync(pageFile, 'utf8'));
    const config = JSON.parse(json[1]);
    for (const pair of statics) {
      const where = `${path.basename(dir)}: ${slug} ${pair}`;
      const [a, b] = pair.split('-').map(Number).map((y) => config.years.find((x) => x.year === y));
      if (!a || !b) {
        problems.push(`${where}: a year of the static page is not among the years the browser compares (a draft? build without --drafts)`);
        continue;
      }
      const report = (y) => JSON.parse(fs.readFileSync(path.join(cmp, y.data), 'utf8'));
      const c = core.compare(config, a, b, report(a), report(b));
      const want = readStatic(fs.readFileSync(path.join(cmp, pair, 'index.html'), 'utf8'));
      const got = readBrowser(c, config.strings);
      pairs++;
      if (want.summary !== got.summary) problems.push(`${where}: summary\n      static:  ${want.summary}\n      browser: ${got.summary}`);
      if (want.templatesDiffer !== got.templatesDiffer) problems.push(`${where}: template note static ${want.templatesDiffer}, browser ${got.templatesDiffer}`);
      if (JSON.stringify(want.figures) !== JSON.stringify(got.figures)) {
        problems.push(`${where}: key figures\n      static:  ${JSON.stringify(want.figures)}\n      browser: ${JSON.stringify(got.figures)}`);
      }
      const n = Math.max(want.questions.length, got.questions.length);
      for (let i = 0; i < n; i++) {
        const [w, g] = [want.questions[i], got.questions[i]];
        if (!w || !g) {
          problems.push(`${where}: question ${w?.number ?? g?.number} only in the ${w ? 'static' : 'browser'} comparison`);
          continue;
        }
        questions++;
        const at = `${where} ${w.number}`;
        if (w.number !== g.number) problems.push(`${where}: question ${i + 1} is ${w.number} (static), ${g.number} (browser)`);
        else if (w.status !== g.status) problems.push(`${at}: status ${w.status} (static), ${g.status} (browser)`);
        else if (w.title !== g.title) problems.push(`${at}: title "${w.title}" (static), "${g.title}" (browser)`);
        else if (w.diff !== g.diff) problems.push(`${at}: the changes differ ${firstDifference(w.diff ?? '', g.diff ?? '')}`);
        else marks += (w.diff?.match(/<(ins|del)>/g) || []).length;
      }
    }
  }
}

for (const p of problems) console.log(`DIFFERENT ${p}`);
console.log(`${pairs} pairs, ${questions} questions, ${marks} added or removed passages compared: ${problems.length} differences`);
process.exit(problems.length || pairs === 0 ? 1 : 0);
