// Runs the browser's search logic (themes/default/static/search.js) in node against a
// built site, and reports what a browser would fetch for the first page of results.
//   node query.cjs <public dir> [--json] <query> …
'use strict';
const fs = require('fs');
const path = require('path');
const zlib = require('zlib');
const { Engine, snippet } = require(path.join(__dirname, '../../themes/default/static/search.js'));

function locatorOf(root) {
  const html = fs.readFileSync(path.join(root, 'sok/index.html'), 'utf8');
  const m = html.match(/data-index="([^"]+)"/);
  if (!m) throw new Error('no data-index on sok/index.html');
  return m[1];
}

/* Runs one query in a fresh engine (a cold cache, as on a first visit) and returns the
   hits, the bytes fetched (raw and gzip) and the time spent computing. */
async function run(root, query, page = 10) {
  const fetched = [];
  const engine = new Engine(locatorOf(root), async (url) => {
    // Index URLs carry the file's hash as a query (`?v=`): the file is the path.
    const bytes = fs.readFileSync(path.join(root, url.replace(/^\//, '').replace(/\?.*$/, '')));
    fetched.push({ url, raw: bytes.length, gz: zlib.gzipSync(bytes, { level: 9 }).length });
    return JSON.parse(bytes.toString('utf8'));
  });
  const t0 = process.hrtime.bigint();
  const res = await engine.search(query);
  const excerpts = await Promise.all(res.hits.slice(0, page).map((h) => engine.excerpt(h.doc)));
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const shown = res.hits.slice(0, page).map((h, i) => {
    const m = engine.loc.members[h.r[0]];
    const x = excerpts[i];
    return {
      member: m[0], year: h.r[1], number: x.n || null, title: x.t, anchor: x.a,
      score: Math.round(h.score),
      excerpt: snippet(x.x, res.marks, 32).map(([t, mk]) => (mk ? '[' + t + ']' : t)).join(''),
    };
  });
  return {
    query, total: res.hits.length, shown, ms,
    requests: fetched.length,
    raw: fetched.reduce((n, f) => n + f.raw, 0),
    gz: fetched.reduce((n, f) => n + f.gz, 0),
    files: fetched.map((f) => f.url),
  };
}

module.exports = { run, locatorOf };

if (require.main === module) {
  const args = process.argv.slice(2);
  const root = args.shift();
  const json = args[0] === '--json' ? args.shift() : null;
  (async () => {
    for (const q of args) {
      const r = await run(root, q);
      if (json) { console.log(JSON.stringify(r)); continue; }
      console.log(`\n«${q}»: ${r.total} hits, ${r.requests} requests, ${r.raw} B raw, ${r.gz} B gzip, ${r.ms.toFixed(1)} ms`);
      for (const s of r.shown) console.log(`  ${s.score}\t${s.member} ${s.year} ${s.number || ''} ${s.title}\n\t${s.excerpt.slice(0, 200)}`);
    }
  })().catch((e) => { console.error(e); process.exit(1); });
}
