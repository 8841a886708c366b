//! The key-information parts: label and value pairs, and what they say of the member
//! (name, address, organisation number) and its key figures.

use crate::config::SiteConfig;
use crate::import::forms;
use crate::import::model::{Block, Figure, Report};
use crate::import::paragraphs::{Widths, text_blocks};
use crate::import::tables::strip_label;
use crate::import::text::{Line, chars, joined, normalise, parse_number};

use super::records::cell;

/// What a field of the key-information part is.
#[derive(Debug, Clone, PartialEq)]
enum Role {
    Name,
    Address,
    OrgNumber,
    Figure(String),
    Other,
}

/// Every label the key-information part may have, with its role: the form's and each
/// key figure's (its labels and the aliases site.toml gives it).
fn field_labels(config: &SiteConfig) -> Vec<(String, Role)> {
    let mut out = Vec::new();
    let fixed: [(&[&str], Role); 4] = [
        (forms::NAME_LABELS, Role::Name),
        (forms::ADDRESS_LABELS, Role::Address),
        (forms::ORG_NUMBER_LABELS, Role::OrgNumber),
        (forms::OTHER_LABELS, Role::Other),
    ];
    for (labels, role) in fixed {
        out.extend(labels.iter().map(|l| (l.to_string(), role.clone())));
    }
    for f in &config.figures {
        let names = [f.label.nb.as_str(), f.label.en.as_str()]
            .into_iter()
            .chain(f.aliases.iter().map(String::as_str));
        out.extend(names.map(|n| (n.to_string(), Role::Figure(f.id.clone()))));
    }
    out
}

/// The label a block starts with: its role, the label as printed, and the rest of the
/// block (the value, when it is on the label's lines).
fn field_label(raw: &[Line], labels: &[(String, Role)]) -> Option<(Role, String, Vec<Line>)> {
    for k in 1..=raw.len().min(3) {
        let text = joined(&raw[..k]);
        let t = normalise(&text);
        if let Some((_, role)) = labels.iter().find(|(l, _)| normalise(l) == t) {
            return Some((
                role.clone(),
                text.trim_end_matches([':', ' ']).to_string(),
                raw[k..].to_vec(),
            ));
        }
    }
    let first = &raw[0];
    let mut by_length: Vec<&(String, Role)> = labels.iter().collect();
    by_length.sort_by_key(|(l, _)| std::cmp::Reverse(l.len()));
    by_length.into_iter().find_map(|(label, role)| {
        let rest = strip_label(&first.text, label).filter(|r| !r.is_empty())?;
        let printed = first
            .text
            .strip_suffix(rest)
            .unwrap_or(label)
            .trim_end_matches([':', ' '])
            .to_string();
        let mut value = vec![Line {
            text: rest.to_string(),
            ..first.clone()
        }];
        value.extend(raw[1..].iter().cloned());
        Some((role.clone(), printed, value))
    })
}

/// A field: its role, its label as printed, its line and its value's blocks.
struct Field {
    role: Role,
    label: String,
    line: usize,
    value: Vec<Vec<Line>>,
}

/// The key-information parts: label and value pairs. Short values become a list of
/// `**label:** value`; long ones a sub-heading with their text. Key figures, the name,
/// address and organisation number are taken from them.
pub(super) fn fields(
    raws: &[Vec<Line>],
    widths: &Widths,
    config: &SiteConfig,
    report: &mut Report,
) -> Vec<Block> {
    let labels = field_labels(config);
    let mut lead: Vec<Vec<Line>> = Vec::new();
    let mut found: Vec<Field> = Vec::new();
    for raw in raws {
        match field_label(raw, &labels) {
            Some((role, label, rest)) => found.push(Field {
                role,
                label,
                line: raw[0].no,
                value: if rest.is_empty() {
                    Vec::new()
                } else {
                    vec![rest]
                },
            }),
            None => match found.last_mut() {
                Some(f) => f.value.push(raw.clone()),
                None => lead.push(raw.clone()),
            },
        }
    }
    let mut out = text_blocks(&lead, widths);
    let mut short: Vec<(String, String)> = Vec::new();
    for f in found {
        let blocks = text_blocks(&f.value, widths);
        let value = cell(&blocks);
        take_fact(&f, value.as_deref(), report);
        match value.filter(|v| chars(v) <= 200) {
            Some(v) => short.push((f.label, v)),
            None => {
                if !short.is_empty() {
                    out.push(Block::Fields(std::mem::take(&mut short)));
                }
                out.push(Block::Heading(3, f.label));
                out.extend(blocks);
            }
        }
    }
    if !short.is_empty() {
        out.push(Block::Fields(short));
    }
    out
}

/// Takes what a field says of the member, or the key figure it gives.
fn take_fact(f: &Field, value: Option<&str>, report: &mut Report) {
    let Some(v) = value.filter(|v| !v.is_empty()) else {
        return;
    };
    match &f.role {
        Role::Name => {
            report.member.name.get_or_insert_with(|| v.to_string());
        }
        Role::Address => {
            report.member.address.get_or_insert_with(|| v.to_string());
        }
        Role::OrgNumber => {
            report
                .member
                .org_number
                .get_or_insert_with(|| v.to_string());
        }
        Role::Figure(id) => match parse_number(v) {
            Some((value, whole)) if !report.figures.iter().any(|x| &x.id == id) => {
                report.figures.push(Figure {
                    id: id.clone(),
                    value,
                    whole,
                    label: f.label.clone(),
                    line: f.line,
                })
            }
            Some(_) => report.warn(
                f.line,
                format!(
                    "`{}` gives the figure `{id}` a second time: the first is kept",
                    f.label
                ),
            ),
            None => report.warn(
                f.line,
                format!(
                    "`{}`: `{v}` is not a number, so the figure `{id}` is left out",
                    f.label
                ),
            ),
        },
        Role::Other => {}
    }
}
