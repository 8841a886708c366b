//! A report or page file read as far as it goes: its front matter, then its text
//! rendered by [`markdown`], with the diagnostics of both together.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use super::front_matter::{parse_front_matter, parse_page_front};
use super::{Member, Page, Report};
use crate::config::{Lang, SiteConfig};
use crate::diagnostics::{Diagnostic, Source, cap_per_file, read_text};
use crate::markdown::{self, MdContext, Rendered};
use crate::reporting::ReportTemplate;

/// What rendering a report needs of its member: the folder name (for the images'
/// addresses) and the images there.
#[derive(Clone, Copy)]
pub(super) struct Owner<'a> {
    pub(super) slug: &'a str,
    pub(super) images: &'a BTreeSet<String>,
}

impl<'a> Owner<'a> {
    pub(super) fn of(member: &'a Member) -> Self {
        Owner {
            slug: &member.slug,
            images: &member.images,
        }
    }
}

/// A report file read as far as it goes: the report when its text was rendered (also
/// when its front matter has errors), and every diagnostic of the file.
pub(super) type ReadReport = (Option<Report>, Vec<Diagnostic>);

/// Parses a report's front matter and, when its template version is known, renders its
/// text: the errors of both come back together, within the limit per file.
pub(super) fn read_report(
    source: Source,
    file_year: u16,
    owner: Owner,
    config: &SiteConfig,
    templates: &BTreeMap<String, ReportTemplate>,
) -> ReadReport {
    let (front, mut diags) = match parse_front_matter(&source, file_year, config, templates) {
        Ok(x) => x,
        Err(e) => return (None, e),
    };
    let Some(template) = front.template.as_ref().and_then(|t| templates.get(t)) else {
        return (None, diags);
    };
    let lang = front
        .language
        .as_deref()
        .map_or(config.language, Lang::for_code);
    let image_prefix =
        crate::routes::Routes::new(&config.base_url).url(crate::routes::Route::Member(owner.slug));
    let cx = MdContext {
        source: &source,
        offset: front.body_offset,
        template: Some(template),
        lang,
        image_prefix: &image_prefix,
        images: owner.images,
        image_hosts: &config.images,
    };
    let body = match markdown::render(&source.text[front.body_offset..], &cx) {
        Ok(body) => body,
        Err(e) => {
            diags.extend(e);
            return (None, cap_per_file(diags));
        }
    };
    diags.extend(body.warnings.iter().cloned());
    let report = Report {
        answered: answered(&body, template),
        year: file_year,
        title: front.title,
        language: front.language,
        draft: front.draft,
        published: front.published,
        template: template.version.clone(),
        figures: front.figures,
        body,
        source,
    };
    (Some(report), cap_per_file(diags))
}

/// The template positions of the questions `body` answers, in its order.
fn answered(body: &Rendered, template: &ReportTemplate) -> Vec<u16> {
    body.sections
        .iter()
        .filter_map(|s| s.number.as_deref().and_then(|n| template.position(n)))
        .filter_map(|p| u16::try_from(p).ok())
        .collect()
}

pub(crate) fn load_report(
    path: &Path,
    shown: &Path,
    file_year: u16,
    member: &Member,
    config: &SiteConfig,
    templates: &BTreeMap<String, ReportTemplate>,
) -> Result<Report, Vec<Diagnostic>> {
    let source = read_text(path, shown).map_err(|d| vec![d])?;
    parse_report(source, file_year, member, config, templates)
}

/// Parses a report's text and renders its Markdown, as `aktsom build` does for
/// `content/members/<slug>/<file_year>.md` of `member`. Errors come back all at once,
/// with the warnings found on the way.
pub fn parse_report(
    source: Source,
    file_year: u16,
    member: &Member,
    config: &SiteConfig,
    templates: &BTreeMap<String, ReportTemplate>,
) -> Result<Report, Vec<Diagnostic>> {
    match read_report(source, file_year, Owner::of(member), config, templates) {
        (Some(report), diags) if !diags.iter().any(Diagnostic::is_error) => Ok(report),
        (_, diags) => Err(diags),
    }
}

/// A page file read as far as it goes: the page when its text was rendered (also when
/// its front matter has errors), and every diagnostic of the file.
pub(super) fn load_page(
    path: &Path,
    shown: &Path,
    slug: &str,
    config: &SiteConfig,
) -> (Option<Page>, Vec<Diagnostic>) {
    let source = match read_text(path, shown) {
        Ok(s) => s,
        Err(d) => return (None, vec![d]),
    };
    let (front, mut diags) = match parse_page_front(&source) {
        Ok(x) => x,
        Err(d) => return (None, vec![d]),
    };
    let images = BTreeSet::new();
    let cx = MdContext {
        source: &source,
        offset: front.body_offset,
        template: None,
        lang: config.language,
        image_prefix: "",
        images: &images,
        image_hosts: &config.images,
    };
    match markdown::render(&source.text[front.body_offset..], &cx) {
        Ok(body) => {
            diags.extend(body.warnings.iter().cloned());
            let page = Page {
                slug: slug.to_string(),
                title: front.title.unwrap_or_default(),
                description: front.description,
                body,
                source,
            };
            (Some(page), cap_per_file(diags))
        }
        Err(e) => {
            diags.extend(e);
            (None, cap_per_file(diags))
        }
    }
}
