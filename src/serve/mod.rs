//! `aktsom serve`: a live-reload preview of the site, drafts included, on the member's
//! own machine.
//!
//! The preview is built with [`crate::rebuild::Preview`] into a folder of its own (a
//! temporary one by default, never the published `public/`) and served from there by
//! [`http`]. [`watch`] sees the site's files change; each finished save becomes one
//! [`Preview::update`], and [`events`] tells every open tab about the result: a reload
//! once the new build is complete, or the error overlay (built by [`page`]) while the
//! last good build stays served. The reload script and the overlay are added to HTML
//! responses as they are served; the files on disk are never touched.
//!
//! # Serving at once
//!
//! The server answers from the start. The first build writes each page into the
//! output folder as it makes it (see [`crate::rebuild`]), the front page and the
//! member and report pages first, so that the reader gets a page as soon as the model
//! is loaded; a page not made yet is answered with a short "being built" page (503)
//! that reloads itself when the build is complete, and the site's 404 page is used only
//! once the whole site is built. The watcher starts before the first build, so a save
//! made meanwhile is built right after it.
//!
//! # From a save to the reload
//!
//! An editor saves in a burst of writes, renames and backup files; the reader must get
//! one reload, of the finished file, as soon as possible:
//!
//! 1. [`watch`] hands a burst over as soon as every file in it is finished (renamed into
//!    place, or closed by its writer, or back after being moved aside), not after a
//!    fixed quiet window, and a few milliseconds later;
//! 2. the rebuild starts at once; requests are held back only while its files move
//!    into place ([`Preview::commit`]), not while it renders;
//! 3. changes that came in while it ran supersede it: they are built at once, together,
//!    and only that build is announced, so the reader never reloads into a state the
//!    editor had already left;
//! 4. a build that fails is announced only when no change follows within
//!    [`ERROR_GRACE`]: the truncated or half-written file of a save in several steps
//!    builds with errors, and must not flash the overlay at the reader when the next
//!    step follows at once. (Such a file is not built at all when its writer keeps it
//!    open; see [`watch`].)
//!
//! So a save costs the rebuild and a few milliseconds, not a quiet window (100 ms
//! before), and a burst still gives one reload. A report saved with the bytes last
//! built is not even rebuilt. And the rebuild the reader waits for is the pages: a
//! report edit's one file that no page reads, its year's answers file (on a large site
//! the slowest file it changes), is brought up to date right after the reload
//! ([`crate::rebuild::Preview::later`]); a request for it meanwhile waits for it
//! ([`http::Pending`]), so the preview never serves a file older than the build the
//! tabs were told of.
//!
//! No global state: the state the HTTP threads share is one [`http::Shared`], passed to
//! them explicitly; the main thread owns the preview and the watcher.

/// `println!` that never panics: a closed terminal or pipe is no reason to stop serving
/// (or to skip removing the preview folder).
macro_rules! out {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($t)*);
    }};
}

/// `eprintln!` that never panics.
macro_rules! err {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($t)*);
    }};
}

pub(crate) mod events;
pub mod http;
pub(crate) mod page;
pub mod watch;

use std::io::IsTerminal;
use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpListener};
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, channel};
use std::time::Duration;

use crate::diagnostics::Diagnostic;
use crate::rebuild::{Outcome, Preview, PreviewOptions};
use events::Status;
use http::{HostCheck, Shared};
use page::Language;
use watch::{Msg, Next, Watch};

/// The port tried first when none is given; the next ones follow if it is taken.
pub(crate) const DEFAULT_PORT: u16 = 1111;
/// How many ports after [`DEFAULT_PORT`] are tried.
const PORTS_TRIED: u16 = 50;
/// A failed build is shown only when no change follows within this (a save in several
/// steps passes through broken states).
pub const ERROR_GRACE: Duration = Duration::from_millis(300);
/// How often a stream that has nothing to say sends a comment, to find dead clients.
const HEARTBEAT: Duration = Duration::from_secs(15);
/// How long Ctrl+C waits for a rebuild in progress before stopping without it.
const STOP_GRACE: Duration = Duration::from_secs(1);
/// The file that marks a folder given with `--out` as one that `serve` made.
const MARKER: &str = ".aktsom-preview";

