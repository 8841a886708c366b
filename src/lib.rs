//! aktsom: publishes members' yearly due-diligence reports as an accessible static site.
//!
//! # The pipeline
//!
//! A build goes one way, content → model → pages → output. [`config`] reads `site.toml`
//! and [`reporting`] the reporting template (the numbered questions, as data).
//! [`content`] loads every member and report into a typed model ([`content::Site`]),
//! parsing front matter with spans so that each problem becomes a
//! [`diagnostics::Diagnostic`] with file, line and column; reports are parsed and their
//! Markdown rendered in parallel by [`markdown`], which cuts each report into question
//! sections with stable anchors and sanitises untrusted HTML and URLs. [`build`](mod@build) then
//! runs the page producers over the model, each in parallel inside: [`pages`] (the core
//! pages: front page, reports, lists, feed, sitemap), then the features, [`overview`]
//! (member and year pages), [`compare`] (figures over time, what changed between two
//! years), [`data`] (open data) and [`questions`] (one question across members), with
//! [`search`] (the static index) beside them. Each producer renders its pages through
//! the core's [`render::Renderer`] (the theme's minijinja templates, located by
//! [`theme`] with the site's overrides, and the interface strings); every URL and
//! output path comes from [`routes`]. The renderer calls no producer. Every finished
//! file goes to a [`render::Sink`] as soon as it is made: for `aktsom build`
//! ([`build::publish`]) an [`output::Emitter`], where [`rewrite`] scans each HTML page
//! once (external links marked; ids and link targets kept) and the file is written into
//! a staging folder (the output the previous build replaced, when [`output`] kept it,
//! so that unchanged files are kept rather than written; or in memory for the tests, or
//! nowhere for `aktsom check`; the preview writes only what changed, through its own
//! sink, see [`rebuild`]), so a build holds the model and the links, not its output.
//! Before rendering a page that has a fingerprint of its inputs ([`inputs`]: a
//! member's report and comparison pages and report data, a year's question pages and
//! answers), a producer asks the sink to take the previous build's file over instead
//! ([`render::Renderer::not_reused`]); the emitter does when that build recorded the
//! same fingerprint for the very file still published.
//! [`links`] then checks every link over the whole set, and [`output`] swaps the
//! staging folder in only when the whole build succeeded. `profile` times the stages
//! with `AKTSOM_PROFILE=1`.
//!
//! `aktsom serve` keeps the model in memory instead: [`rebuild`] re-renders only the
//! pages an edit touches (every producer honours a [`render::Scope`]), and [`serve`]
//! watches the files, serves the output and tells open tabs to reload.
//!
//! Two commands stand beside the pipeline and write content instead: [`import`] reads a
//! report as the association has it (its PDF or the PDF's text) into a member's report
//! file, and [`new`] starts a member's next report from the earlier one. They use the
//! core ([`config`], [`reporting`], [`content`], [`check`]); the core does not use them.

// The public surface is only what the binary (src/main.rs), the tests and the fuzz
// targets use; every other module and item is `pub(crate)`, so that the compiler reports
// dead code. These docs are for the people who work on aktsom and name the private parts
// too: `cargo doc --document-private-items` renders those links.
#![allow(rustdoc::private_intra_doc_links)]

pub(crate) mod build;
pub mod check;
pub mod compare;
pub mod config;
pub mod content;
pub(crate) mod data;
pub mod diagnostics;
pub(crate) mod format;
pub mod html;
pub mod import;
pub(crate) mod inputs;
pub mod links;
pub mod markdown;
pub mod new;
pub mod output;
pub(crate) mod overview;
pub(crate) mod pages;
pub(crate) mod profile;
pub(crate) mod questions;
pub mod rebuild;
pub mod render;
pub(crate) mod reporting;
pub(crate) mod rewrite;
pub(crate) mod routes;
pub mod search;
pub mod serve;
pub(crate) mod text;
pub(crate) mod theme;

pub use build::{BuildOptions, BuildSummary, Built, PublishOptions, build, publish};
pub use output::default_out;
