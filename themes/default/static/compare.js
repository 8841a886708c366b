/* The year pickers of the member and comparison pages, and the page that compares any
   two years in the browser (medlemmer/<slug>/sammenlign/#<from>-<to>).

   The comparison is made by compare-core.js (aktsomCompare) from the two reports'
   rapport.json; this file only draws it, like the static comparison pages draw theirs
   (compare.html). Every word it shows comes from the page: the strings, the rules, the
   titles and figures are in the JSON block #sammenligning-data, and the messages of the
   pickers in data attributes. Without JavaScript the pickers stay hidden and the page
   lists the static comparisons and the reports. */
(() => {
  'use strict';

  const app = document.getElementById('sammenligning');
  const dataEl = document.getElementById('sammenligning-data');
  const live = Boolean(app && dataEl && typeof aktsomCompare === 'object');

  /* Each picker leads to the page for any two years with #<from>-<to>; on that page
     itself, it shows the comparison in place (a new history entry, so Back works and
     the address can be shared). */
  document.querySelectorAll('form.compare-picker').forEach((form) => {
    form.hidden = false;
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      let a = Number(form.elements.fra.value);
      let b = Number(form.elements.til.value);
      const message = form.querySelector('.picker-message');
      if (a === b) {
        message.textContent = form.dataset.same;
        form.elements.fra.focus();
        return;
      }
      message.textContent = '';
      if (a > b) [a, b] = [b, a];
      const target = new URL(form.dataset.url, window.location.href);
      target.hash = `${a}-${b}`;
      if (live && target.pathname === window.location.pathname) {
        if (window.location.hash === target.hash) show(true);
        else window.location.hash = target.hash; // hashchange shows it
      } else {
        window.location.href = target.href;
      }
    });
  });
  if (!live) return;

  const config = JSON.parse(dataEl.textContent);
  const t = config.strings;
  const { fill } = aktsomCompare;
  const status = document.getElementById('sammenligning-status');
  const failure = document.getElementById('sammenligning-feil');
  const result = document.getElementById('sammenligning-resultat');
  const form = app.querySelector('form.compare-picker');
  const title = document.title;
  const yearsList = config.years.map((y) => y.year);
  const reports = new Map(); // data URL → Promise of the parsed rapport.json

  /* An element with attributes and children (strings become text). */
  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) if (v !== null && v !== undefined) e.setAttribute(k, v);
    for (const c of children.flat()) if (c !== null && c !== undefined) e.append(c);
    return e;
  }

  function load(year) {
    const url = new URL(year.data, window.location.href).href;
    if (!reports.has(url)) {
      const p = fetch(url).then((r) => {
        if (!r.ok) throw new Error(`${r.status}`);
        return r.json();
      });
      // A failed fetch is tried again next time.
      p.catch(() => reports.delete(url));
      reports.set(url, p);
    }
    return reports.get(url).catch(() => {
      const e = new Error('no data');
      e.year = year.year;
      throw e;
    });
  }

  /* Links to the reports of the given years. */
  function reportLinks(years) {
    const links = years.map((y) => el('a', { href: y.report }, `${t.report_for_year} ${y.year}`));
    return links.flatMap((a, i) => (i === 0 ? [a] : [', ', a]));
  }

  function clear() {
    result.replaceChildren();
    failure.replaceChildren();
    failure.hidden = true;
    document.title = title;
  }

  /* A message instead of a comparison: shown, and focused after the reader's action
     (else said by the live region). */
  function fail(text, focus, years) {
    clear();
    result.removeAttribute('aria-busy');
    failure.append(el('p', null, text, years ? [' ', ...reportLinks(years), '.'] : null));
    failure.hidden = false;
    if (focus) {
      status.textContent = '';
      failure.focus();
    } else {
      status.textContent = text;
    }
  }

  let request = 0;
  /* Shows the comparison the address names (#<from>-<to>). */
  async function show(focus) {
    const id = ++request;
    const hash = window.location.hash;
    if (hash === '' || hash === '#') {
      clear();
      status.textContent = '';
      return;
    }
    const p = aktsomCompare.parseHash(hash, yearsList);
    if (p.error) {
      const n = yearsList.length;
      fail(fill(t[p.error], { example: `${yearsList[n - 2]}-${yearsList[n - 1]}`, ...p.values }), focus);
      return;
    }
    if (hash !== `#${p.from}-${p.to}`) window.history.replaceState(null, '', `#${p.from}-${p.to}`);
    form.elements.fra.value = String(p.from);
    form.elements.til.value = String(p.to);
    const [a, b] = [p.from, p.to].map((y) => config.years.find((x) => x.year === y));
    status.textContent = fill(t.compare_any_loading, { from: a.year, to: b.year });
    result.setAttribute('aria-busy', 'true');
    let data;
    try {
      data = await Promise.all([load(a), load(b)]);
    } catch (e) {
      if (id === request) fail(fill(t.compare_any_no_data, { year: e.year }), focus, [a, b]);
      return;
    }
    if (id !== request) return;
    const c = aktsomCompare.compare(config, a, b, data[0], data[1]);
    clear();
    draw(c, a, b);
    result.removeAttribute('aria-busy');
    const heading = `${t.compare_heading} ${a.year} ${t.compare_to} ${b.year}?`;
    document.title = `${heading} – ${title}`;
    status.textContent = fill(t.compare_any_done, { from: a.year, to: b.year, summary: c.summary });
    if (focus) document.getElementById('resultat-tittel').focus();
  }

  /* Draws a comparison as compare.html draws the static ones, a heading level lower. */
  function draw(c, a, b) {
    const answer = (y, anchor) => `${y.report}#${anchor}`;
    result.append(
      el('h2', { id: 'resultat-tittel', tabindex: '-1' }, `${t.compare_heading} ${c.from} ${t.compare_to} ${c.to}?`),
      el('p', { class: 'lead compare-summary' }, c.summary + (c.summaryRewritten ? ` ${c.summaryRewritten}` : '')),
      c.fromTemplate !== c.toTemplate
        ? el('div', { class: 'note', role: 'note' }, el('p', null, fill(t.compare_template_differs, { from: c.fromTemplate, to: c.toTemplate })))
        : null,
      el('p', null, `${t.compare_reports}: `, reportLinks([a, b]), '.'),
    );
    const value = (v) => (v === null ? el('span', { class: 'not-reported' }, t.not_reported) : v);
    result.append(el('section', { 'aria-labelledby': 'resultat-nokkeltall' },
      el('h3', { id: 'resultat-nokkeltall' }, t.compare_figures),
      c.figureChanges.length
        ? el('ul', { class: 'figure-changes' }, c.figureChanges.map((f) => el('li', null,
          el('strong', null, `${f.label}:`), ' ', value(f.from), ` (${c.from}) → `, value(f.to), ` (${c.to})`)))
        : el('p', null, t.compare_no_figure_changes)));

    const statusKey = { changed: 'status_changed', rewritten: 'status_rewritten', new: 'status_new', removed: 'status_removed' };
    const changes = el('section', { class: 'changes', 'aria-labelledby': 'resultat-endrede' },
      el('h3', { id: 'resultat-endrede' }, t.compare_changed_questions),
      el('p', null, c.changedQuestions.length ? t.compare_diff_intro : t.compare_no_changes));
    for (const q of c.changedQuestions) {
      const links = [];
      if (q.from) links.push(el('a', { href: answer(a, q.from.anchor) }, String(a.year)));
      if (q.from && q.to) links.push(` ${t.compare_and} `);
      if (q.to) links.push(el('a', { href: answer(b, q.to.anchor) }, String(b.year)));
      const diff = q.diff === null ? null : el('div', { class: 'diff' });
      // The changes are HTML made by compare-core.js, every word of it escaped there
      // (as the static pages' are by the build).
      if (diff) diff.innerHTML = q.diff;
      changes.append(el('section', { class: 'q-change', 'data-number': q.number, 'data-status': q.status },
        el('h4', { id: q.anchor }, el('span', { class: 'qnum' }, q.number), ` ${q.title}`),
        el('p', { class: 'diff-status' }, el('strong', null, `${t[statusKey[q.status]]}.`), ` ${t.compare_read_answer} `, links, '.'),
        diff));
    }
    result.append(changes);

    if (c.rewrittenQuestions.length) {
      result.append(el('section', { 'aria-labelledby': 'resultat-omskrevne' },
        el('h3', { id: 'resultat-omskrevne' }, t.compare_rewritten_questions),
        el('p', null, t.compare_rewritten_intro),
        el('ul', { class: 'rewritten-list' }, c.rewrittenQuestions.map((q) => el('li', { 'data-number': q.number, 'data-status': q.status },
          el('span', { class: 'qnum' }, q.number), ` ${q.title}: `,
          el('a', { href: answer(a, q.from.anchor) }, String(a.year)), ', ',
          el('a', { href: answer(b, q.to.anchor) }, String(b.year)))))));
    }
    if (c.unchangedQuestions.length) {
      result.append(el('section', { 'aria-labelledby': 'resultat-uendrede' },
        el('h3', { id: 'resultat-uendrede' }, t.compare_unchanged_questions),
        el('p', null, t.compare_unchanged_intro),
        el('ul', { class: 'unchanged-list' }, c.unchangedQuestions.map((q) => el('li', { 'data-number': q.number, 'data-status': q.status },
          el('a', { href: answer(b, q.to.anchor) }, el('span', { class: 'qnum' }, q.number), ` ${q.title}`))))));
    }
  }

  // A fragment that names an element of the page (the skip link's #hovedinnhold) is a
  // place on the page, not a pair of years: it leaves the comparison as it is.
  const inPage = () => window.location.hash.length > 1
    && document.getElementById(decodeURIComponent(window.location.hash.slice(1))) !== null;
  window.addEventListener('hashchange', () => {
    if (!inPage()) show(true);
  });
  if (!inPage()) show(false);
})();