/// What `aktsom serve` is asked to do.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// The site root: the folder with `site.toml`.
    pub root: PathBuf,
    /// The address to listen on; anything but a loopback address lets other machines
    /// see the drafts (see [`parse_bind`]).
    pub bind: IpAddr,
    /// `None`: [`DEFAULT_PORT`] or the next free one. `Some(0)`: any free port.
    pub port: Option<u16>,
    /// Preview only this member (its slug), to rebuild faster while editing its report.
    pub member: Option<String>,
    /// Open the preview in the system's browser once it is served.
    pub open: bool,
    /// Where to write the preview; `None`: a temporary folder removed on exit.
    pub out: Option<PathBuf>,
}

/// Parses `--bind`: an IP address, or `localhost`.
pub fn parse_bind(s: &str) -> Result<IpAddr, String> {
    if s.eq_ignore_ascii_case("localhost") {
        return Ok(IpAddr::V4(Ipv4Addr::LOCALHOST));
    }
    s.parse()
        .map_err(|_| format!("`{s}` is not an IP address (for example 127.0.0.1 or ::1)"))
}

/// The preview's output folder; a temporary one is removed when this is dropped.
enum OutDir {
    Temp(tempfile::TempDir),
    Given(PathBuf),
}

impl OutDir {
    fn path(&self) -> &Path {
        match self {
            OutDir::Temp(t) => t.path(),
            OutDir::Given(p) => p,
        }
    }
}

/// Runs the preview until Ctrl+C (or SIGTERM). An `Err` is a message for the user.
pub fn run(opts: ServeOptions) -> Result<(), String> {
    let root = site_root(&opts.root)?;
    let out = out_dir(&root, opts.out.as_deref())?;
    let out_path = out
        .path()
        .canonicalize()
        .map_err(|e| format!("cannot open {}: {e}", out.path().display()))?;

    let listener = listen(opts.bind, opts.port)?;
    let addr = listener
        .local_addr()
        .map_err(|e| format!("cannot listen: {e}"))?;
    let url = format!("http://{}/", display_addr(addr));

    let shared = Arc::new(Shared::new(
        out_path.clone(),
        Language::of_site(&root),
        HostCheck {
            bind: addr.ip(),
            port: addr.port(),
        },
        HEARTBEAT,
    ));
    let mut preview = Preview::new(PreviewOptions {
        root: root.clone(),
        out: out_path.clone(),
        base_url: url.clone(),
        member: opts.member.clone(),
    });

    // Ctrl+C and SIGTERM end the main loop, so the temporary folder is removed.
    let (tx, rx) = channel();
    let leaving = stop_on_ctrl_c(tx.clone(), &out);
    start_serving(listener, &shared)?;
    // Watched from before the first build, so that no save is missed.
    let mut watch = Watch::start(&root, &out_path, tx)
        .map_err(|e| format!("cannot watch {} for changes: {e}", root.display()))?;
    greet(&opts, &root, addr, &url, (&out, &out_path));
    if opts.open {
        open_browser(&url);
    }

    let mut term = Terminal {
        color: std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
        warnings: Vec::new(),
    };
    let result = guarded(|| rebuild(&mut preview, &shared, None));
    {
        let mut st = shared.gate.write().unwrap_or_else(|e| e.into_inner());
        st.building = false;
        announce(&shared, &mut st, result, &mut term, "Built");
    }
    rebuild_on_change(&mut preview, &shared, &mut watch, &rx, &mut term);
    leaving.store(true, Ordering::SeqCst);
    out!("Stopped.");
    drop(out);
    Ok(())
}

/// The site folder, canonical, if it has a site.toml.
fn site_root(given: &Path) -> Result<PathBuf, String> {
    let root = given
        .canonicalize()
        .map_err(|e| format!("cannot open the site folder {}: {e}", given.display()))?;
    if !root.join("site.toml").is_file() {
        return Err(format!(
            "{} has no site.toml; give the site folder with --root",
            given.display()
        ));
    }
    Ok(root)
}

