// Search quality: runs a query set against a built site with that build's own search
// engine (PUBLIC_DIR/search.js, as the page loads it) and reports, per kind of query
// and in all, the share of queries whose expected best answer is among the first ten
// results (recall@10) and the share where it is the first.
//
//   node quality.cjs PUBLIC_DIR QUERIES.json [--json]
//
// A result is a URL path from the site's root: the pages a query names, when the
// engine gives them (`result.pages`: a question's or a member's page), then the
// sections, `medlemmer/<member>/<year>/#<anchor>`. A query's `expect` lists regular
// expressions; the answer is found where a result matches one.
'use strict';
const fs = require('fs');
const path = require('path');

const TOP = 10;

async function results(engine, q) {
  const res = await engine.search(q);
  const pages = (res.pages || []).map((p) => p.url);
  const hits = res.hits.slice(0, Math.max(0, TOP - pages.length));
  const xs = await Promise.all(hits.map((h) => engine.excerpt(h.doc)));
  const sections = hits.map((h, i) => {
    const m = engine.loc.members[h.r[0]];
    return `medlemmer/${m[2]}/${h.r[1]}/#${xs[i].a}`;
  });
  return pages.concat(sections).slice(0, TOP);
}

async function run(root, set) {
  const { Engine } = require(path.join(root, 'search.js'));
  const html = fs.readFileSync(path.join(root, 'sok/index.html'), 'utf8');
  const locator = html.match(/data-index="([^"]+)"/)[1].replace(/&amp;/g, '&');
  const engine = new Engine(locator, async (url) => {
    const file = path.join(root, new URL(url, 'http://x/').pathname);
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  });
  const rows = [];
  for (const item of set.queries) {
    const got = await results(engine, item.q);
    const res = item.expect.map((e) => new RegExp(e));
    const at = got.findIndex((u) => res.some((re) => re.test(u)));
    rows.push({ q: item.q, kind: item.kind, rank: at < 0 ? null : at + 1, first: got[0] || null });
  }
  return rows;
}

function summary(rows) {
  const kinds = [...new Set(rows.map((r) => r.kind))];
  const of = (rs) => ({
    n: rs.length,
    recall10: rs.filter((r) => r.rank !== null).length / rs.length,
    first: rs.filter((r) => r.rank === 1).length / rs.length,
  });
  const out = {};
  for (const k of kinds) out[k] = of(rows.filter((r) => r.kind === k));
  out.all = of(rows);
  return out;
}

module.exports = { run, summary };

if (require.main === module) {
  const [root, queries, flag] = process.argv.slice(2);
  if (!root || !queries) {
    console.error('usage: node quality.cjs PUBLIC_DIR QUERIES.json [--json]');
    process.exit(2);
  }
  const set = JSON.parse(fs.readFileSync(queries, 'utf8'));
  run(path.resolve(root), set).then((rows) => {
    const s = summary(rows);
    if (flag === '--json') {
      console.log(JSON.stringify({ summary: s, rows }));
      return;
    }
    for (const r of rows) console.log(`${r.rank === 1 ? '  ' : r.rank ? '~ ' : '✗ '}${r.kind}\t${r.q}\t${r.rank || '-'}\t${r.first}`);
    for (const [k, v] of Object.entries(s)) {
      console.log(`${k}: ${v.n} queries, recall@10 ${(100 * v.recall10).toFixed(0)} %, first ${(100 * v.first).toFixed(0)} %`);
    }
  }).catch((e) => { console.error(e); process.exit(1); });
}
