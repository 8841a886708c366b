//! Running text: the PDF's lines made back into paragraphs, lists, labels and quotes.
//!
//! The text comes in blocks of lines (separated by blank lines or page breaks). Inside a
//! block a line break is a wrap unless the line would have had room for the next word
//! (then the member ended the line), judged against the width of the text around it.

use super::model::Block;
use super::text::{
    Line, chars, ends_sentence, first_word, is_url, is_url_line, join_line, last_word,
    starts_lower, starts_upper,
};

/// The width of the text around each line, in characters: the longest line within a
/// few lines of it (the column it was set in).
pub(super) struct Widths(Vec<usize>);

/// How many lines either side count for the width.
const WIDTH_WINDOW: usize = 12;
/// Narrower than this is not a column of running text.
const MIN_WIDTH: usize = 60;

impl Widths {
    pub(super) fn new(lines: &[Line]) -> Widths {
        let max_no = lines.iter().map(|l| l.no).max().unwrap_or(0);
        let mut by_no = vec![MIN_WIDTH; max_no + 1];
        for (i, l) in lines.iter().enumerate() {
            let from = i.saturating_sub(WIDTH_WINDOW);
            let to = (i + WIDTH_WINDOW + 1).min(lines.len());
            let widest = lines[from..to].iter().map(|l| chars(&l.text)).max();
            by_no[l.no] = widest.unwrap_or(0).max(MIN_WIDTH);
        }
        Widths(by_no)
    }

    pub(super) fn at(&self, no: usize) -> usize {
        self.0.get(no).copied().unwrap_or(MIN_WIDTH)
    }
}

/// What a line break between two lines of a block is.
#[derive(Debug, PartialEq, Eq)]
enum Break {
    /// A wrap: the lines are one text.
    Join,
    /// A line the member ended without ending the paragraph (a signature, an address).
    Line,
    /// The end of a paragraph.
    Paragraph,
}

fn break_between(prev: &Line, next: &Line, width: usize) -> Break {
    let (p, n) = (prev.text.as_str(), next.text.as_str());
    // Web addresses listed one a line, or after a colon.
    if is_url(first_word(n)) && (p.ends_with(':') || is_url_line(p)) {
        return Break::Paragraph;
    }
    if starts_lower(n) {
        return Break::Join;
    }
    if p.ends_with(':') || is_url_line(p) {
        return Break::Paragraph;
    }
    // Room for the next word on the line: the line was ended, not wrapped.
    let room = (chars(p) + 1 + chars(first_word(n))) * 100 <= width * 85;
    if ends_sentence(p) && starts_upper(n) && (room || prev.trailing_space) {
        return Break::Paragraph;
    }
    if starts_upper(n) && room && (prev.trailing_space || chars(p) * 2 < width) {
        return Break::Line;
    }
    Break::Join
}

const BULLETS: &[&str] = &["- ", "• ", "– ", "▪ ", "* ", "· ", "◦ "];

fn bullet_item(s: &str) -> Option<&str> {
    BULLETS
        .iter()
        .find_map(|b| s.strip_prefix(b))
        .map(str::trim_start)
        .filter(|rest| !rest.is_empty())
}

/// `1. Tekst` or `2) Tekst`: the number and the text.
fn numbered_item(s: &str) -> Option<(u64, &str)> {
    let digits = s.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 || digits > 2 {
        return None;
    }
    let rest = s[digits..].strip_prefix(['.', ')'])?;
    let text = rest.strip_prefix(' ')?.trim_start();
    starts_upper(text)
        .then(|| s[..digits].parse().ok().map(|n| (n, text)))
        .flatten()
}

/// A label of the form: a line that ends in ` :` (`Status :`).
pub(super) fn label_of(s: &str) -> Option<&str> {
    let rest = s.strip_suffix(':')?;
    (rest.ends_with(' ') && !rest.trim().is_empty()).then(|| rest.trim())
}

/// What is being built from the lines of a block.
enum Open {
    None,
    Paragraph(Vec<String>),
    Item(String),
}

/// The blocks of running text, from blocks of lines.
pub(super) fn text_blocks(raws: &[Vec<Line>], widths: &Widths) -> Vec<Block> {
    let mut out = Vec::new();
    for raw in raws {
        push_raw(&mut out, raw, widths);
    }
    merge_cut(out)
}

fn flush(out: &mut Vec<Block>, open: &mut Open, ordered: Option<u64>) {
    match std::mem::replace(open, Open::None) {
        Open::None => {}
        Open::Paragraph(lines) => out.push(paragraph_or_quote(lines)),
        Open::Item(text) => match out.last_mut() {
            Some(Block::List { items, start }) if start.is_some() == ordered.is_some() => {
                items.push(text)
            }
            _ => out.push(Block::List {
                start: ordered,
                items: vec![text],
            }),
        },
    }
}

