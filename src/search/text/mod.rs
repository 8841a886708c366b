//! Text analysis for search: plain text from Markdown, tokens, folding, stop words,
//! stems and compound parts.
//!
//! The browser runs the same tokeniser and folding on the query (`search.js`,
//! `tokens()` and `fold()`); the two must stay in step, and the unit tests below pin
//! the rules down:
//! - a token is a run of letters and digits (Unicode `Alphabetic` or `Numeric`), or a
//!   question number such as `2.A.3` (digit 1–9, a dot, one ASCII letter, optionally a
//!   dot and one or two digits) that stands on its own;
//! - tokens are lower-cased; *folding* maps letters people type without (ø → o,
//!   æ → ae, å → a, é → e, ü → u, …: `crate::text::fold`) and is used for matching
//!   only;
//! - stems come from the Snowball stemmers (Norwegian, or English for reports with
//!   `language = "en"`), applied to the lower-cased word before folding.

use std::collections::{HashMap, HashSet};

#[cfg(test)]
use pulldown_cmark::{Event, Options, Parser, TagEnd};
use rust_stemmers::{Algorithm, Stemmer};

pub(crate) use crate::text::fold;
pub(crate) use scan::indexable_words;

mod scan;

/// The longest token that is indexed, in characters (longer runs are codes or junk).
pub(crate) const MAX_TOKEN_CHARS: usize = 40;

/// Which stemmer and stop words apply to a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Language {
    Norwegian,
    English,
}

/// Norwegian Bokmål function words, lower-case. Never indexed, dropped from queries.
pub(crate) const STOP_NB: &[&str] = &[
    "alle", "andre", "at", "av", "bare", "begge", "ble", "bli", "blir", "blitt", "både", "da",
    "de", "deg", "dem", "den", "denne", "der", "dere", "deres", "det", "dette", "disse", "du",
    "eller", "en", "enn", "er", "et", "ett", "etter", "for", "fordi", "fra", "før", "ha", "hadde",
    "han", "hans", "har", "hennes", "her", "hun", "hva", "hvem", "hver", "hvilke", "hvilken",
    "hvis", "hvor", "hvordan", "hvorfor", "i", "ikke", "ingen", "inn", "jeg", "kan", "kunne",
    "man", "mange", "med", "meg", "men", "mer", "mest", "min", "mitt", "mot", "må", "måtte", "ned",
    "nei", "noe", "noen", "nå", "når", "og", "også", "om", "opp", "oss", "over", "på", "samme",
    "seg", "selv", "sin", "sine", "sitt", "skal", "skulle", "slik", "som", "så", "sånn", "til",
    "uten", "ut", "var", "vi", "vil", "ville", "vår", "våre", "vårt", "være", "vært", "å",
];

/// English function words, lower-case.
pub(crate) const STOP_EN: &[&str] = &[
    "a", "about", "after", "all", "also", "an", "and", "any", "are", "as", "at", "be", "been",
    "being", "both", "but", "by", "can", "could", "did", "do", "does", "each", "for", "from",
    "had", "has", "have", "he", "her", "his", "how", "i", "if", "in", "into", "is", "it", "its",
    "more", "most", "no", "not", "of", "on", "or", "other", "our", "ours", "she", "so", "some",
    "such", "than", "that", "the", "their", "them", "then", "there", "these", "they", "this",
    "those", "through", "to", "too", "under", "up", "was", "we", "were", "what", "when", "where",
    "which", "while", "who", "why", "will", "with", "would", "you", "your",
];

pub(crate) fn is_stop(word: &str, lang: Language) -> bool {
    static SETS: std::sync::OnceLock<[rustc_hash::FxHashSet<&'static str>; 2]> =
        std::sync::OnceLock::new();
    let sets = SETS.get_or_init(|| {
        [
            STOP_NB.iter().copied().collect(),
            STOP_EN.iter().copied().collect(),
        ]
    });
    sets[lang as usize].contains(word)
}

/// Lower-cases a word the way the browser does (`String.prototype.toLowerCase`).
#[cfg(test)]
pub(crate) fn lower(word: &str) -> String {
    word.to_lowercase()
}

/// Lower-cases a word as the browser does (`str::to_lowercase`), borrowing the word when it is lower-case already (most are).
pub(crate) fn lower_cow(word: &str) -> std::borrow::Cow<'_, str> {
    if word
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.')
        || !word.chars().any(char::is_uppercase)
    {
        std::borrow::Cow::Borrowed(word)
    } else {
        std::borrow::Cow::Owned(word.to_lowercase())
    }
}

