//! A whole report through the render pipeline: parsed and rendered as in `report`,
//! then put into the fuzz site and every page rendered, rewritten and link-checked in
//! memory, as `aktsom build` does before it writes anything. No page may carry an
//! event handler or an unsafe URL.

#![no_main]

use std::path::Path;

use aktsom::content;
use aktsom::diagnostics::text_from_bytes;
use aktsom_fuzz::{REPORT_PATH, SITE, check_body, check_page, render_all};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let source = match text_from_bytes(data.to_vec(), Path::new(REPORT_PATH)) {
        Ok(s) => s,
        Err(d) => return render_all(&[d]),
    };
    let mut site = SITE.lock().unwrap_or_else(|e| e.into_inner());
    let parsed = content::parse_report(
        source,
        2024,
        &site.members[0],
        &site.config,
        &site.templates,
    );
    let report = match parsed {
        Ok(r) => r,
        Err(errors) => return render_all(&errors),
    };
    check_body(&report.body.html);
    let saved = std::mem::replace(&mut site.members[0].reports, vec![report]);
    let out = aktsom::output::Emitter::in_memory();
    let built = aktsom::build(&site, &aktsom::BuildOptions::whole(), &out)
        .map(|_| out.finish())
        .and_then(|emitted| aktsom::links::check_emitted(&site, &emitted).map(|()| emitted.files));
    site.members[0].reports = saved;
    match built {
        Ok(files) => {
            for f in files.iter().filter(|f| f.path.ends_with(".html")) {
                check_page(&String::from_utf8_lossy(&f.bytes));
            }
        }
        Err(errors) => render_all(&errors),
    }
});