/// Has Ctrl+C and SIGTERM send [`Msg::Stop`] to the main loop. If the main loop does
/// not end the process within [`STOP_GRACE`] (it is in the middle of a rebuild, which
/// takes minutes on a large site), the handler removes the temporary folder and ends
/// it. The main loop sets the flag returned when it is ending the process itself.
fn stop_on_ctrl_c(stop: std::sync::mpsc::Sender<Msg>, out: &OutDir) -> Arc<AtomicBool> {
    let temp = match out {
        OutDir::Temp(t) => Some(t.path().to_path_buf()),
        OutDir::Given(_) => None,
    };
    let leaving = Arc::new(AtomicBool::new(false));
    let left = Arc::clone(&leaving);
    if let Err(e) = ctrlc::set_handler(move || {
        let _ = stop.send(Msg::Stop);
        std::thread::sleep(STOP_GRACE);
        if left.load(Ordering::SeqCst) {
            // The main loop is removing the folder and ending the process.
            return;
        }
        if let Some(dir) = &temp {
            // The rebuild may still be writing into it: try again if a file appeared.
            for _ in 0..5 {
                if std::fs::remove_dir_all(dir).is_ok() || !dir.exists() {
                    break;
                }
            }
        }
        out!("Stopped during a rebuild.");
        std::process::exit(0);
    }) {
        err!("warning: cannot handle Ctrl+C ({e}); the preview folder may be left behind");
    }
    leaving
}

/// Starts answering requests at once, while the first build writes pages as it makes
/// them.
fn start_serving(listener: TcpListener, shared: &Arc<Shared>) -> Result<(), String> {
    shared
        .gate
        .write()
        .unwrap_or_else(|e| e.into_inner())
        .building = true;
    let http_shared = Arc::clone(shared);
    std::thread::Builder::new()
        .name("aktsom-accept".into())
        .spawn(move || http::serve_forever(listener, http_shared))
        .map(drop)
        .map_err(|e| format!("cannot start the server: {e}"))
}

/// Tells the operator where the preview is (and warns when other machines can reach it);
/// `out`: the preview's folder and its canonical path.
fn greet(opts: &ServeOptions, root: &Path, addr: SocketAddr, url: &str, out: (&OutDir, &Path)) {
    if !addr.ip().is_loopback() {
        err!(
            "warning: serving on {} makes the preview, drafts included, reachable from other \
             machines; use --bind 127.0.0.1 to keep it on this one",
            addr.ip()
        );
    }
    out!(
        "Serving {} at {url} (drafts included{})",
        root.display(),
        match &opts.member {
            Some(m) => format!(", only {m}"),
            None => String::new(),
        }
    );
    match out {
        (OutDir::Temp(_), path) => out!(
            "Preview files in {} (removed on exit). Press Ctrl+C to stop.",
            path.display()
        ),
        (OutDir::Given(_), path) => {
            out!("Preview files in {}. Press Ctrl+C to stop.", path.display())
        }
    }
}

/// The main loop: each finished save is rebuilt and announced (see the module
/// documentation), until asked to stop.
fn rebuild_on_change(
    preview: &mut Preview,
    shared: &Shared,
    watch: &mut Watch,
    rx: &Receiver<Msg>,
    term: &mut Terminal,
) {
    let mut on_error = |e: notify::Error| err!("warning: watching for changes: {e}");
    let mut next = watch.next_burst(rx, None, &mut on_error);
    while let Next::Changed(changed) = next {
        let result = guarded(|| rebuild(preview, shared, Some(&changed)));
        // Changes that came in meanwhile supersede this build: build them now, and
        // tell the tabs only about that build.
        // (The status, and so the build id in the pages served meanwhile, stays that of
        // the build the tabs last heard of, so that they reload for the next one.)
        let wait = if result.is_err() {
            // Shown only if the save is really over.
            ERROR_GRACE
        } else {
            Duration::ZERO
        };
        match watch.next_burst(rx, Some(wait), &mut on_error) {
            Next::Quiet => {}
            other => {
                next = other;
                continue;
            }
        }
        // Only now, with the pages complete, are the tabs told; then the files no page
        // reads are brought up to date.
        {
            let mut st = shared.gate.write().unwrap_or_else(|e| e.into_inner());
            announce(shared, &mut st, result, term, "Rebuilt");
        }
        catch_up(preview, shared, term);
        next = watch.next_burst(rx, None, &mut on_error);
    }
}