/// Splits text into tokens (original spelling, as in the text): runs of letters and
/// digits, and question numbers (`2.A.3`) where one stands on its own. The index reads
/// them through [`indexable_words`], in the same pass ([`scan::each_token`]).
#[cfg(test)]
pub(crate) fn tokens(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    scan::each_token(text, |t, _| out.push(t));
    out
}

/// The byte length of a question number (`2.A.3`, `2.A`) at the start of `s`, when one
/// stands there on its own. Tries the longest form first, like the browser's regex.
pub(crate) fn question_number_at(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    if b.len() < 3 || !(b'1'..=b'9').contains(&b[0]) || b[1] != b'.' || !b[2].is_ascii_alphabetic()
    {
        return None;
    }
    let ends_here = |at: usize| s[at..].chars().next().is_none_or(|c| !c.is_alphanumeric());
    let digits = b[3..]
        .iter()
        .skip(1)
        .take_while(|d| d.is_ascii_digit())
        .count();
    if b.get(3) == Some(&b'.') {
        for n in (1..=digits.min(2)).rev() {
            if ends_here(4 + n) {
                return Some(4 + n);
            }
        }
    }
    ends_here(3).then_some(3)
}

/// Whether a lower-case token is a question number.
pub(crate) fn is_question_number(token: &str) -> bool {
    question_number_at(token) == Some(token.len())
}

/// Whether a lower-case token is worth indexing at all (not a stop word, not a lone
/// letter or digit, not an overlong run).
pub(crate) fn indexable(token: &str, lang: Language) -> bool {
    if is_question_number(token) {
        return true;
    }
    let n = token.chars().count();
    (2..=MAX_TOKEN_CHARS).contains(&n) && !is_stop(token, lang)
}

/// Stems lower-case words, with a cache (a corpus repeats its words a lot).
pub(crate) struct Stems {
    nb: Stemmer,
    en: Stemmer,
    /// Per language (Norwegian, English): word → folded stem.
    cache: [HashMap<String, String>; 2],
}

impl Default for Stems {
    fn default() -> Self {
        Stems {
            nb: Stemmer::create(Algorithm::Norwegian),
            en: Stemmer::create(Algorithm::English),
            cache: [HashMap::new(), HashMap::new()],
        }
    }
}

impl Stems {
    /// The folded stem of a lower-case word: `leverandørene` → `leverandor`.
    /// Question numbers and numbers are their own stems.
    pub(crate) fn stem(&mut self, word: &str, lang: Language) -> String {
        let cache = &mut self.cache[lang as usize];
        if let Some(s) = cache.get(word) {
            return s.clone();
        }
        let s = stem_uncached(&self.nb, &self.en, word, lang);
        cache.insert(word.to_string(), s.clone());
        s
    }
}

/// The folded stem of one lower-case word, without a cache.
#[cfg(test)]
pub(crate) fn stem_word(word: &str, lang: Language) -> String {
    let nb = Stemmer::create(Algorithm::Norwegian);
    let en = Stemmer::create(Algorithm::English);
    stem_uncached(&nb, &en, word, lang)
}

fn stem_uncached(nb: &Stemmer, en: &Stemmer, word: &str, lang: Language) -> String {
    if is_question_number(word) || word.chars().any(|c| c.is_numeric()) {
        return fold(word);
    }
    let stemmed = match lang {
        Language::Norwegian => match keep_het(word) {
            Some(s) => s.into(),
            None => nb.stem(word),
        },
        Language::English => en.stem(word),
    };
    let s = fold(&stemmed);
    // A stemmer may cut a short word down to nothing useful; keep the word then.
    if s.chars().count() < 2 { fold(word) } else { s }
}

