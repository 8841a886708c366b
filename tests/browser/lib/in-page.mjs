// Functions that run inside the browser page (passed to page.evaluate). They must be
// self-contained: no closures over Node variables.

/** Defines window.__aktsomTest with small helpers used by the checks below. */
export function installHelpers() {
  if (window.__aktsomTest) return;
  const canvas = document.createElement('canvas');
  canvas.width = canvas.height = 1;
  const ctx = canvas.getContext('2d', { willReadFrequently: true });

  const cssPath = (el) => {
    if (!(el instanceof Element)) return String(el);
    const parts = [];
    let node = el;
    while (node && node.nodeType === 1 && parts.length < 6) {
      if (node.id) { parts.unshift(`#${CSS.escape(node.id)}`); break; }
      let part = node.localName;
      const cls = [...node.classList].slice(0, 2).map((c) => `.${CSS.escape(c)}`).join('');
      part += cls;
      const parent = node.parentElement;
      if (parent) {
        const same = [...parent.children].filter((c) => c.localName === node.localName);
        if (same.length > 1) part += `:nth-of-type(${same.indexOf(node) + 1})`;
      }
      parts.unshift(part);
      if (node.localName === 'body' || node.localName === 'main') break;
      node = parent;
    }
    return parts.join(' > ');
  };

  const snippet = (el, max = 160) => {
    if (!(el instanceof Element)) return '';
    const html = el.outerHTML.replace(/\s+/g, ' ');
    return html.length > max ? html.slice(0, max - 1) + '…' : html;
  };

  /** Any CSS colour string → [r, g, b, a] (0–255, alpha 0–1). */
  const toRGBA = (str) => {
    const m = /^rgba?\(\s*([\d.]+)[,\s]+([\d.]+)[,\s]+([\d.]+)(?:\s*[,/]\s*([\d.]+%?))?\s*\)$/.exec(str);
    if (m) {
      let a = m[4] === undefined ? 1 : m[4].endsWith('%') ? parseFloat(m[4]) / 100 : parseFloat(m[4]);
      return [+m[1], +m[2], +m[3], a];
    }
    if (str === 'transparent') return [0, 0, 0, 0];
    ctx.clearRect(0, 0, 1, 1);
    ctx.fillStyle = '#000';
    ctx.fillStyle = str;
    ctx.fillRect(0, 0, 1, 1);
    const d = ctx.getImageData(0, 0, 1, 1).data;
    return [d[0], d[1], d[2], d[3] / 255];
  };

  const over = (top, below) => {
    const a = top[3];
    return [0, 1, 2].map((i) => top[i] * a + below[i] * (1 - a)).concat(1);
  };

  const luminance = ([r, g, b]) => {
    const f = (c) => { c /= 255; return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };

  const ratio = (fg, bg) => {
    const [l1, l2] = [luminance(fg), luminance(bg)].sort((x, y) => y - x);
    return (l1 + 0.05) / (l2 + 0.05);
  };

  /** The colour behind `el`: walks up ancestors compositing non-transparent backgrounds. */
  const effectiveBackground = (el) => {
    const layers = [];
    let image = null;
    for (let n = el; n && n.nodeType === 1; n = n.parentElement) {
      const cs = getComputedStyle(n);
      if (cs.backgroundImage && cs.backgroundImage !== 'none' && !image) image = n;
      const bg = toRGBA(cs.backgroundColor);
      if (bg[3] > 0) { layers.push(bg); if (bg[3] >= 1) break; }
    }
    // Below everything: the canvas. Chromium paints it white, or dark for color-scheme: dark
    // without a background; the theme always sets one on body, so this rarely matters.
    let base = layers.length && layers[layers.length - 1][3] >= 1 ? layers.pop()
      : (matchMedia('(prefers-color-scheme: dark)').matches &&
         getComputedStyle(document.documentElement).colorScheme.includes('dark') ? [18, 18, 18, 1] : [255, 255, 255, 1]);
    while (layers.length) base = over(layers.pop(), base);
    return { color: base, image };
  };

  const hex = (c) => '#' + c.slice(0, 3).map((v) => Math.round(v).toString(16).padStart(2, '0')).join('');

  window.__aktsomTest = { cssPath, snippet, toRGBA, over, ratio, effectiveBackground, hex };
}

/** Links, sources and ids of the page, for the link check. */
export function collectLinks() {
  const T = window.__aktsomTest;
  const refs = [];
  for (const el of document.querySelectorAll('[href], [src], [srcset], [poster], [data]')) {
    for (const attr of ['href', 'src', 'poster', 'data']) {
      const v = el.getAttribute(attr);
      if (v === null) continue;
      if (attr === 'data' && el.localName !== 'object') continue;
      refs.push({ attr, value: v, url: new URL(v, document.baseURI).href, selector: T.cssPath(el), html: T.snippet(el) });
    }
    const srcset = el.getAttribute('srcset');
    if (srcset) {
      for (const cand of srcset.split(',')) {
        const v = cand.trim().split(/\s+/)[0];
        if (v) refs.push({ attr: 'srcset', value: v, url: new URL(v, document.baseURI).href, selector: T.cssPath(el), html: T.snippet(el) });
      }
    }
  }
  const ids = [...document.querySelectorAll('[id]')].map((e) => e.id);
  const names = [...document.querySelectorAll('a[name]')].map((e) => e.getAttribute('name'));
  return { refs, ids: [...new Set([...ids, ...names])] };
}

/** Data tables (not role=presentation/none) that have no header cell at all. */
export function tablesWithoutHeaders() {
  const T = window.__aktsomTest;
  const out = [];
  for (const table of document.querySelectorAll('table')) {
    const role = (table.getAttribute('role') || '').trim();
    if (role === 'presentation' || role === 'none') continue;
    const headers = table.querySelectorAll('th, [role="columnheader"], [role="rowheader"], td[scope]');
    const own = [...headers].filter((h) => h.closest('table') === table);
    if (own.length === 0) {
      out.push({ selector: T.cssPath(table), html: T.snippet(table) });
    }
  }
  return out;
}

/** Body text (main p) contrast against its effective background; returns the ones < min. */
export function lowContrastParagraphs(min) {
  const T = window.__aktsomTest;
  const out = [];
  for (const p of document.querySelectorAll('main p')) {
    if (!p.getClientRects().length) continue;
    const cs = getComputedStyle(p);
    if (cs.visibility === 'hidden' || !(p.textContent || '').trim()) continue;
    const { color: bg, image } = T.effectiveBackground(p);
    let fg = T.toRGBA(cs.color);
    if (fg[3] < 1) fg = T.over(fg, bg);
    const r = T.ratio(fg, bg);
    if (r < min || image) {
      out.push({
        selector: T.cssPath(p),
        html: T.snippet(p),
        ratio: Math.floor(r * 100) / 100,
        fg: T.hex(fg),
        bg: T.hex(bg),
        image: image ? T.cssPath(image) : null,
      });
    }
  }
  return out;
}

/** What the focused element looks like and whether it is hidden under something. */
export function describeFocus() {
  const T = window.__aktsomTest;
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) return { none: true };
  const cs = getComputedStyle(el);
  const outlineColour = T.toRGBA(cs.outlineColor);
  const outline = cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) > 0 && outlineColour[3] > 0;
  const shadow = cs.boxShadow && cs.boxShadow !== 'none';
  // The centre of the visible part of the element's first box (a link wrapping over two
  // lines has two boxes; the bounding box's centre can fall between them).
  const vw = document.documentElement.clientWidth;
  const vh = document.documentElement.clientHeight;
  const box = [...el.getClientRects()].find((r) => r.width > 0 && r.height > 0) || el.getBoundingClientRect();
  const left = Math.max(box.left, 0), right = Math.min(box.right, vw);
  const top = Math.max(box.top, 0), bottom = Math.min(box.bottom, vh);
  let obscured = null;
  let offscreen = !(right > left && bottom > top);
  if (!offscreen) {
    const x = (left + right) / 2, y = (top + bottom) / 2;
    const hit = document.elementFromPoint(x, y);
    if (!hit || !(hit === el || el.contains(hit))) {
      obscured = hit ? { selector: T.cssPath(hit), html: T.snippet(hit) } : { selector: '(nothing)', html: '' };
    }
  }
  return {
    selector: T.cssPath(el),
    html: T.snippet(el),
    outline: outline ? `${cs.outlineStyle} ${cs.outlineWidth} ${cs.outlineColor}` : null,
    shadow: shadow ? cs.boxShadow : null,
    visible: Boolean(outline || shadow),
    offscreen,
    obscured,
    size: `${Math.round(box.width)}x${Math.round(box.height)}`,
  };
}

