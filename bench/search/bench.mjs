// The search benchmark's measuring part (bench/search/run calls it).
//
//   node bench.mjs PUBLIC_DIR [--json FILE]
//
// Serves PUBLIC_DIR on 127.0.0.1 and runs each query with aktsom's own search logic
// (themes/default/static/search.js, the same file the browser runs) and with Pagefind's
// (PUBLIC_DIR/pagefind/pagefind.js and its WebAssembly), both in node, each query in a
// fresh instance (a first visit: nothing cached). It counts every request the engine
// makes until the first page of results (10, with their excerpts) is ready:
// - bytes as stored (Pagefind's index files are gzip-compressed on disk already);
// - bytes on the wire with gzip (JSON gzip-compressed at level 9; files that are already
//   compressed count as stored), the realistic transfer size for both;
// - the engine's code (search.js; pagefind.js and the .wasm) is counted apart, once.
// Time per query: median of 5 cold runs (fetches over loopback included) and of 5 warm
// runs (same instance, everything cached: compute only).
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import zlib from 'node:zlib';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const { Engine } = require(path.join(HERE, '../../themes/default/static/search.js'));

export const QUERIES = [
  'barnearbeid',
  'leverandor',
  'rettigheter',
  '2.A.3',
  'tvangsarbeid i leverandørkjeden',
  'kommunen',
  'solcellepaneler Kina',
  'menneskerettighetene',
  'dyrevelferd sjømat',
  'Bergstad',
];
const PAGE = 10;
const RUNS = 5;

const root = path.resolve(process.argv[2] || '');
const jsonOut = process.argv[3] === '--json' ? process.argv[4] : null;
if (!fs.existsSync(path.join(root, 'sok/index.html'))) {
  console.error('usage: node bench.mjs PUBLIC_DIR [--json FILE] (a build with sok/ and pagefind/)');
  process.exit(2);
}

// --- A static server that counts what is fetched ---------------------------------------
let log = [];
const gzCache = new Map();
function wireSize(file, bytes) {
  if (gzCache.has(file)) return gzCache.get(file);
  // Pagefind's index files and wasm are gzip already (they start with the gzip magic).
  const gz = bytes[0] === 0x1f && bytes[1] === 0x8b ? bytes.length : zlib.gzipSync(bytes, { level: 9 }).length;
  gzCache.set(file, gz);
  return gz;
}
const server = http.createServer((req, res) => {
  const p = decodeURIComponent(new URL(req.url, 'http://x').pathname);
  const file = path.join(root, p.endsWith('/') ? p + 'index.html' : p);
  if (!file.startsWith(root) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
    res.writeHead(404);
    res.end();
    return;
  }
  const bytes = fs.readFileSync(file);
  log.push({ path: p, raw: bytes.length, gz: wireSize(file, bytes) });
  res.writeHead(200, { 'content-length': bytes.length });
  res.end(bytes);
});
// Keep-alive sockets that the server closes while the client reuses them reset the
// connection: keep them open for the whole run.
server.keepAliveTimeout = 600000;
server.headersTimeout = 601000;
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const origin = `http://127.0.0.1:${server.address().port}`;

const isCode = (p) => /(search\.js|pagefind\.js|\.wasm|wasm\.[^/]*\.pagefind)$/.test(p);
function take() {
  const l = log;
  log = [];
  const idx = l.filter((x) => !isCode(x.path));
  return {
    requests: idx.length,
    raw: idx.reduce((n, x) => n + x.raw, 0),
    gz: idx.reduce((n, x) => n + x.gz, 0),
    code: l.filter((x) => isCode(x.path)).reduce((n, x) => n + x.gz, 0),
  };
}
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
const now = () => Number(process.hrtime.bigint()) / 1e6;

// --- aktsom ---------------------------------------------------------------------------------
const page = fs.readFileSync(path.join(root, 'sok/index.html'), 'utf8');
const locator = page.match(/data-index="([^"]+)"/)[1];
const fetchJson = (u) => fetch(origin + u).then((r) => r.json());

async function aktsomOnce(engine, q) {
  const res = await engine.search(q);
  await Promise.all(res.hits.slice(0, PAGE).map((h) => engine.excerpt(h.doc)));
  return res.hits.length;
}
async function aktsom(q) {
  // The code, once, as a browser would load it.
  await fetch(origin + '/search.js').then((r) => r.arrayBuffer());
  take();
  let engine = new Engine(locator, fetchJson);
  const t0 = now();
  const hits = await aktsomOnce(engine, q);
  const cold = [now() - t0];
  const bytes = take();
  for (let i = 1; i < RUNS; i++) {
    engine = new Engine(locator, fetchJson);
    const t = now();
    await aktsomOnce(engine, q);
    cold.push(now() - t);
  }
  const warm = [];
  for (let i = 0; i < RUNS; i++) {
    const t = now();
    await aktsomOnce(engine, q);
    warm.push(now() - t);
  }
  take();
  return { hits, ...bytes, code: fs.statSync(path.join(root, 'search.js')).size, codeGz: zlib.gzipSync(fs.readFileSync(path.join(root, 'search.js')), { level: 9 }).length, cold: median(cold), warm: median(warm) };
}