/// Nouns in `-het` keep it: Snowball strips `-heter` and then `-ig`, which merges
/// `rettigheter` with `rett` (right, court, dish) and `muligheter` with `mul`. Here the
/// inflected forms of a `-het` noun stem to the noun (`rettigheter`, `rettighetene` →
/// `rettighet`), so that they match each other and compounds such as
/// `menneskerettigheter`, but not the root word.
fn keep_het(word: &str) -> Option<String> {
    const ENDINGS: &[&str] = &[
        "hetenes", "hetens", "hetene", "heten", "heter", "hets", "het",
    ];
    for e in ENDINGS {
        if let Some(root) = word.strip_suffix(e) {
            // "heter" (is called) and other short words are left to Snowball.
            if root.chars().count() >= 3 {
                return Some(format!("{root}het"));
            }
        }
    }
    None
}

/// Shortest head and tail of a compound, in characters.
const MIN_HEAD: usize = 3;
const MIN_TAIL: usize = 4;

/// Splits closed compounds with a lexicon of the words that occur on their own in the
/// corpus: `menneskerettigheter` → `menneske` + `rettigheter`, `barnearbeid` →
/// `barn` (+ linking `e`) + `arbeid`. No dictionary is needed: a part is accepted when
/// it is itself a word of the corpus (or, for the last part, when its stem is the stem
/// of one). Heads may end with a linking `s` or `e` (`arbeidsmiljø`, `barnehage`).
///
/// The lexicon can grow and shrink word by word ([`Compounds::add`],
/// [`Compounds::remove`]). Every lookup that splitting a word makes is of a substring of
/// that word (a head, a head without its linking letter, a tail, or a tail's stem, which
/// the Norwegian Snowball stemmer always cuts from the end of the word), so a change to
/// the lexicon can only change the split of words that contain one of the changed
/// entries: [`Compounds::add`] and [`Compounds::remove`] report those entries.
pub(crate) struct Compounds {
    forms: HashSet<String>,
    /// Stems of the lexicon's words, with the number of words that have each.
    stems: HashMap<String, u32>,
    stemmer: Stemmer,
}

impl Compounds {
    /// `words` are the lower-case Norwegian words that occur on their own.
    pub(crate) fn new<'a>(words: impl IntoIterator<Item = &'a str>) -> Compounds {
        let mut c = Compounds {
            forms: HashSet::new(),
            stems: HashMap::new(),
            stemmer: Stemmer::create(Algorithm::Norwegian),
        };
        let mut changed = Vec::new();
        for w in words {
            c.add(w, &mut changed);
            changed.clear();
        }
        c
    }

    /// Whether a lower-case Norwegian word belongs in the lexicon.
    pub(crate) fn eligible(w: &str) -> bool {
        w.chars().count() >= MIN_HEAD
            && w.chars().all(char::is_alphabetic)
            && !is_stop(w, Language::Norwegian)
    }

    /// Adds a word that now occurs in the corpus; pushes the lexicon entries (forms and
    /// stems) that appeared onto `changed`.
    pub(crate) fn add(&mut self, w: &str, changed: &mut Vec<String>) {
        if !Compounds::eligible(w) || !self.forms.insert(w.to_string()) {
            return;
        }
        changed.push(w.to_string());
        let stem = self.stemmer.stem(w).into_owned();
        let n = self.stems.entry(stem.clone()).or_default();
        *n += 1;
        if *n == 1 {
            changed.push(stem);
        }
    }

    /// Removes a word that no longer occurs in the corpus; pushes the lexicon entries
    /// that disappeared onto `changed`.
    pub(crate) fn remove(&mut self, w: &str, changed: &mut Vec<String>) {
        if !self.forms.remove(w) {
            return;
        }
        changed.push(w.to_string());
        let stem = self.stemmer.stem(w).into_owned();
        if let Some(n) = self.stems.get_mut(&stem) {
            *n -= 1;
            if *n == 0 {
                self.stems.remove(&stem);
                changed.push(stem);
            }
        }
    }

    fn is_tail(&self, w: &str) -> bool {
        w.chars().count() >= MIN_TAIL
            && (self.forms.contains(w) || self.stems.contains_key(self.stemmer.stem(w).as_ref()))
    }

    /// The head as a word or stem of the lexicon, allowing a linking `s` or `e`.
    fn head<'a>(&self, h: &'a str) -> Option<&'a str> {
        let known = |w: &str| self.forms.contains(w) || self.stems.contains_key(w);
        if known(h) {
            return Some(h);
        }
        let bare = h.strip_suffix('s').or_else(|| h.strip_suffix('e'))?;
        (bare.chars().count() >= MIN_HEAD && known(bare)).then_some(bare)
    }

    /// The parts of a lower-case word, left to right (at least two), or `None` when the
    /// word is not a compound of corpus words. The longest head that leaves a valid
    /// tail wins; the tail may itself be a compound, and then its parts follow it.
    pub(crate) fn split(&self, word: &str) -> Option<Vec<String>> {
        self.split_depth(word, 0)
    }

    fn split_depth(&self, word: &str, depth: usize) -> Option<Vec<String>> {
        if depth > 3 || !word.chars().all(char::is_alphabetic) {
            return None;
        }
        let cuts: Vec<usize> = word.char_indices().map(|(i, _)| i).collect();
        let n = cuts.len();
        if n < MIN_HEAD + MIN_TAIL {
            return None;
        }
        for k in (MIN_HEAD..=n - MIN_TAIL).rev() {
            let (h, tail) = word.split_at(cuts[k]);
            let Some(head) = self.head(h) else { continue };
            if self.is_tail(tail) {
                let mut parts = vec![head.to_string(), tail.to_string()];
                if let Some(sub) = self.split_depth(tail, depth + 1) {
                    parts.extend(sub);
                }
                return Some(parts);
            }
            if let Some(sub) = self.split_depth(tail, depth + 1) {
                let mut parts = vec![head.to_string()];
                parts.extend(sub);
                return Some(parts);
            }
        }
        None
    }
}

