//! Recognising the layout of a report's text: its sections (the form's own, the parts,
//! groups and numbered questions of the template version), and in them the running
//! text, the key figures and the form's tables.
//!
//! The text is cut into blocks of lines (at blank lines and page breaks); each block is
//! marked by its look (`marks`); a walk over the blocks opens a section at each
//! heading and leaves out the form's own text (`walk`); each section's blocks are then
//! read as fields (`fields`), goals or a table (`records`), or running text
//! (`sections`).

mod fields;
mod marks;
mod records;
mod sections;
mod walk;

use crate::config::SiteConfig;
use crate::reporting::ReportTemplate;

use super::model::Report;
use super::paragraphs::Widths;
use super::text::Line;

/// Recognises the report in the text's lines against the template version of its year.
pub(super) fn recognise(lines: &[Line], template: &ReportTemplate, config: &SiteConfig) -> Report {
    let raws = marks::raw_blocks(lines);
    let (mut report, drafts) = walk::walk(&raws, template, config.language);
    let widths = Widths::new(lines);
    for d in drafts {
        let section = sections::build(d, &widths, config, &mut report);
        report.sections.push(section);
    }
    sections::add_missing_headings(&mut report, template, config);
    report
}
