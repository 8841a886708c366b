/* aktsom comparisons in the browser: the twin of src/compare/ (myers.rs, diff.rs,
   diff_html.rs and comparison_page in mod.rs), for the pairs of years that have no
   static page.

   Every function here mirrors one there, with the same name where it can, and must
   give the same result: the same questions with the same status, and the same HTML for
   each answer's changes. The rules (thresholds) come from the page (config.rules, from
   diff::RULES), the answers from the reports' rapport.json, already cut into the units
   that are compared (paragraphs, list items, tables): nothing here parses Markdown.
   A unit's words are the unit split at single spaces (the build collapses white space).
   tests/compare_js.rs holds this file to the static pages for every neighbouring pair
   of the sample site, the fixtures and a generated corpus, and to myers.rs on random
   sequences. A change there needs the same change here.

   Pure functions, no DOM: compare.js draws the result, and node imports this file for
   the tests (it exports itself there). */
'use strict';

// eslint-disable-next-line no-unused-vars
const aktsomCompare = (() => {
  // ---- myers.rs: the sequence diff ------------------------------------------------

  /* The diff of a and b (arrays of strings, compared with ===) as alternating runs:
     {eq, a0, a1, b0, b1}. */
  function diff(a, b, maxDiff) {
    const m = new Matches();
    const p = commonPrefix(a, 0, a.length, b, 0, b.length);
    const s = commonSuffix(a, p, a.length, b, p, b.length);
    m.push(0, 0, p);
    const [ae, be] = [a.length - s, b.length - s];
    if (ae - p <= maxDiff && be - p <= maxDiff) matches(a, p, ae, b, p, be, m);
    m.push(ae, be, s);
    const runs = [];
    let i = 0;
    let j = 0;
    for (const [x, y, len] of m.list) {
      if (x > i || y > j) runs.push({ eq: false, a0: i, a1: x, b0: j, b1: y });
      runs.push({ eq: true, a0: x, a1: x + len, b0: y, b1: y + len });
      i = x + len;
      j = y + len;
    }
    if (i < a.length || j < b.length) runs.push({ eq: false, a0: i, a1: a.length, b0: j, b1: b.length });
    return runs;
  }

  class Matches {
    constructor() { this.list = []; }

    push(x, y, len) {
      if (len === 0) return;
      const last = this.list[this.list.length - 1];
      if (last && last[0] + last[2] === x && last[1] + last[2] === y) last[2] += len;
      else this.list.push([x, y, len]);
    }
  }

  function commonPrefix(a, a0, a1, b, b0, b1) {
    let n = 0;
    while (a0 + n < a1 && b0 + n < b1 && a[a0 + n] === b[b0 + n]) n++;
    return n;
  }

  function commonSuffix(a, a0, a1, b, b0, b1) {
    let n = 0;
    while (a1 - n > a0 && b1 - n > b0 && a[a1 - n - 1] === b[b1 - n - 1]) n++;
    return n;
  }

  /* The matches of a[a0..a1] and b[b0..b1]: their common start and end, and between
     them, split at the middle of a shortest edit path, each half in turn. */
  function matches(a, a0, a1, b, b0, b1, m) {
    const p = commonPrefix(a, a0, a1, b, b0, b1);
    m.push(a0, b0, p);
    const s = commonSuffix(a, a0 + p, a1, b, b0 + p, b1);
    const [as, ae, bs, be] = [a0 + p, a1 - s, b0 + p, b1 - s];
    if (ae > as && be > bs) {
      const split = bisect(a, as, ae, b, bs, be);
      if (split) {
        const [x, y] = split;
        matches(a, as, as + x, b, bs, bs + y, m);
        matches(a, as + x, ae, b, bs + y, be, m);
      }
    }
    m.push(ae, be, s);
  }

  /* Where a shortest edit path crosses its middle (myers.rs bisect, line by line). */
  function bisect(a, a0, a1, b, b0, b1) {
    const n = a1 - a0;
    const m = b1 - b0;
    const maxD = Math.floor((n + m + 1) / 2);
    const offset = maxD;
    const len = 2 * maxD;
    const v1 = new Int32Array(len + 2).fill(-1);
    const v2 = new Int32Array(len + 2).fill(-1);
    v1[offset + 1] = 0;
    v2[offset + 1] = 0;
    const delta = n - m;
    const front = delta % 2 !== 0;
    let k1start = 0;
    let k1end = 0;
    let k2start = 0;
    let k2end = 0;
    for (let d = 0; d < maxD; d++) {
      for (let k1 = -d + k1start; k1 <= d - k1end; k1 += 2) {
        const k1o = offset + k1;
        let x1 = (k1 === -d || (k1 !== d && v1[k1o - 1] < v1[k1o + 1])) ? v1[k1o + 1] : v1[k1o - 1] + 1;
        let y1 = x1 - k1;
        while (x1 < n && y1 < m && a[a0 + x1] === b[b0 + y1]) {
          x1++;
          y1++;
        }
        v1[k1o] = x1;
        if (x1 > n) {
          k1end += 2;
        } else if (y1 > m) {
          k1start += 2;
        } else if (front) {
          const k2o = offset + delta - k1;
          if (k2o >= 0 && k2o < len && v2[k2o] !== -1 && x1 >= n - v2[k2o]) return [x1, y1];
        }
      }
      for (let k2 = -d + k2start; k2 <= d - k2end; k2 += 2) {
        const k2o = offset + k2;
        let x2 = (k2 === -d || (k2 !== d && v2[k2o - 1] < v2[k2o + 1])) ? v2[k2o + 1] : v2[k2o - 1] + 1;
        let y2 = x2 - k2;
        while (x2 < n && y2 < m && a[a0 + n - x2 - 1] === b[b0 + m - y2 - 1]) {
          x2++;
          y2++;
        }
        v2[k2o] = x2;
        if (x2 > n) {
          k2end += 2;
        } else if (y2 > m) {
          k2start += 2;
        } else if (!front) {
          const k1o = offset + delta - k2;
          if (k1o >= 0 && k1o < len && v1[k1o] !== -1) {
            const x1 = v1[k1o];
            const y1 = offset + x1 - k1o;
            if (x1 >= n - x2) return [x1, y1];
          }
        }
      }
    }
    return null;
  }

  // ---- diff.rs: answers ---------------------------------------------------------------

  /* Escapes text for HTML as html::escape: & < > " ', and the characters HTML forbids
     (html::forbidden_in_html) become U+FFFD. */
  const NEEDS_ESCAPE = /[&<>"'\u0000-\u001f\u007f-\u009f\ufdd0-\ufdef\ufffe\uffff\udffe\udfff]/;
  function forbidden(n) {
    return ((n <= 0x1f || (n >= 0x7f && n <= 0x9f)) && n !== 0x09 && n !== 0x0a && n !== 0x0d && n !== 0x0c)
      || (n >= 0xfdd0 && n <= 0xfdef)
      || (n & 0xfffe) === 0xfffe;
  }
  function esc(s) {
    if (!NEEDS_ESCAPE.test(s)) return s;
    let out = '';
    for (const ch of s) {
      const n = ch.codePointAt(0);
      if (ch === '&') out += '&amp;';
      else if (ch === '<') out += '&lt;';
      else if (ch === '>') out += '&gt;';
      else if (ch === '"') out += '&quot;';
      else if (ch === "'") out += '&#39;';
      else if (forbidden(n)) out += '\ufffd';
      else out += ch;
    }
    return out;
  }

  /* A unit's words (the build joins them with single spaces). */
  function words(text) {
    return text === '' ? [] : text.split(' ');
  }

  /* The word pairs of a paragraph (its word if it has only one), as a multiset:
     {counts: pair → how many, size}. Words hold no space, so "a b" is one pair. */
  function shingles(w) {
    const counts = new Map();
    const add = (k) => counts.set(k, (counts.get(k) || 0) + 1);
    if (w.length < 2) for (const x of w) add(x);
    else for (let i = 0; i + 1 < w.length; i++) add(w[i] + ' ' + w[i + 1]);
    return { counts, size: w.length < 2 ? w.length : w.length - 1 };
  }

  /* Dice coefficient of two multisets. */
  function dice(a, b) {
    if (a.size === 0 && b.size === 0) return 1.0;
    let common = 0;
    for (const [k, n] of a.counts) {
      const m = b.counts.get(k);
      if (m) common += Math.min(n, m);
    }
    return 2.0 * common / (a.size + b.size);
  }

  /* A paragraph's sentences: runs of words up to one that ends a sentence, as word
     arrays with their text as key. */
  function sentences(w) {
    const out = [];
    let start = 0;
    for (let i = 0; i < w.length; i++) {
      if (i + 1 === w.length || /[.!?:;]$/.test(w[i])) {
        const ws = w.slice(start, i + 1);
        out.push({ words: ws, key: ws.join(' ') });
        start = i + 1;
      }
    }
    return out;
  }

  /* Builds the stretches of a word diff: {same: [words]} or {del: [..], ins: [..]}. */
  class Segs {
    constructor(rules) {
      this.list = [];
      this.rules = rules;
    }

    last() { return this.list[this.list.length - 1]; }

    same(w) {
      if (w.length === 0) return;
      const last = this.last();
      if (last && last.same) last.same.push(...w);
      else this.list.push({ same: w.slice() });
    }

    change(del, ins) {
      if (del.length === 0 && ins.length === 0) return;
      // A short island of unchanged words between two changes joins them.
      const n = this.list.length;
      if (n >= 2 && this.list[n - 2].del && this.list[n - 1].same
        && this.list[n - 1].same.length <= this.rules.island_words) {
        const island = this.list.pop().same;
        const c = this.last();
        c.del.push(...island);
        c.ins.push(...island);
      }
      const last = this.last();
      if (last && last.del) {
        last.del.push(...del);
        last.ins.push(...ins);
      } else {
        this.list.push({ del: del.slice(), ins: ins.slice() });
      }
    }

    /* The word-level diff of a and b. */
    words(a, b) {
      for (const r of diff(a, b, this.rules.max_diff)) {
        if (r.eq) this.same(a.slice(r.a0, r.a1));
        else this.change(a.slice(r.a0, r.a1), b.slice(r.b0, r.b1));
      }
    }
  }

  /* The word diff of two paragraphs (word arrays), sentences lined up first; and the
     number of words kept. */
  function wordDiff(a, b, rules) {
    const segs = new Segs(rules);
    const sa = sentences(a);
    const sb = sentences(b);
    const keys = (s) => s.map((x) => x.key);
    for (const r of diff(keys(sa), keys(sb), rules.max_diff)) {
      if (r.eq) for (const x of sa.slice(r.a0, r.a1)) segs.same(x.words);
      else changedSentences(segs, sa.slice(r.a0, r.a1), sb.slice(r.b0, r.b1), rules);
    }
    let kept = 0;
    for (const s of segs.list) if (s.same) kept += s.same.length;
    return [segs.list, kept];
  }

  function changedSentences(segs, old, nw, rules) {
    const span = (s) => s.flatMap((x) => x.words);
    const pair = (x, y) => {
      if (x.length > 0 && y.length > 0 && dice(shingles(x), shingles(y)) >= rules.pairable) segs.words(x, y);
      else segs.change(x, y);
    };
    if (old.length === nw.length) {
      for (let i = 0; i < old.length; i++) pair(old[i].words, nw[i].words);
    } else {
      pair(span(old), span(nw));
    }
  }

  /* A text as paragraphs: {key, words, shingles}. */
  function text(units) {
    return units.map((p) => {
      const w = words(p);
      return { key: p, words: w, shingles: shingles(w) };
    });
  }

  /* Paragraphs of the text diff: {same: n}, {edited: segs}, {removed: text},
     {added: text, words: n}, {moved: text}. */
  function paragraphs(ta, tb, rules) {
    const d = {
      paras: [],
      wordsA: ta.reduce((n, p) => n + p.words.length, 0),
      wordsB: tb.reduce((n, p) => n + p.words.length, 0),
      kept: 0,
    };
    const keys = (t) => t.map((p) => p.key);
    for (const r of diff(keys(ta), keys(tb), rules.max_diff)) {
      if (r.eq) {
        for (const p of ta.slice(r.a0, r.a1)) d.kept += p.words.length;
        same(d, r.a1 - r.a0);
      } else {
        pairUp(d, ta.slice(r.a0, r.a1), tb.slice(r.b0, r.b1), rules);
      }
    }
    moves(d);
    return d;
  }

  function same(d, n) {
    const last = d.paras[d.paras.length - 1];
    if (last && last.same !== undefined) last.same += n;
    else d.paras.push({ same: n });
  }

  function rewritten(d, rules) {
    const kept = d.kept;
    return Math.max(d.wordsA, d.wordsB) >= rules.min_rewritten_words
      && kept < rules.rewritten * d.wordsA
      && kept < rules.rewritten * d.wordsB;
  }

  /* Paragraphs removed in one place and added unchanged in another were moved. */
  function moves(d) {
    const removed = new Map();
    d.paras.forEach((p, i) => {
      if (p.removed !== undefined) {
        if (!removed.has(p.removed)) removed.set(p.removed, []);
        removed.get(p.removed).push(i);
      }
    });
    if (removed.size === 0) return;
    const gone = new Set();
    const moved = new Set();
    d.paras.forEach((p, i) => {
      if (p.added !== undefined) {
        const q = removed.get(p.added);
        if (q && q.length) {
          gone.add(q.shift());
          moved.add(i);
        }
      }
    });
    if (moved.size === 0) return;
    const paras = d.paras;
    d.paras = [];
    paras.forEach((p, i) => {
      if (gone.has(i)) return;
      if (p.same !== undefined) same(d, p.same);
      else if (moved.has(i)) {
        d.kept += p.words;
        d.paras.push({ moved: p.added });
      } else d.paras.push(p);
    });
  }

  function pairUp(d, old, nw, rules) {
    let j = 0;
    const added = (q) => ({ added: q.key, words: q.words.length });
    for (const p of old) {
      let found = null;
      for (let k = j; k < nw.length && k < j + rules.pair_window; k++) {
        const q = nw[k];
        if (dice(p.shingles, q.shingles) < rules.pairable) continue;
        const [segs, kept] = wordDiff(p.words, q.words, rules);
        if (2.0 * kept >= rules.readable * (p.words.length + q.words.length)) {
          found = [k, segs, kept];
          break;
        }
      }
      if (found) {
        const [k, segs, kept] = found;
        for (const q of nw.slice(j, k)) d.paras.push(added(q));
        d.paras.push({ edited: segs });
        d.kept += kept;
        j = k + 1;
      } else {
        d.paras.push({ removed: p.key });
      }
    }
    for (const q of nw.slice(j)) d.paras.push(added(q));
  }

  /* Rows lined up by content; rows changed between two equal ones pair up where alike:
     [{kind: same|added|removed|changed, row, old}] and {skipped: n}. */
  function diffRows(a, b, keepSame, rules) {
    const key = (r) => JSON.stringify(r);
    const out = [];
    for (const r of diff(a.map(key), b.map(key), rules.max_diff)) {
      if (r.eq && keepSame) {
        for (const row of a.slice(r.a0, r.a1)) out.push({ kind: 'same', row });
      } else if (r.eq) {
        const last = out[out.length - 1];
        if (last && last.skipped) last.skipped += r.a1 - r.a0;
        else out.push({ skipped: r.a1 - r.a0 });
      } else {
        const alike = (x, y) => {
          if (x[0] === y[0]) return true;
          let n = Math.abs(x.length - y.length);
          for (let k = 0; k < Math.min(x.length, y.length); k++) if (x[k] !== y[k]) n++;
          return n <= 1;
        };
        const nw = b.slice(r.b0, r.b1);
        let j = 0;
        for (const x of a.slice(r.a0, r.a1)) {
          let k = j;
          while (k < nw.length && !alike(x, nw[k])) k++;
          if (k < nw.length) {
            for (const row of nw.slice(j, k)) out.push({ kind: 'added', row });
            out.push({ kind: 'changed', old: x, row: nw[k] });
            j = k + 1;
          } else {
            out.push({ kind: 'removed', row: x });
          }
        }
        for (const row of nw.slice(j)) out.push({ kind: 'added', row });
      }
    }
    return out;
  }

  // ---- diff_html.rs: HTML ---------------------------------------------------------

  /* Writes a diff's HTML: Html in diff_html.rs, method by method (its `same` is
     inline in `edited` here). */
  class Html {
    constructor(t, rules) {
      this.out = '';
      this.t = t;
      this.rules = rules;
    }

    s(key) { return this.t[key] || ''; }

    wordsInto(w) { this.out += w.map(esc).join(' '); }

    mark(added, body) {
      const tag = added ? 'ins' : 'del';
      this.out += `<${tag}><span>${esc(this.s(added ? 'diff_added' : 'diff_removed'))} </span>`;
      body();
      this.out += `</${tag}>`;
    }

    /* A paragraph's words shown briefly, and whether some were left out. */
    firstWords(text) {
      const w = words(text);
      if (w.length > this.rules.brief_full) return [w.slice(0, this.rules.brief_words), true];
      return [w, false];
    }

    brief(text, added) {
      const [w, cut] = added ? [words(text), false] : this.firstWords(text);
      this.mark(added, () => {
        this.wordsInto(w);
        if (cut) this.out += ' ' + this.rules.elided;
      });
    }

    edited(segs, context) {
      const last = Math.max(segs.length - 1, 0);
      segs.forEach((seg, idx) => {
        if (idx > 0) this.out += ' ';
        if (seg.same) {
          const w = seg.same;
          const [head, tail] = context === null ? [w.length, w.length]
            : [idx === 0 ? 0 : context, idx === last ? 0 : context];
          if (w.length > head + tail + 2) {
            if (head > 0) {
              this.wordsInto(w.slice(0, head));
              this.out += ' ';
            }
            this.out += this.rules.elided;
            if (tail > 0) {
              this.out += ' ';
              this.wordsInto(w.slice(w.length - tail));
            }
          } else {
            this.wordsInto(w);
          }
        } else {
          if (seg.del.length) this.mark(false, () => this.wordsInto(seg.del));
          if (seg.ins.length) {
            if (seg.del.length) this.out += ' ';
            this.mark(true, () => this.wordsInto(seg.ins));
          }
        }
      });
    }

    elided(n, one, many) {
      const text = n === 1 ? this.s(one) : this.s(many).replaceAll('{n}', String(n));
      this.out += `<p class="elided">${this.rules.elided} ${esc(text)}</p>`;
    }

    text(d) {
      for (const p of d.paras) {
        if (p.same !== undefined) {
          this.elided(p.same, 'diff_same_paragraph', 'diff_same_paragraphs');
        } else if (p.edited) {
          this.out += '<p>';
          this.edited(p.edited, this.rules.context_words);
          this.out += '</p>';
        } else if (p.moved !== undefined) {
          this.out += `<p class="moved"><span class="moved-label">${esc(this.s('diff_moved'))}</span> `;
          const [w, cut] = this.firstWords(p.moved);
          this.wordsInto(w);
          if (cut) this.out += ' ' + this.rules.elided;
          this.out += '</p>';
        } else {
          this.out += '<p>';
          this.brief(p.added !== undefined ? p.added : p.removed, p.added !== undefined);
          this.out += '</p>';
        }
      }
    }

    table(caption, head, rows, ids) {
      const id = ids.next();
      const cap = caption === '' ? this.s('diff_table') : `${caption} – ${this.s('diff_table_changes')}`;
      this.out += `<div class="table-wrap" role="region" tabindex="0" aria-labelledby="${id}"><table class="diff-table"><caption id="${id}">${esc(cap)}</caption><thead><tr><th scope="col">${esc(this.s('diff_change'))}</th>`;
      for (const h of head) this.out += `<th scope="col">${esc(h)}</th>`;
      this.out += '</tr></thead><tbody>';
      let skipped = 0;
      const KIND = {
        same: ['row-same', 'diff_row_same'],
        added: ['row-added', 'diff_row_added'],
        removed: ['row-removed', 'diff_row_removed'],
        changed: ['row-changed', 'diff_row_changed'],
      };
      for (const row of rows) {
        if (row.skipped) {
          skipped += row.skipped;
          continue;
        }
        const [cls, label] = KIND[row.kind];
        this.out += `<tr class="${cls}"><td>${esc(this.s(label))}</td>`;
        if (row.kind === 'changed') {
          const [x, y] = [row.old, row.row];
          for (let k = 0; k < Math.max(x.length, y.length); k++) {
            const [o, n] = [x[k] ?? '', y[k] ?? ''];
            this.out += '<td>';
            if (o === n) this.out += esc(n);
            else this.edited(wordDiff(words(o), words(n), this.rules)[0], null);
            this.out += '</td>';
          }
        } else {
          for (const c of row.row) this.out += `<td>${esc(c)}</td>`;
        }
        this.out += '</tr>';
      }
      this.out += '</tbody></table></div>';
      if (skipped > 0) this.elided(skipped, 'diff_same_row', 'diff_same_rows');
    }
  }

  /* Ids for the diff tables of one question's answer: endringer-<question>-<n>. */
  function tableIds(number) {
    const prefix = `endringer-${anchorOf(number)}`;
    let n = 0;
    return { next: () => `${prefix}-${++n}` };
  }

  function anchorOf(number) {
    return number.replaceAll('.', '-').toLowerCase();
  }

  const isTable = (b) => typeof b !== 'string';
  const equal = (x, y) => JSON.stringify(x) === JSON.stringify(y);

  /* The answer to `number` shown whole (a new or a removed question). */
  function whole(number, blocks, added, t, rules) {
    const ids = tableIds(number);
    const h = new Html(t, rules);
    for (const b of blocks) {
      if (!isTable(b)) {
        h.out += '<p>';
        h.brief(b, added);
        h.out += '</p>';
      } else {
        h.table(b.caption, b.head, b.rows.map((row) => ({ kind: added ? 'added' : 'removed', row })), ids);
      }
    }
    return h.out;
  }

  /* The diff of two answers: {html, rewritten}. */
  function diffBlocks(number, a, b, t, rules) {
    const ids = tableIds(number);
    const h = new Html(t, rules);
    let isRewritten = false;
    const [pa, pb] = [a.filter((x) => !isTable(x)), b.filter((x) => !isTable(x))];
    if (!equal(pa, pb)) {
      const d = paragraphs(text(pa), text(pb), rules);
      if (rewritten(d, rules)) isRewritten = true;
      else h.text(d);
    }
    const [ta, tb] = [a.filter(isTable), b.filter(isTable)];
    for (let k = 0; k < Math.max(ta.length, tb.length); k++) {
      const [x, y] = [ta[k], tb[k]];
      if (x && y) {
        // A caption that changed with the year is no change of the table.
        if (equal(x.rows, y.rows) && equal(x.head, y.head)) continue;
        const rows = diffRows(x.rows, y.rows, !equal(x.head, y.head), rules);
        h.table(y.caption === '' ? x.caption : y.caption, y.head, rows, ids);
      } else if (y) {
        h.table(y.caption, y.head, y.rows.map((row) => ({ kind: 'added', row })), ids);
      } else {
        h.table(x.caption, x.head, x.rows.map((row) => ({ kind: 'removed', row })), ids);
      }
    }
    return { html: h.out, rewritten: isRewritten };
  }

  // ---- mod.rs: a comparison page --------------------------------------------------

  /* The numbered sections of a rapport.json: number → section. */
  function numbered(report) {
    const out = new Map();
    for (const s of report.sections) if (s.number !== null) out.set(s.number, s);
    return out;
  }

  /* Replaces every {key} in a string. */
  function fill(s, values) {
    let out = s || '';
    for (const [k, v] of Object.entries(values)) out = out.replaceAll(`{${k}}`, String(v));
    return out;
  }

  /* The comparison of the config's years `a` and `b` (entries of config.years) from
     their reports (parsed rapport.json): what comparison_page shows. */
  function compare(config, a, b, reportA, reportB) {
    const t = config.strings;
    const rules = config.rules;
    const [ta, tb] = [config.templates[a.template] || [], config.templates[b.template] || []];
    const [sa, sb] = [numbered(reportA), numbered(reportB)];
    const posB = new Map(tb.map(([n], i) => [n, i]));
    const titleOf = (tmpl, n) => (tmpl.find((q) => q[0] === n) || [])[1];

    // Line the questions up in the later template's order; numbers only the earlier
    // template has are placed after their predecessor there.
    const order = [];
    for (const [n] of tb) if (sa.has(n) || sb.has(n)) order.push([posB.get(n), n]);
    ta.forEach(([n], k) => {
      if (!posB.has(n) && sa.has(n)) {
        let before = -1;
        for (let i = k - 1; i >= 0; i--) {
          if (posB.has(ta[i][0])) {
            before = posB.get(ta[i][0]);
            break;
          }
        }
        order.push([before + 0.5, n]);
      }
    });
    order.sort((x, y) => x[0] - y[0]);

    const questions = [];
    let [total, changed, nRewritten, added, removed] = [0, 0, 0, 0, 0];
    for (const [, number] of order) {
      const title = titleOf(tb, number) ?? titleOf(ta, number) ?? number;
      const depth = number.split('.').length;
      const [x, y] = [sa.get(number), sb.get(number)];
      let status;
      let html = null;
      if (x && y) {
        if (equal(x.blocks, y.blocks)) {
          status = 'unchanged';
        } else {
          const d = diffBlocks(number, x.blocks, y.blocks, t, rules);
          html = d.html === '' ? null : d.html;
          // Only a table caption changed (it often names the year): unchanged.
          status = d.rewritten ? 'rewritten' : html === null ? 'unchanged' : 'changed';
        }
      } else if (y) {
        status = 'new';
        html = whole(number, y.blocks, true, t, rules);
      } else {
        status = 'removed';
        html = whole(number, x.blocks, false, t, rules);
      }
      // Parts and groups with no text of their own in either year are structure only.
      if (depth < 3 && status === 'unchanged' && (!x || x.blocks.length === 0)) continue;
      if (depth === 3) {
        total++;
        if (status === 'changed') changed++;
        else if (status === 'rewritten') {
          changed++;
          nRewritten++;
        } else if (status === 'new') added++;
        else if (status === 'removed') removed++;
      }
      questions.push({
        number,
        title,
        depth,
        status,
        anchor: `q-${anchorOf(number)}`,
        from: x ? { year: a.year, anchor: x.anchor } : null,
        to: y ? { year: b.year, anchor: y.anchor } : null,
        diff: html,
      });
    }

    const figureChanges = [];
    for (const f of config.figures) {
      const [fx, fy] = [a.figures[f.id], b.figures[f.id]];
      const vx = fx ? fx[0] : null;
      const vy = fy ? fy[0] : null;
      if (vx !== vy) figureChanges.push({ label: f.label, from: fx ? fx[1] : null, to: fy ? fy[1] : null });
    }
    return {
      from: a.year,
      to: b.year,
      fromTemplate: a.template,
      toTemplate: b.template,
      summary: fill(t.compare_summary, { changed, total, new: added, removed }),
      summaryRewritten: nRewritten > 0 ? fill(t.compare_summary_rewritten, { rewritten: nRewritten }) : null,
      figureChanges,
      changedQuestions: questions.filter((q) => q.status !== 'unchanged' && (q.status !== 'rewritten' || q.diff !== null)),
      rewrittenQuestions: questions.filter((q) => q.status === 'rewritten' && q.diff === null),
      unchangedQuestions: questions.filter((q) => q.status === 'unchanged'),
    };
  }

  /* The years of an address's fragment (#2019-2024): {from, to} in order, or
     {error: key, values} for compare.js to show. */
  function parseHash(hash, years) {
    const m = /^#?(\d{4})-(\d{4})$/.exec(hash);
    if (!m) return { error: 'compare_any_bad_address' };
    let [a, b] = [Number(m[1]), Number(m[2])];
    if (a === b) return { error: 'compare_any_same_year', values: { year: a } };
    if (a > b) [a, b] = [b, a];
    for (const y of [a, b]) if (!years.includes(y)) return { error: 'compare_any_no_year', values: { year: y } };
    return { from: a, to: b };
  }

  return { diff, compare, parseHash, fill, esc };
})();

if (typeof module === 'object' && module.exports) module.exports = aktsomCompare;