/** Elements that stick out to the right of a narrow viewport, outside scroll containers. */
export function horizontalOverflow() {
  const T = window.__aktsomTest;
  const vw = document.documentElement.clientWidth;
  // Is `el` clipped by a scroll container (overflow-x other than visible) on its chain of
  // containing blocks? An absolutely positioned element skips static ancestors: a
  // .visually-hidden span in a table cell is NOT clipped by .table-wrap unless something
  // between them is positioned, and then it widens the whole page.
  const clipped = (el) => {
    const positioned = (n) => {
      const cs = getComputedStyle(n);
      return cs.position !== 'static' || cs.transform !== 'none' || cs.contain.includes('paint') || cs.contain.includes('layout');
    };
    let n = el;
    while (n && n !== document.body && n !== document.documentElement) {
      const pos = getComputedStyle(n).position;
      if (pos === 'fixed') return false;
      let next = n.parentElement;
      if (pos === 'absolute') while (next && next !== document.body && !positioned(next)) next = next.parentElement;
      if (!next || next === document.body || next === document.documentElement) return false;
      if (getComputedStyle(next).overflowX !== 'visible') return true;
      n = next;
    }
    return false;
  };
  const out = [];
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.right > vw + 0.5 && r.width > 0 && !clipped(el)) {
      // Report the outermost offenders only.
      if (out.some((o) => o.el.contains(el))) continue;
      out.push({ el, selector: T.cssPath(el), html: T.snippet(el), right: Math.round(r.right) });
    }
  }
  return {
    scrollWidth: document.documentElement.scrollWidth,
    clientWidth: vw,
    offenders: out.slice(0, 5).map(({ el, ...rest }) => rest),
  };
}
