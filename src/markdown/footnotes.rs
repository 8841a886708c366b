//! Footnotes: numbered in the order they are first used, with ids (`fn-1-kilde`,
//! `fnref-1-kilde`) that cannot clash with question anchors or heading slugs, a label
//! for screen readers on each reference and a link back to the first one.

use std::collections::{HashMap, HashSet};

use super::builder::Builder;
use super::headings::slugify;
use crate::config::Lang;

impl Builder<'_, '_> {
    pub(super) fn footnote_reference(&mut self, label: &str) {
        let (n, slug, first) = self.footnotes.reference(label);
        let id_attr = if first {
            format!(" id=\"fnref-{slug}\"")
        } else {
            String::new()
        };
        let word = footnote_word(self.cx.lang);
        self.html(format!(
            "<sup class=\"fn-ref\"><a href=\"#fn-{slug}\"{id_attr}>{n}<span class=\"visually-hidden\"> ({word})</span></a></sup>"
        ));
    }

    pub(super) fn footnote_start(&mut self, label: &str) {
        let (n, slug) = self.footnotes.definition(label);
        self.html(format!(
            "<div class=\"footnote\" id=\"fn-{slug}\" role=\"note\"><span class=\"fn-label\">{n}</span>"
        ));
        self.footnotes.open.push(slug);
    }

    /// A footnote's end, with a link back to its first reference if it has one.
    pub(super) fn footnote_end(&mut self) {
        let slug = self.footnotes.open.pop().unwrap_or_default();
        let back = if self.footnotes.referenced(&slug) {
            format!(
                " <a class=\"fn-back\" href=\"#fnref-{slug}\">{}</a>",
                back_word(self.cx.lang)
            )
        } else {
            String::new()
        };
        self.html(format!("{back}</div>\n"));
    }
}

/// Every footnote's number and slug, by label.
#[derive(Default)]
pub(super) struct Footnotes {
    numbers: HashMap<String, (usize, String)>,
    /// The slugs of the footnotes referenced so far.
    referenced: HashSet<String>,
    /// The slugs of the definitions open at this point.
    open: Vec<String>,
}

impl Footnotes {
    fn entry(&mut self, label: &str) -> (usize, String) {
        let n = self.numbers.len() + 1;
        self.numbers
            .entry(label.to_string())
            .or_insert_with(|| (n, format!("{}-{}", n, slugify(label))))
            .clone()
    }

    /// The footnote's number and slug, and whether this is its first reference.
    fn reference(&mut self, label: &str) -> (usize, String, bool) {
        let (n, slug) = self.entry(label);
        let first = self.referenced.insert(slug.clone());
        (n, slug, first)
    }

    fn definition(&mut self, label: &str) -> (usize, String) {
        self.entry(label)
    }

    fn referenced(&self, slug: &str) -> bool {
        self.referenced.contains(slug)
    }
}

fn footnote_word(lang: Lang) -> &'static str {
    match lang {
        Lang::Nb => "fotnote",
        Lang::En => "footnote",
    }
}

fn back_word(lang: Lang) -> &'static str {
    match lang {
        Lang::Nb => "Tilbake til teksten",
        Lang::En => "Back to the text",
    }
}