/// The plain text of a Markdown fragment, for indexing and excerpts. Raw HTML tags are
/// dropped (their text content is kept, except inside `script` and `style`), links keep
/// their text, tables become one line per row with cells separated by ` · `.
#[cfg(test)]
pub(crate) fn plain_text(markdown: &str) -> String {
    let opts = Options::ENABLE_TABLES | Options::ENABLE_FOOTNOTES | Options::ENABLE_STRIKETHROUGH;
    let mut out = String::with_capacity(markdown.len());
    let mut skip_raw = false;
    for ev in Parser::new_ext(markdown, opts) {
        match ev {
            Event::Text(t) | Event::Code(t) if !skip_raw => out.push_str(&t),
            Event::Html(h) | Event::InlineHtml(h) => {
                let l = h.to_ascii_lowercase();
                if l.contains("<script") || l.contains("<style") {
                    skip_raw = !(l.contains("</script") || l.contains("</style"));
                } else if l.contains("</script") || l.contains("</style") {
                    skip_raw = false;
                }
                if l.contains("<br") {
                    out.push(' ');
                }
            }
            Event::SoftBreak | Event::HardBreak => out.push(' '),
            Event::End(TagEnd::TableCell) => out.push_str(" · "),
            Event::End(TagEnd::TableRow | TagEnd::TableHead) => {
                let trimmed = out.trim_end_matches([' ', '·']).len();
                out.truncate(trimmed);
                out.push('\n');
            }
            Event::End(
                TagEnd::Paragraph
                | TagEnd::Heading(_)
                | TagEnd::Item
                | TagEnd::CodeBlock
                | TagEnd::BlockQuote(_)
                | TagEnd::FootnoteDefinition,
            ) => out.push('\n'),
            _ => {}
        }
    }
    // One space between words, one line break between blocks.
    let mut clean = String::with_capacity(out.len());
    for line in out.lines() {
        let line = line.split_whitespace().collect::<Vec<_>>().join(" ");
        if !line.is_empty() {
            if !clean.is_empty() {
                clean.push('\n');
            }
            clean.push_str(&line);
        }
    }
    clean
}

#[cfg(test)]
mod tests;
