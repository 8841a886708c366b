// A tiny static file server for a built aktsom site, on 127.0.0.1 and a free port.
//
// - The site is served under `basePath` (the path of site.toml's base_url, "/" for most sites).
// - A directory URL ending in "/" serves its index.html.
// - A directory URL without the trailing "/" answers 301 to the URL with "/" (as real
//   static hosts do); the link check counts that as a broken link, since the site should
//   link to the canonical address.
// - Anything else that is missing answers 404 with the site's own 404.html.
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.xml': 'application/xml; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.avif': 'image/avif',
  '.ico': 'image/x-icon',
  '.pdf': 'application/pdf',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
};

function isFile(p) {
  try { return fs.statSync(p).isFile(); } catch { return false; }
}
function isDir(p) {
  try { return fs.statSync(p).isDirectory(); } catch { return false; }
}

/** Resolve a URL path to a file in `root`, or a redirect, or null (404). */
export function resolvePath(root, basePath, urlPath) {
  let p;
  try { p = decodeURIComponent(urlPath); } catch { return null; }
  if (!p.startsWith(basePath)) return null;
  const rel = p.slice(basePath.length);
  const full = path.resolve(root, '.' + path.posix.sep + rel);
  if (full !== root && !full.startsWith(root + path.sep)) return null; // no traversal
  if (p.endsWith('/')) {
    const index = path.join(full, 'index.html');
    return isFile(index) ? { file: index } : null;
  }
  if (isFile(full)) return { file: full };
  if (isDir(full) && isFile(path.join(full, 'index.html'))) return { redirect: urlPath + '/' };
  return null;
}

export async function startServer(root, basePath = '/') {
  root = path.resolve(root);
  const notFound = path.join(root, '404.html');
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://127.0.0.1');
    const hit = resolvePath(root, basePath, url.pathname);
    const send = (status, file, extra = {}) => {
      const body = file ? fs.readFileSync(file) : Buffer.from('not found\n');
      const type = file ? (TYPES[path.extname(file).toLowerCase()] || 'application/octet-stream') : 'text/plain';
      res.writeHead(status, { 'content-type': type, 'content-length': body.length, 'cache-control': 'no-store', ...extra });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, null);
    if (hit?.redirect) {
      res.writeHead(301, { location: hit.redirect + url.search, 'content-length': 0 });
      return res.end();
    }
    if (hit?.file) return send(200, hit.file);
    return send(404, isFile(notFound) ? notFound : null);
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const origin = `http://127.0.0.1:${server.address().port}`;
  return {
    origin,
    close: () => new Promise((resolve) => { server.closeAllConnections?.(); server.close(() => resolve()); }),
  };
}

/** GET a URL without following redirects; resolves to { status, body, type }. */
export function fetchRaw(url, { body = true } = {}) {
  return new Promise((resolve) => {
    const req = http.get(url, (res) => {
      const chunks = [];
      res.on('data', (c) => { if (body) chunks.push(c); });
      res.on('end', () => resolve({
        status: res.statusCode,
        location: res.headers.location,
        type: res.headers['content-type'] || '',
        body: Buffer.concat(chunks).toString('utf8'),
      }));
    });
    req.on('error', (e) => resolve({ status: 0, error: e.message, body: '', type: '' }));
    req.setTimeout(15000, () => req.destroy(new Error('timeout')));
  });
}
