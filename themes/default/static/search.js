/* aktsom search: queries the static index under sok/indeks/ (built by src/search/).
   Plain JavaScript, no framework. tokens() and fold() mirror src/search/text.rs.
   The engine part also runs in node (bench/search/run): it exports itself there.
   Whatever is looked up by a query word or a URL parameter is a Map, a Set or an object
   without a prototype, so that `constructor` or `__proto__` finds nothing. */
(function () {
  'use strict';

  var TOKEN = /(?<![\p{Alphabetic}\p{N}.])[1-9]\.[A-Za-z](?:\.\d{1,2})?(?![\p{Alphabetic}\p{N}])|[\p{Alphabetic}\p{N}]+/gu;
  var QNUM = /^[1-9]\.[a-z](\.\d{1,2})?$/;
  var FOLD = { 'ø': 'o', 'ö': 'o', 'ó': 'o', 'ò': 'o', 'ô': 'o', 'õ': 'o', 'æ': 'ae', 'ä': 'ae',
    'å': 'a', 'á': 'a', 'à': 'a', 'â': 'a', 'ã': 'a', 'é': 'e', 'è': 'e', 'ê': 'e', 'ë': 'e',
    'í': 'i', 'ì': 'i', 'î': 'i', 'ï': 'i', 'ú': 'u', 'ù': 'u', 'û': 'u', 'ü': 'u', 'ý': 'y',
    'ÿ': 'y', 'ç': 'c', 'ñ': 'n', 'ß': 'ss' };
  var FOLDABLE = new RegExp('[' + Object.keys(FOLD).join('') + ']', 'g');
  // Match weights: exact form, other form of the stem, compound part with its exact
  // form, other compound part; a completion of the word being typed; a member's name.
  var W_EXACT = 1, W_STEM = 0.7, W_PART_EXACT = 0.5, W_PART = 0.4, W_PREFIX = 0.8;
  var MEMBER_BOOST = 50, COMPLETIONS = 6, MEMBER_PAGES = 3;

  function fold(s) { return s.replace(FOLDABLE, function (c) { return FOLD[c]; }); }
  /* A question number as people type it, without dots or spaces: `2 a 3` → `2a3`. */
  function qkey(s) { return s.toLowerCase().replace(/[\s.]+/g, ''); }

  /* Tokens of a text as [{t, i}] (the token as written, and where it starts). */
  function tokens(text) {
    var out = [], m;
    TOKEN.lastIndex = 0;
    while ((m = TOKEN.exec(text))) out.push({ t: m[0], i: m.index });
    return out;
  }

  /* Postings: base-64 digits (A–Z a–z 0–9 - _), numbers in 5-bit groups, low group
     first, a digit ≥ 32 meaning more follow: the number of postings n, then n record
     ids (each the difference from the previous one, from `base` first), n impacts,
     n masks. */
  var DIGIT = new Int8Array(128);
  'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'.split('').forEach(function (c, i) { DIGIT[c.charCodeAt(0)] = i; });
  function decode(s, base, into) {
    var nums = [], v = 0, mul = 1;
    for (var i = 0; i < s.length; i++) {
      var d = DIGIT[s.charCodeAt(i)];
      v += (d & 31) * mul;
      if (d >= 32) { mul *= 32; continue; }
      nums.push(v);
      v = 0;
      mul = 1;
    }
    var n = nums[0], doc = base;
    for (var k = 1; k <= n; k++) {
      doc += nums[k];
      into(doc, nums[k + n], nums[k + 2 * n]);
    }
  }

  function bsearch(arr, f) { // index of the last element with f(x) true (f monotone)
    var lo = 0, hi = arr.length;
    while (lo < hi) { var mid = (lo + hi) >> 1; if (f(arr[mid])) lo = mid + 1; else hi = mid; }
    return lo - 1;
  }

  /* A parsed JSON object keyed by words, made a map without a prototype. */
  function dict(o) { return Object.setPrototypeOf(o, null); }

  function Engine(indexUrl, fetchJson) {
    var dir = indexUrl.slice(0, indexUrl.lastIndexOf('/') + 1);
    var cache = new Map();
    function get(name, asDict) {
      var p = cache.get(name);
      if (!p) cache.set(name, p = asDict ? fetchJson(dir + name).then(dict) : fetchJson(dir + name));
      return p;
    }
    var self = this, loc = null, stop = null, firsts = null, memberTokens = null, questions = null;
    self.ready = get(indexUrl.slice(dir.length)).then(function (l) {
      loc = self.loc = l;
      // Reports by slot as [member, year, first record id, language], from the members
      // per year, in index order. A record's id is its report's slot × l.slot + the
      // number of its section among the member's sections.
      l.reports = [];
      l.years.forEach(function (y) {
        y[1].forEach(function (m) {
          var i = l.reports.length;
          l.reports.push([m, y[0], i * l.slot, l.lang[i]]);
        });
      });
      stop = new Set(l.stop);
      firsts = l.shards.map(function (s) { return s[0]; });
      memberTokens = l.members.map(function (m) {
        return tokens(m[0].toLowerCase()).map(function (x) { return fold(x.t); });
      });
      // Question pages by number as people type it: `2a3` for 2.A.3.
      questions = new Map((l.questions || []).map(function (q) { return [qkey(q[0]), q]; }));
    });

    function shardIndex(key) { return Math.max(0, bsearch(firsts, function (f) { return f <= key; })); }
    // Files keep their names; the URL carries a hash of the content (cacheable for ever).
    function shard(i) { return get('t/' + i + '.json?v=' + loc.shards[i][1], true); }
    function entry(key) {
      return shard(shardIndex(key)).then(function (s) { return s[key] || null; });
    }
    // Keys that start with `p`, from the shard that holds p and the next ones.
    function completions(p) {
      var i = shardIndex(p), list = [i];
      while (list.length < 3 && i + 1 < firsts.length && firsts[i + 1].indexOf(p) === 0) list.push(++i);
      return Promise.all(list.map(shard)).then(function (shards) {
        var found = [];
        shards.forEach(function (s) {
          for (var k in s) if (k !== p && k.indexOf(p) === 0 && s[k].d) found.push([k, s[k].d]);
        });
        found.sort(function (a, b) { return b[1] - a[1] || (a[0] < b[0] ? -1 : 1); });
        return found.slice(0, COMPLETIONS);
      });
    }
    function stemsOf(key, e) { return e ? (e.s || (e.f ? [key] : [])) : []; }

    self.report = function (doc) { return loc.reports[Math.floor(doc / loc.slot)]; };

    /* The query's words: folded, stop words and single letters dropped. */
    self.words = function (q) {
      return tokens(q.toLowerCase()).map(function (x) { return fold(x.t); }).filter(function (w) {
        return QNUM.test(w) || (w.length >= 2 && w.length <= 40 && !stop.has(w));
      });
    };

    /* One query word → the stems it reaches, with weights, and matching members. */
    function resolve(word, prefix) {
      return entry(word).then(function (e) {
        var keys = stemsOf(word, e).map(function (s) { return { stem: s, form: word, w: 1 }; });
        var more = prefix && word.length >= 2 ? completions(word) : Promise.resolve([]);
        return more.then(function (found) {
          return Promise.all(found.map(function (f) { return entry(f[0]); })).then(function (es) {
            es.forEach(function (e2, k) {
              stemsOf(found[k][0], e2).forEach(function (s) { keys.push({ stem: s, form: found[k][0], w: W_PREFIX }); });
            });
            if (keys.length || word.length < 5) return keys;
            // An unknown form: try the word without its last letters, as a stem.
            var tries = [1, 2, 3, 4].map(function (k) { return word.slice(0, -k); });
            return Promise.all(tries.map(entry)).then(function (es3) {
              for (var k = 0; k < es3.length; k++) {
                if (es3[k] && es3[k].f) return [{ stem: tries[k], form: null, w: W_STEM }];
              }
              return keys;
            });
          });
        });
      }).then(function (keys) {
        var members = [];
        memberTokens.forEach(function (toks, m) {
          if (toks.some(function (t) { return t === word || (prefix && word.length >= 3 && t.indexOf(word) === 0); })) members.push(m);
        });
        return { word: word, keys: keys, members: members };
      });
    }

    /* Calls fn(doc, impact, mask) for each posting of stem `key` (its entry e): inline,
       in a pack (file q/<q>.json, the postings of a run of stems, by stem) or in chunks,
       of which only those that can hold one of `cands` are fetched, when given. */
    function postings(key, e, cands, fn) {
      if (e.p !== undefined) { decode(e.p, 0, fn); return null; }
      if (e.q !== undefined) {
        return get('q/' + e.q + '.json?v=' + e.h, true).then(function (pack) { decode(pack[key], 0, fn); });
      }
      // Chunk b (file p/<k>-<b>.json) holds the records of report slots b·2^r …
      // (b+1)·2^r - 1.
      var span = Math.pow(2, e.r) * loc.slot, chunks = [];
      for (var c = 0; c < e.c.length; c += 2) {
        var first = e.c[c] * span;
        if (!cands || overlaps(cands, first, first + span - 1)) chunks.push([first, 'p/' + e.k + '-' + e.c[c] + '.json?v=' + e.c[c + 1]]);
      }
      return Promise.all(chunks.map(function (c) { return get(c[1]); })).then(function (cs) {
        cs.forEach(function (s, i) { decode(s, chunks[i][0], fn); });
      });
    }
    function memberKey(m) { return '#' + m; } // lists every record of member m

    function overlaps(cands, first, last) {
      var k = bsearch(cands, function (d) { return d < first; }) + 1;
      return k < cands.length && cands[k] <= last;
    }

    /* The scores of one word's records; `cands` (sorted) limits the chunks fetched. */
    function score(r, entries, cands) {
      var scores = new Map();
      var jobs = r.keys.map(function (k) {
        var e = entries.get(k.stem);
        if (!e) return null;
        var bit = k.form === null ? -1 : e.f.indexOf(k.form);
        var idf = Math.log(1 + (loc.docs - e.n + 0.5) / (e.n + 0.5));
        var add = function (doc, impact, mask) {
          var exact = bit >= 0 && (mask >> (bit + 1)) & 1;
          var w = mask & 1 ? (exact ? W_EXACT : W_STEM) : (exact ? W_PART_EXACT : W_PART);
          var s = impact * idf * w * k.w;
          if (!(scores.get(doc) >= s)) scores.set(doc, s);
        };
        return postings(k.stem, e, cands, add);
      });
      // A member's name: a bonus for each of the member's records.
      var boost = new Set();
      var more = r.members.map(function (m) {
        var e = entries.get(memberKey(m));
        return e ? postings(memberKey(m), e, cands, function (doc) { boost.add(doc); }) : null;
      });
      return Promise.all(jobs.concat(more)).then(function () {
        boost.forEach(function (d) { scores.set(d, (scores.get(d) || 0) + MEMBER_BOOST); });
        return scores;
      });
    }

    /* The pages a query names, to show before the sections: the question page of a
       question number (`2.A.3`, `2a3`, `2 a 3`), then the pages of the members whose
       names hold every word of the query (the last one may be the start of a name's
       word) when at most MEMBER_PAGES members do. Each {kind, url (from the site's
       base), title, number (a question's), member (a member's index)}. */
    self.pages = function (q) {
      var out = [], lower = q.toLowerCase();
      var asNumber = questions.get(qkey(lower));
      var numbers = asNumber ? [asNumber] : [];
      tokens(lower).forEach(function (x) {
        var e = QNUM.test(x.t) && questions.get(qkey(x.t));
        if (e && numbers.indexOf(e) < 0) numbers.push(e);
      });
      numbers.forEach(function (e) {
        out.push({ kind: 'question', url: e[1], title: e[2], number: e[0] });
      });
      var words = tokens(lower).map(function (x) { return fold(x.t); });
      if (!words.length || asNumber) return out;
      var prefix = !/\s$/.test(q), found = [];
      memberTokens.forEach(function (toks, m) {
        var all = words.every(function (w, i) {
          return toks.some(function (t) {
            return t === w || (prefix && i === words.length - 1 && w.length >= 3 && t.indexOf(w) === 0);
          });
        });
        if (all) found.push(m);
      });
      if (found.length > MEMBER_PAGES) return out;
      // The member whose name the words cover best first.
      found.sort(function (a, b) { return memberTokens[a].length - memberTokens[b].length || a - b; });
      found.forEach(function (m) {
        var row = loc.members[m];
        out.push({ kind: 'member', url: 'medlemmer/' + row[2] + '/', title: row[0], member: m });
      });
      return out;
    };

    /* Runs a query. The last word is also completed unless the query ends in a space.
       Resolves to {words, hits: [{doc, score}] best first, marks: forms to highlight}. */
    self.search = function (q) {
      return self.ready.then(function () {
        // A question number typed without its dots (`2a3`) finds its sections too.
        var asNumber = questions.get(qkey(q));
        var words = self.words(asNumber ? asNumber[0] : q);
        var prefixLast = !/\s$/.test(q);
        return Promise.all(words.map(function (w, i) { return resolve(w, prefixLast && i === words.length - 1); }));
      }).then(function (rs) {
        var stems = new Set();
        rs.forEach(function (r) {
          r.keys.forEach(function (k) { stems.add(k.stem); });
          r.members.forEach(function (m) { stems.add(memberKey(m)); });
        });
        var names = Array.from(stems);
        return Promise.all(names.map(entry)).then(function (es) {
          var entries = new Map(), marks = new Set();
          names.forEach(function (s, i) { if (es[i]) entries.set(s, es[i]); });
          var size = function (key) { var e = entries.get(key); return e ? e.n : 0; };
          rs.forEach(function (r) {
            marks.add(r.word);
            r.keys.forEach(function (k) {
              if (k.form) marks.add(k.form);
              var e = entries.get(k.stem);
              if (e && e.f && k.w === 1) e.f.forEach(function (f) { marks.add(f); });
            });
            r.size = r.keys.reduce(function (n, k) { return n + size(k.stem); }, 0);
            r.members.forEach(function (m) { r.size += size(memberKey(m)); });
          });
          var result = { words: rs.map(function (r) { return r.word; }), hits: [], marks: marks, pages: self.pages(q) };
          if (!rs.length || rs.some(function (r) { return !r.keys.length && !r.members.length; })) return result;
          // Every word must match (AND): rarest word first, then only the chunks of
          // the other words that can hold its records.
          rs.sort(function (a, b) { return a.size - b.size; });
          var acc = null;
          var step = function (k) {
            if (k === rs.length || (acc && !acc.size)) return acc;
            var cands = acc ? Array.from(acc.keys()).sort(function (a, b) { return a - b; }) : null;
            return score(rs[k], entries, cands).then(function (s) {
              if (!acc) acc = s;
              else {
                var next = new Map();
                acc.forEach(function (v, d) { if (s.has(d)) next.set(d, v + s.get(d)); });
                acc = next;
              }
              return step(k + 1);
            });
          };
          return Promise.resolve(step(0)).then(function (acc2) {
            var hits = [];
            (acc2 || new Map()).forEach(function (v, d) { hits.push({ doc: d, score: v, r: self.report(d) }); });
            hits.sort(function (a, b) { return b.score - a.score || b.r[1] - a.r[1] || a.doc - b.doc; });
            result.hits = hits;
            return result;
          });
        });
      });
    };

    /* A record's excerpt as {a: anchor, n: number, t: title, x: text}, from its
       member's excerpt file that holds the section: member m's file b (x/m/b.json)
       holds a run of its sections, from section loc.members[m][4][b] ({f: first
       section, s: the sections}; each section in every year, each line of text once). */
    self.excerpt = function (doc) {
      var r = self.report(doc), g = doc - r[2], m = loc.members[r[0]];
      var b = Math.max(0, bsearch(m[4], function (first) { return first <= g; }));
      return get('x/' + r[0] + '/' + b + '.json?v=' + m[3]).then(function (f) {
        var s = f.s[g - f.f];
        var y = s && s.y.find(function (e) { return e[0] === r[1]; });
        if (!y) throw new Error('no excerpt for record ' + doc);
        return { a: y[1], n: y[2], t: y[3], x: y[4].map(function (i) { return s.l[i]; }).join('\n') };
      });
    };
  }

  /* A short passage of `text` around the most matched words, as [text, marked?] pieces. */
  function snippet(text, marks, size) {
    var toks = tokens(text), hit = toks.map(function (x) {
      var f = fold(x.t.toLowerCase());
      if (marks.has(f)) return true;
      for (var m of marks) if (m.length >= 5 && f.length > m.length && f.slice(-m.length) === m) return true;
      return false;
    });
    var best = 0, bestN = -1;
    for (var i = 0; i < toks.length; i++) {
      if (!hit[i]) continue;
      var seen = new Set();
      for (var j = i; j < Math.min(toks.length, i + size); j++) if (hit[j]) seen.add(fold(toks[j].t.toLowerCase()));
      if (seen.size > bestN) { bestN = seen.size; best = i; }
    }
    var from = Math.max(0, best - 6), to = Math.min(toks.length, from + size);
    if (!toks.length) return [];
    var start = toks[from].i, end = to < toks.length ? toks[to - 1].i + toks[to - 1].t.length : text.length;
    var pieces = [], pos = start;
    for (var k = from; k < to; k++) {
      if (!hit[k]) continue;
      pieces.push([text.slice(pos, toks[k].i), false], [toks[k].t, true]);
      pos = toks[k].i + toks[k].t.length;
    }
    pieces.push([text.slice(pos, end), false]);
    if (from > 0) pieces.unshift(['… ', false]);
    if (end < text.length) pieces.push([' …', false]);
    return pieces;
  }

  if (typeof module === 'object' && module.exports) {
    module.exports = { Engine: Engine, tokens: tokens, fold: fold, snippet: snippet, decode: decode };
  }
  if (typeof document === 'undefined') return;

  /* The page. */
  var app = document.getElementById('sok-app');
  if (!app) return;
  var $ = function (id) { return document.getElementById(id); };
  var T = JSON.parse($('sok-tekster').textContent), SECTORS = new Map(Object.entries(T.sectors));
  var input = $('sok-q'), form = input.form, status = $('sok-status'), list = $('sok-treff');
  var more = $('sok-mer'), section = $('sok-resultater'), failed = $('sok-feil');
  var selects = { medlem: $('sok-medlem'), ar: $('sok-ar'), sektor: $('sok-sektor') };
  var PAGE = 10, base = app.getAttribute('data-base');
  var engine = new Engine(app.getAttribute('data-index'), function (url) {
    return fetch(url).then(function (r) { if (!r.ok) throw new Error(url + ': ' + r.status); return r.json(); });
  });
  var state = { q: '', medlem: '', ar: '', sektor: '' }, shown = PAGE, current = null, runs = 0, timer = 0;

  function fromUrl() {
    var p = new URLSearchParams(location.search);
    Object.keys(state).forEach(function (k) { state[k] = p.get(k) || ''; });
    input.value = state.q;
  }
  function toUrl(push) {
    var p = new URLSearchParams();
    Object.keys(state).forEach(function (k) { if (state[k]) p.set(k, state[k]); });
    var url = location.pathname + (p.toString() ? '?' + p : '');
    if (url === location.pathname + location.search) return;
    history[push ? 'pushState' : 'replaceState'](null, '', url);
  }
  function say(text) { status.textContent = text; }
  function fail() { failed.hidden = false; section.hidden = true; say(''); }

  function keyOf(h, facet) {
    var m = engine.loc.members[h.r[0]];
    return facet === 'medlem' ? m[2] : facet === 'ar' ? String(h.r[1]) : m[1];
  }
  function passes(h, except) {
    return Object.keys(selects).every(function (f) { return f === except || !state[f] || keyOf(h, f) === state[f]; });
  }

  function fillSelect(facet, hits) {
    var counts = new Map(), sel = selects[facet];
    hits.forEach(function (h) { if (passes(h, facet)) { var k = keyOf(h, facet); counts.set(k, (counts.get(k) || 0) + 1); } });
    if (state[facet] && !counts.has(state[facet])) counts.set(state[facet], 0);
    var label = function (k) {
      if (facet === 'medlem') { var m = engine.loc.members.find(function (x) { return x[2] === k; }); return m ? m[0] : k; }
      return facet === 'sektor' ? (SECTORS.get(k) || k) : k;
    };
    var opts = Array.from(counts.keys());
    opts.sort(facet === 'ar' ? function (a, b) { return b - a; } : function (a, b) { return label(a).localeCompare(label(b), T.lang); });
    while (sel.options.length > 1) sel.remove(1);
    opts.forEach(function (k) { sel.add(new Option(label(k) + ' (' + counts.get(k) + ')', k, false, k === state[facet])); });
    sel.value = state[facet];
  }

  /* A page the query names (a question's or a member's), before the sections. */
  function pageItem(pg) {
    var li = document.createElement('li'), head = document.createElement('h3'), a = document.createElement('a');
    li.className = 'sok-side';
    a.href = base + pg.url;
    if (pg.number) {
      var n = document.createElement('span');
      n.className = 'qnum';
      n.textContent = pg.number;
      a.append(n, ' ');
    }
    var src = document.createElement('span');
    src.className = 'sok-source';
    if (pg.kind === 'question') src.textContent = T.question_page;
    else src.textContent = T.member_page + ', ' + (SECTORS.get(engine.loc.members[pg.member][1]) || '');
    a.append(pg.title, ' ', src);
    head.append(a);
    li.append(head);
    return li;
  }

  function item(h, x, marks) {
    var li = document.createElement('li'), head = document.createElement('h3'), a = document.createElement('a');
    var m = engine.loc.members[h.r[0]];
    a.href = base + 'medlemmer/' + m[2] + '/' + h.r[1] + '/#' + x.a;
    if (x.n) {
      var n = document.createElement('span');
      n.className = 'qnum';
      n.textContent = x.n;
      a.append(n, ' ');
    }
    var src = document.createElement('span');
    src.className = 'sok-source';
    src.textContent = m[0] + ', ' + h.r[1] + (h.r[3] ? ' (' + T.english + ')' : '');
    a.append(x.t, ' ', src);
    head.append(a);
    var p = document.createElement('p');
    p.className = 'sok-excerpt';
    if (h.r[3]) p.lang = h.r[3];
    // Blocks (paragraphs, list items, table rows) are lines: join them readably.
    var text = x.x.replace(/([.!?:…])\n/g, '$1 ').replace(/\n/g, ' · ');
    snippet(text, marks, 32).forEach(function (piece) {
      if (!piece[1]) { p.append(piece[0]); return; }
      var mk = document.createElement('mark');
      mk.textContent = piece[0];
      p.append(mk);
    });
    li.append(head, p);
    return li;
  }

  function render(focusFrom) {
    var res = current, n = 0;
    if (!res) return;
    Object.keys(selects).forEach(function (f) { fillSelect(f, res.hits); });
    $('sok-filters').hidden = !res.hits.length;
    var hits = res.hits.filter(function (h) { return passes(h, null); });
    var filtered = Object.keys(selects).some(function (f) { return state[f]; });
    var text = hits.length === 0 ? T.none : hits.length === 1 ? T.one : T.many;
    n = hits.length;
    text = text.replace('{n}', n.toLocaleString(T.lang)).replace('{q}', state.q.trim());
    if (filtered && n) text += ' ' + T.filtered;
    var page = hits.slice(0, shown), run = runs;
    // The pages the query names come first, unless the hits are narrowed down.
    var pages = filtered ? [] : res.pages.map(pageItem);
    return Promise.all(page.map(function (h) { return engine.excerpt(h.doc); })).then(function (xs) {
      if (run !== runs) return;
      list.replaceChildren.apply(list, pages.concat(xs.map(function (x, i) { return item(page[i], x, res.marks); })));
      section.hidden = !n && !pages.length;
      more.hidden = hits.length <= shown;
      say(text);
      var next = focusFrom === undefined ? null : list.children[pages.length + focusFrom];
      if (next) next.querySelector('a').focus();
    }, fail);
  }

  function run() {
    var run = ++runs;
    shown = PAGE;
    if (!state.q.trim()) {
      current = null;
      section.hidden = true;
      $('sok-filters').hidden = true;
      say('');
      return;
    }
    list.setAttribute('aria-busy', 'true');
    engine.search(state.q).then(function (res) {
      if (run !== runs) return;
      current = res;
      list.removeAttribute('aria-busy');
      return render();
    }).catch(fail);
  }

  input.addEventListener('input', function () {
    clearTimeout(timer);
    timer = setTimeout(function () { state.q = input.value; toUrl(false); run(); }, 250);
  });
  form.addEventListener('submit', function (e) {
    e.preventDefault();
    clearTimeout(timer);
    state.q = input.value;
    toUrl(true);
    run();
  });
  Object.keys(selects).forEach(function (f) {
    selects[f].addEventListener('change', function () {
      state[f] = selects[f].value;
      shown = PAGE;
      toUrl(true);
      render();
    });
  });
  more.addEventListener('click', function () {
    var from = shown;
    shown += PAGE;
    render(from);
  });
  window.addEventListener('popstate', function () { fromUrl(); run(); });
  fromUrl();
  run();
})();
