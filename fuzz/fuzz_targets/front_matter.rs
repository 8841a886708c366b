//! A report file's front matter: split, parsed as TOML, validated against the site.
//! Any bytes: invalid UTF-8, a missing or unclosed `+++`, bad TOML, wrong types.

#![no_main]

use std::path::Path;

use aktsom::content;
use aktsom::diagnostics::text_from_bytes;
use aktsom_fuzz::{REPORT_PATH, SITE, render_all};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let source = match text_from_bytes(data.to_vec(), Path::new(REPORT_PATH)) {
        Ok(s) => s,
        Err(d) => return render_all(&[d]),
    };
    let site = SITE.lock().unwrap_or_else(|e| e.into_inner());
    match content::parse_front_matter(&source, 2024, &site.config, &site.templates) {
        Ok((front, errors)) => {
            render_all(&errors);
            assert!(source.text.is_char_boundary(front.body_offset));
            assert!(front.body_offset <= source.text.len());
            for v in front.figures.values() {
                assert!(v.is_finite() && *v >= 0.0, "figure {v}");
            }
            if let Some(t) = &front.template {
                assert!(site.templates.contains_key(t));
            }
        }
        Err(errors) => {
            assert!(errors.iter().any(|d| d.is_error()));
            render_all(&errors);
        }
    }
});
