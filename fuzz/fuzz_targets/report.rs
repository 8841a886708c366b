//! A report through the content pipeline: front matter, Markdown (sections, anchors,
//! tables, footnotes, raw HTML and its sanitising) and the analyses of `aktsom check`.
//! The member's HTML must hold only the sanitiser's allowlist. (The `site` target goes
//! on to render every page; it is slower.)

#![no_main]

use std::path::Path;

use aktsom::content;
use aktsom::diagnostics::text_from_bytes;
use aktsom_fuzz::{REPORT_PATH, SITE, check_body, render_all};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let source = match text_from_bytes(data.to_vec(), Path::new(REPORT_PATH)) {
        Ok(s) => s,
        Err(d) => return render_all(&[d]),
    };
    let site = SITE.lock().unwrap_or_else(|e| e.into_inner());
    let parsed = content::parse_report(
        source,
        2024,
        &site.members[0],
        &site.config,
        &site.templates,
    );
    let report = match parsed {
        Ok(r) => r,
        Err(errors) => {
            assert!(errors.iter().any(|d| d.is_error()));
            return render_all(&errors);
        }
    };
    render_all(&report.body.warnings);
    let body = &report.body;
    check_body(&body.html);
    for s in &body.sections {
        assert!(body.html.get(s.html.clone()).is_some(), "{s:?}");
        assert!(report.source.text.get(s.source.clone()).is_some(), "{s:?}");
        let _ = body.answer_html(s);
    }
    for d in aktsom::check::analyse_report(
        &report,
        &site.templates[&report.template],
        report.lang(site.config.language),
    ) {
        assert!(!d.is_error());
        render_all(&[d]);
    }
});