/// Builds the whole site (`None`) or what `changed` paths change. Requests are held
/// back only while the result moves into place, so that none reads half a build; the
/// files it leaves for later ([`Preview::later`]) are marked pending for the requests.
fn rebuild(
    preview: &mut Preview,
    shared: &Shared,
    changed: Option<&[PathBuf]>,
) -> Result<Outcome, Vec<Diagnostic>> {
    let prepared = match changed {
        None => preview.prepare_build()?,
        Some(paths) => preview.prepare(paths)?,
    };
    // Outside content/, the site's language or its strings may have changed: the
    // server speaks the new ones from this build on.
    let content = preview.options().root.join("content");
    if changed.is_none_or(|paths| paths.iter().any(|p| !p.starts_with(&content))) {
        shared.set_language(Language::of_site(&preview.options().root));
    }
    let _st = shared.gate.write().unwrap_or_else(|e| e.into_inner());
    let outcome = preview.commit(prepared);
    let later = preview.later().iter().map(|p| shared.out.join(p)).collect();
    shared.pending.set(later);
    outcome
}

/// Brings up to date what the last rebuild left for later (a report edit: its year's
/// answers file, which no page reads), once the tabs have been told of the pages.
/// Requests for those files wait until then ([`http::Pending`]). A failure is shown
/// like a failed build: the preview never keeps a stale file without saying why.
fn catch_up(preview: &mut Preview, shared: &Shared, term: &mut Terminal) {
    if preview.later().is_empty() {
        return;
    }
    let result = guarded(|| {
        let prepared = preview.prepare_later()?;
        let _st = shared.gate.write().unwrap_or_else(|e| e.into_inner());
        preview.commit(prepared)
    });
    if let Err(diags) = result {
        let mut st = shared.gate.write().unwrap_or_else(|e| e.into_inner());
        announce(shared, &mut st, Err(diags), term, "Rebuilt");
    }
    shared.pending.clear();
}

/// What the terminal was last shown.
struct Terminal {
    color: bool,
    /// The warnings of the last good build, rendered.
    warnings: Vec<String>,
}

/// Runs a build, turning a panic into an error, so the preview keeps running.
fn guarded(
    f: impl FnOnce() -> Result<Outcome, Vec<Diagnostic>>,
) -> Result<Outcome, Vec<Diagnostic>> {
    std::panic::catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|_| {
        Err(vec![
            Diagnostic::file("aktsom", "internal error while building the preview")
                .with_help("this is a bug in aktsom; the message above says where"),
        ])
    })
}

/// Records a build's result in the status `st` (held for writing) and tells the tabs.
/// A stream subscribes while holding the status for reading, so it hears of a build
/// either in its `hello` or as this event, never both (or neither).
fn announce(
    shared: &Shared,
    st: &mut Status,
    result: Result<Outcome, Vec<Diagnostic>>,
    term: &mut Terminal,
    verb: &str,
) {
    let frame = match result {
        Ok(outcome) => record_build(st, outcome, term, verb),
        Err(diags) => record_errors(st, &diags, term, (verb, &shared.language())),
    };
    shared.hub.broadcast(&frame);
}

/// Records a good build in the status, prints one line (and its warnings, when they
/// changed) in the terminal, and returns the event that tells the tabs.
fn record_build(st: &mut Status, outcome: Outcome, term: &mut Terminal, verb: &str) -> String {
    // The same warnings after every save would drown the news: print them when they
    // change, count them otherwise.
    let warnings: Vec<String> = outcome
        .warnings
        .iter()
        .map(|w| w.render(term.color))
        .collect();
    let repeated = !warnings.is_empty() && warnings == term.warnings;
    if !repeated {
        for w in &warnings {
            err!("{w}");
        }
    }
    term.warnings = warnings;
    let what = match (verb, outcome.changed.len()) {
        ("Built", _) => format!("{} files", outcome.files),
        (_, 0) => "nothing changed".to_string(),
        (_, 1) => "1 file changed".to_string(),
        (_, n) => format!("{n} files changed"),
    };
    let same = match (repeated, term.warnings.len()) {
        (false, _) => String::new(),
        (true, 1) => " (1 warning, as before)".to_string(),
        (true, n) => format!(" ({n} warnings, as before)"),
    };
    out!(
        "{verb} in {} ms: {what}{same}",
        outcome.elapsed.as_millis().max(1)
    );
    let event = if outcome.build_id != st.build_id {
        "reload"
    } else {
        "ok"
    };
    st.build_id = outcome.build_id;
    st.error = None;
    st.frame(event)
}