fn paragraph_or_quote(lines: Vec<String>) -> Block {
    if let [one] = lines.as_slice() {
        let inner = one
            .strip_prefix(['"', '“', '«'])
            .and_then(|s| s.strip_suffix(['"', '”', '»']));
        if let Some(inner) = inner.filter(|s| chars(s) > 20) {
            return Block::Quote(inner.trim().to_string());
        }
    }
    Block::Paragraph(lines)
}

fn push_raw(out: &mut Vec<Block>, raw: &[Line], widths: &Widths) {
    let mut open = Open::None;
    // The number of the first item, while in a numbered list.
    let mut ordered: Option<u64> = None;
    for (i, line) in raw.iter().enumerate() {
        let t = line.text.as_str();
        let prev = i.checked_sub(1).map(|j| &raw[j]);
        if let Some(label) = label_of(t) {
            // A label may wrap: the lines before it in the same paragraph belong to it.
            let label = match std::mem::replace(&mut open, Open::None) {
                Open::Paragraph(lines) if lines.len() == 1 && !ends_sentence(&lines[0]) => {
                    let mut l = lines[0].clone();
                    join_line(&mut l, label);
                    l
                }
                other => {
                    open = other;
                    flush(out, &mut open, ordered);
                    label.to_string()
                }
            };
            out.push(Block::Label(label));
            continue;
        }
        let list_context =
            i == 0 || prev.is_some_and(|p| ends_sentence(&p.text)) || matches!(open, Open::Item(_));
        if let Some(text) = bullet_item(t).filter(|_| list_context) {
            flush(out, &mut open, ordered);
            ordered = None;
            open = Open::Item(text.to_string());
            continue;
        }
        if let Some((n, text)) = numbered_item(t).filter(|_| list_context) {
            flush(out, &mut open, ordered);
            ordered = Some(ordered.unwrap_or(n));
            open = Open::Item(text.to_string());
            continue;
        }
        let brk = prev.map_or(Break::Paragraph, |p| {
            break_between(p, line, widths.at(p.no))
        });
        match (&mut open, brk) {
            (Open::Paragraph(lines), Break::Join) => {
                if let Some(last) = lines.last_mut() {
                    join_line(last, t);
                }
            }
            (Open::Paragraph(lines), Break::Line) => lines.push(t.to_string()),
            (Open::Item(text), Break::Join | Break::Line) => join_line(text, t),
            _ => {
                flush(out, &mut open, ordered);
                ordered = None;
                open = Open::Paragraph(vec![t.to_string()]);
            }
        }
    }
    flush(out, &mut open, ordered);
}

/// Words a paragraph cannot end with: it goes on after the page break.
const NOT_AN_END: &[&str] = &[
    "og", "i", "på", "med", "av", "for", "til", "som", "at", "en", "et", "ei", "de", "den", "det",
    "er", "har", "om", "fra", "ved", "eller", "samt", "under", "etter", "mot", "the", "and", "of",
];

/// Whether `prev` is a paragraph cut short by a page or column break and `next` its
/// rest: `prev` does not end a sentence, and `next` starts in lower case (or `prev`
/// ends in a word no sentence ends with).
fn is_cut(prev: &str, next: &str) -> bool {
    if ends_sentence(prev) || next.is_empty() || is_url_line(prev) || is_url(first_word(next)) {
        return false;
    }
    let last = last_word(prev).to_lowercase();
    starts_lower(next) || prev.ends_with([',', '-']) || NOT_AN_END.contains(&last.as_str())
}