// --- Pagefind --------------------------------------------------------------------------------
let instance = 0;
async function pagefindInstance() {
  // A fresh module instance (nothing cached), told to fetch from the server.
  const mod = await import(pathToFileURL(path.join(root, 'pagefind/pagefind.js')).href + '?i=' + ++instance);
  await mod.options({ basePath: origin + '/pagefind/' });
  await mod.init();
  return mod;
}
async function pagefindOnce(pf, q) {
  const search = await pf.search(q);
  await Promise.all(search.results.slice(0, PAGE).map((r) => r.data()));
  return search.results.length;
}
async function pagefind(q) {
  let pf = await pagefindInstance();
  const init = take(); // pagefind.js is not fetched over http here; the wasm and entry are
  const t0 = now();
  const hits = await pagefindOnce(pf, q);
  const cold = [now() - t0];
  const bytes = take();
  for (let i = 1; i < RUNS; i++) {
    pf = await pagefindInstance();
    take();
    const t = now();
    await pagefindOnce(pf, q);
    cold.push(now() - t);
  }
  const warm = [];
  for (let i = 0; i < RUNS; i++) {
    const t = now();
    await pagefindOnce(pf, q);
    warm.push(now() - t);
  }
  take();
  const js = fs.readFileSync(path.join(root, 'pagefind/pagefind.js'));
  return {
    hits,
    requests: bytes.requests + init.requests,
    raw: bytes.raw + init.raw,
    gz: bytes.gz + init.gz,
    code: js.length + init.code,
    codeGz: zlib.gzipSync(js, { level: 9 }).length + init.code,
    cold: median(cold),
    warm: median(warm),
  };
}

function dirSize(dir) {
  let files = 0, bytes = 0, blocks = 0, gz = 0;
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else {
        const st = fs.statSync(p);
        files++;
        bytes += st.size;
        blocks += st.blocks * 512;
        const b = fs.readFileSync(p);
        gz += b[0] === 0x1f && b[1] === 0x8b ? b.length : zlib.gzipSync(b, { level: 6 }).length;
      }
    }
  };
  walk(dir);
  return { files, bytes, blocks, gz };
}

const results = { queries: [], size: {} };
results.size.aktsom = dirSize(path.join(root, 'sok/indeks'));
results.size.pagefind = dirSize(path.join(root, 'pagefind'));
for (const q of QUERIES) {
  const a = await aktsom(q);
  const p = await pagefind(q);
  results.queries.push({ query: q, aktsom: a, pagefind: p });
}
server.close();

const kb = (n) => (n / 1024).toFixed(1);
const mb = (n) => (n / 1024 / 1024).toFixed(1);
const s = results.size;
console.log('| index | files | bytes stored | on disk (blocks) | gzip total |');
console.log('| --- | ---: | ---: | ---: | ---: |');
for (const [k, v] of [['aktsom', s.aktsom], ['Pagefind', s.pagefind]]) {
  console.log(`| ${k} | ${v.files} | ${mb(v.bytes)} MB | ${mb(v.blocks)} MB | ${mb(v.gz)} MB |`);
}
console.log('');
console.log('| query | hits aktsom / Pagefind | requests | KB fetched, stored | KB fetched, gzip on the wire | ms cold (median) | ms warm (median) |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const r of results.queries) {
  const a = r.aktsom, p = r.pagefind;
  console.log(`| ${r.query} | ${a.hits} / ${p.hits} | ${a.requests} / ${p.requests} | ${kb(a.raw)} / ${kb(p.raw)} | ${kb(a.gz)} / ${kb(p.gz)} | ${a.cold.toFixed(1)} / ${p.cold.toFixed(1)} | ${a.warm.toFixed(1)} / ${p.warm.toFixed(1)} |`);
}
const q0 = results.queries[0];
console.log('');
console.log(`Engine code, once per visit (gzip): aktsom search.js ${kb(q0.aktsom.codeGz)} KB; Pagefind pagefind.js + wasm ${kb(q0.pagefind.codeGz)} KB.`);
if (jsonOut) fs.writeFileSync(jsonOut, JSON.stringify(results, null, 2));