/// Records a failed build in the status (the overlay, in language `t`), prints the
/// errors in the terminal, and returns the event that tells the tabs.
fn record_errors(
    st: &mut Status,
    diags: &[Diagnostic],
    term: &mut Terminal,
    (verb, t): (&str, &Language),
) -> String {
    for d in diags {
        err!("{}", d.render(term.color));
    }
    term.warnings.clear();
    let n = diags.iter().filter(|d| d.is_error()).count();
    err!(
        "error: the preview could not be {} ({n} error{}); {}",
        if verb == "Built" { "built" } else { "rebuilt" },
        if n == 1 { "" } else { "s" },
        if st.build_id.is_empty() {
            "fix it and save to try again"
        } else {
            "still serving the last good build"
        }
    );
    st.error = Some(page::overlay(diags, !st.build_id.is_empty(), t));
    st.frame("build-error")
}

/// The preview's folder: `--out` (never the published one) or a temporary folder.
fn out_dir(root: &Path, given: Option<&Path>) -> Result<OutDir, String> {
    let Some(dir) = given else {
        return tempfile::Builder::new()
            .prefix("aktsom-serve-")
            .tempdir()
            .map(OutDir::Temp)
            .map_err(|e| format!("cannot make a temporary folder for the preview: {e}"));
    };
    // The rule every output folder follows (never in the site's sources, never a file).
    crate::output::check_out_dir(root, dir)?;
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot make {}: {e}", dir.display()))?;
    let canon = dir
        .canonicalize()
        .map_err(|e| format!("cannot open {}: {e}", dir.display()))?;
    if canon == crate::output::default_out(root) {
        return Err(format!(
            "{} is the published site; the preview (with drafts) goes into a folder of its own",
            dir.display()
        ));
    }
    if canon == root {
        return Err(format!("{} is the site itself", dir.display()));
    }
    let mut entries = std::fs::read_dir(&canon)
        .map_err(|e| format!("cannot read {}: {e}", dir.display()))?
        .filter_map(|e| e.ok());
    let empty = entries.next().is_none();
    if !empty {
        if !canon.join(MARKER).is_file() {
            return Err(format!(
                "{} is not empty; give an empty or new folder (serve removes what is in it)",
                dir.display()
            ));
        }
        // A folder an earlier `serve` made: start afresh.
        std::fs::remove_dir_all(&canon)
            .and_then(|()| std::fs::create_dir_all(&canon))
            .map_err(|e| format!("cannot empty {}: {e}", dir.display()))?;
    }
    std::fs::write(canon.join(MARKER), "made by aktsom serve\n")
        .map_err(|e| format!("cannot write in {}: {e}", dir.display()))?;
    Ok(OutDir::Given(canon))
}

/// Listens on the given port, or on [`DEFAULT_PORT`] or the next free one.
fn listen(ip: IpAddr, port: Option<u16>) -> Result<TcpListener, String> {
    if let Some(p) = port {
        return TcpListener::bind(SocketAddr::new(ip, p)).map_err(|e| {
            format!(
                "cannot listen on {}: {e}",
                display_addr(SocketAddr::new(ip, p))
            )
        });
    }
    let mut last = None;
    for p in DEFAULT_PORT..DEFAULT_PORT + PORTS_TRIED {
        match TcpListener::bind(SocketAddr::new(ip, p)) {
            Ok(l) => return Ok(l),
            Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => last = Some(e),
            Err(e) => {
                return Err(format!(
                    "cannot listen on {}: {e}",
                    display_addr(SocketAddr::new(ip, p))
                ));
            }
        }
    }
    Err(format!(
        "cannot listen on {ip}: ports {DEFAULT_PORT} to {} are taken ({}); choose one with --port",
        DEFAULT_PORT + PORTS_TRIED - 1,
        last.map(|e| e.to_string()).unwrap_or_default()
    ))
}

/// `127.0.0.1:1111`, `[::1]:1111`; all interfaces shown as the loopback address, which
/// is where this machine's browser finds the preview.
fn display_addr(addr: SocketAddr) -> String {
    let ip = match addr.ip() {
        IpAddr::V4(v4) if v4.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(v6) if v6.is_unspecified() => IpAddr::V6(std::net::Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    SocketAddr::new(ip, addr.port()).to_string()
}

/// Opens the preview in the browser; a failure only means the user opens it themselves.
fn open_browser(url: &str) {
    let program = if cfg!(target_os = "macos") {
        "open"
    } else if cfg!(windows) {
        "explorer"
    } else {
        "xdg-open"
    };
    let child = std::process::Command::new(program)
        .arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
    if let Ok(mut child) = child {
        std::thread::spawn(move || {
            let _ = child.wait();
        });
    }
}