/// Joins paragraphs (and list items) that a page break cut in two.
fn merge_cut(blocks: Vec<Block>) -> Vec<Block> {
    let mut out: Vec<Block> = Vec::with_capacity(blocks.len());
    for b in blocks {
        if let Block::Paragraph(lines) = &b {
            let first = lines.first().map(String::as_str).unwrap_or("");
            match out.last_mut() {
                Some(Block::Paragraph(prev)) if prev.last().is_some_and(|p| is_cut(p, first)) => {
                    let last = prev.len() - 1;
                    join_line(&mut prev[last], first);
                    prev.extend(lines[1..].iter().cloned());
                    continue;
                }
                Some(Block::List { items, .. })
                    if items
                        .last()
                        .is_some_and(|p| is_cut(p, first) && starts_lower(first)) =>
                {
                    let last = items.len() - 1;
                    join_line(&mut items[last], &lines.join(" "));
                    continue;
                }
                _ => {}
            }
        }
        out.push(b);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(lines: &[&str]) -> Vec<Line> {
        lines
            .iter()
            .enumerate()
            .map(|(i, t)| Line {
                no: i + 1,
                text: t.trim().to_string(),
                page_start: false,
                trailing_space: t.ends_with(' '),
            })
            .collect()
    }

    fn blocks(raws: &[&[&str]]) -> Vec<Block> {
        let raws: Vec<Vec<Line>> = raws.iter().map(|r| raw(r)).collect();
        let all: Vec<Line> = raws.concat();
        text_blocks(&raws, &Widths::new(&all))
    }

    fn para(s: &str) -> Block {
        Block::Paragraph(vec![s.to_string()])
    }

    const WIDE: &str =
        "Denne linjen er like lang som tekstens spalte er bred, det vil si nesten hundre tegn.";

    #[test]
    fn wrapped_lines_are_one_paragraph() {
        let b = blocks(&[
            &[WIDE],
            &[
                "Kommunen kjøper varer og tjenester for store beløp hvert år, og innkjøpene skal være",
                "ansvarlige.",
            ],
        ]);
        assert_eq!(b.len(), 2, "{b:?}");
        assert_eq!(
            b[1],
            para(
                "Kommunen kjøper varer og tjenester for store beløp hvert år, og innkjøpene skal være ansvarlige."
            )
        );
    }

    #[test]
    fn short_lines_the_member_ended_stay() {
        let b = blocks(&[&[WIDE], &["Kari Nordmann ", "Kommunedirektør "]]);
        assert_eq!(
            b[1],
            Block::Paragraph(vec!["Kari Nordmann".into(), "Kommunedirektør".into()])
        );
        let b = blocks(&[&[WIDE], &["Et kort avsnitt.", "Et nytt avsnitt."]]);
        assert_eq!(b.len(), 3, "{b:?}");
    }

    #[test]
    fn lists_labels_and_quotes() {
        let b = blocks(&[
            &[
                "Målene for året:",
                "- Det første målet, som er så langt at det går over",
                "flere linjer.",
                "- Det andre.",
            ],
            &["Status :"],
            &["Mål i rapporteringsåret :", "Alle avtaler fulgt opp."],
            &["1. Første risiko", "går videre."],
            &["\"Et sitat som står for seg selv.\""],
        ]);
        assert_eq!(
            b,
            vec![
                para("Målene for året:"),
                Block::List {
                    start: None,
                    items: vec![
                        "Det første målet, som er så langt at det går over flere linjer.".into(),
                        "Det andre.".into()
                    ]
                },
                Block::Label("Status".into()),
                Block::Label("Mål i rapporteringsåret".into()),
                para("Alle avtaler fulgt opp."),
                Block::List {
                    start: Some(1),
                    items: vec!["Første risiko går videre.".into()]
                },
                Block::Quote("Et sitat som står for seg selv.".into()),
            ]
        );
    }

    #[test]
    fn lists_after_a_colon_and_addresses_one_a_line() {
        let b = blocks(&[
            &[
                "Planen har to tiltak:",
                "1. Kurs for innkjøpere.",
                "2. Rapport til formannskapet.",
            ],
            &[
                "Se nettsidene:",
                "https://a.example.no/",
                "https://b.example.no/",
            ],
        ]);
        assert_eq!(
            b,
            vec![
                para("Planen har to tiltak:"),
                Block::List {
                    start: Some(1),
                    items: vec![
                        "Kurs for innkjøpere.".into(),
                        "Rapport til formannskapet.".into()
                    ]
                },
                para("Se nettsidene:"),
                para("https://a.example.no/"),
                para("https://b.example.no/"),
            ]
        );
    }

    #[test]
    fn a_wrapped_label_is_one_label() {
        let b = blocks(&[&[
            "Beskriv resultatene av tiltaket, samt mål for kommende",
            "rapporteringsår :",
        ]]);
        assert_eq!(
            b,
            vec![Block::Label(
                "Beskriv resultatene av tiltaket, samt mål for kommende rapporteringsår".into()
            )]
        );
    }

    #[test]
    fn paragraphs_cut_by_a_page_break_are_joined() {
        let b = blocks(&[
            &["Vi har fulgt opp avtalene for mat,"],
            &["tekstiler og IKT."],
            &["Et nytt avsnitt."],
        ]);
        assert_eq!(
            b,
            vec![
                para("Vi har fulgt opp avtalene for mat, tekstiler og IKT."),
                para("Et nytt avsnitt.")
            ]
        );
        let b = blocks(&[&["Vi samarbeider med"], &["Fjordvik kommune om dette."]]);
        assert_eq!(
            b,
            vec![para("Vi samarbeider med Fjordvik kommune om dette.")]
        );
    }

    #[test]
    fn a_line_inside_a_paragraph_is_not_a_list() {
        let b = blocks(&[&[
            "Vi bruker ressursene i hele",
            "- og det er viktig - levetiden.",
        ]]);
        assert_eq!(
            b,
            vec![para(
                "Vi bruker ressursene i hele - og det er viktig - levetiden."
            )]
        );
    }
}
