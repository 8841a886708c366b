//! The `aktsom` command line.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use aktsom::diagnostics::Diagnostic;
use aktsom::{PublishOptions, default_out, publish};
use clap::{Parser, Subcommand};

/// mimalloc instead of the system allocator: the build allocates many small strings on
/// every thread, where glibc's malloc spent about a sixth of the CPU (BENCHMARKS.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "aktsom",
    version,
    about = "Publishes members' due-diligence reports as an accessible static site"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Build the site into the output folder (public/ by default).
    Build {
        /// The site root: the folder with site.toml.
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// The output folder (default: <root>/public).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Include draft reports, each marked as a draft.
        #[arg(long)]
        drafts: bool,
        /// Override base_url from site.toml (checked by the same rule).
        #[arg(long, value_parser = base_url_flag)]
        base_url: Option<String>,
        /// Build into a folder aktsom did not make, replacing what is in it (dot-files
        /// such as .git, and CNAME, _headers, _redirects, _routes.json and _worker.js,
        /// are kept). Never into the site's own folders.
        #[arg(long)]
        force: bool,
    },
    /// Check the site and report every problem at once, without writing anything.
    /// Exits with 1 when there are errors (the site would not build), 0 otherwise.
    Check {
        /// The site root: the folder with site.toml.
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// `human` (snippets with carets, like a compiler) or `json` (an array of
        /// {severity, file, line, column, message, help}).
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
        /// Check as `build --drafts` builds: render drafts and check their links too.
        #[arg(long)]
        drafts: bool,
    },
    /// Preview the site, drafts included, on this machine: rebuilt and reloaded in the
    /// browser as you save.
    Serve {
        /// The site root: the folder with site.toml.
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// The address to listen on; anything but 127.0.0.1 or ::1 lets other machines in.
        #[arg(long, default_value = "127.0.0.1", value_parser = aktsom::serve::parse_bind)]
        bind: std::net::IpAddr,
        /// The port (default: 1111 or the next free one; 0 picks any free port).
        #[arg(long)]
        port: Option<u16>,
        /// Preview only this member (the folder name in content/members/).
        #[arg(long)]
        member: Option<String>,
        /// Open the preview in the browser.
        #[arg(long)]
        open: bool,
        /// Where to write the preview (default: a temporary folder removed on exit).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Import reports as the association has them: a report's PDF, or the PDF's text as
    /// pdftotext gives it, into content/members/<slug>/<year>.md; then check it.
    Import {
        /// A report's .pdf or .txt, or a folder of them named <slug>-<year>.pdf|txt.
        input: PathBuf,
        /// The member (its folder name in content/members/); default: from the file name.
        #[arg(long)]
        member: Option<String>,
        /// The reporting year; default: from the file name.
        #[arg(long)]
        year: Option<u16>,
        /// The site root: the folder with site.toml.
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Replace a report that exists.
        #[arg(long)]
        force: bool,
        /// The publication date, YYYY-MM-DD (default: the PDF's creation date; else the
        /// report is written as a draft).
        #[arg(long)]
        published: Option<String>,
        /// The sector of a new member when its name does not tell (default: public).
        #[arg(long, value_enum)]
        sector: Option<SectorArg>,
    },
    /// Start a member's report for a year as a draft (`aktsom new SLUG YEAR`), carrying
    /// over the earlier report's answers and key figures; or start a new member
    /// (`aktsom new --member SLUG`). Never overwrites.
    New {
        /// The member (its folder name in content/members/).
        #[arg(required_unless_present = "member")]
        slug: Option<String>,
        /// The year of the report.
        #[arg(required_unless_present = "member")]
        year: Option<u16>,
        /// Start a new member with this slug (member.toml with the keys to fill in).
        #[arg(long, conflicts_with_all = ["slug", "year"])]
        member: Option<String>,
        /// The new member's name (default: from the slug).
        #[arg(long, requires = "member")]
        name: Option<String>,
        /// The new member's sector when its name does not tell (default: public).
        #[arg(long, value_enum, requires = "member")]
        sector: Option<SectorArg>,
        /// The site root: the folder with site.toml.
        #[arg(long, default_value = ".")]
        root: PathBuf,
    },
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum SectorArg {
    Public,
    Private,
}

/// `--base-url`: the rule of `base_url` in site.toml, with an error that names the flag.
fn base_url_flag(url: &str) -> Result<String, String> {
    aktsom::config::base_url(url)
        .map_err(|why| format!("--base-url {why}, like https://rapporter.example.no/"))
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum Format {
    Human,
    Json,
}

/// `aktsom check`: the report goes to standard output.
fn run_check(root: PathBuf, format: Format, drafts: bool) -> ExitCode {
    let result = aktsom::check::check(&aktsom::check::CheckOptions { root, drafts });
    match format {
        Format::Json => println!("{}", aktsom::check::to_json(&result)),
        Format::Human => {
            let color = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
            for d in &result.diagnostics {
                println!("{}", d.render(color));
            }
            if let Some(note) = result.waiting() {
                println!("note: {note}");
            }
            println!("{}", result.summary());
        }
    }
    if result.ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// `aktsom import`: what was found, then `check` on what was written.
fn run_import(opts: aktsom::import::ImportOptions) -> ExitCode {
    let color = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let outcome = match aktsom::import::run(&opts) {
        Ok(o) => o,
        Err(errors) => {
            print_diagnostics(&errors);
            return ExitCode::FAILURE;
        }
    };
    for i in &outcome.imported {
        print!("{}", aktsom::import::summary(i));
        for d in &i.warnings {
            println!("{}", d.render(color));
        }
    }
    for why in &outcome.ignored {
        println!("not imported: {why}");
    }
    print_diagnostics(&outcome.failed);
    if !outcome.imported.is_empty() {
        for d in &outcome.checked {
            println!("{}", d.render(color));
        }
        let errors = outcome.checked.iter().filter(|d| d.is_error()).count();
        println!(
            "check: {errors} error{} and {} warning{} in what was written",
            if errors == 1 { "" } else { "s" },
            outcome.checked.len() - errors,
            if outcome.checked.len() - errors == 1 {
                ""
            } else {
                "s"
            },
        );
        if outcome.other_errors > 0 {
            println!(
                "note: the site has {} errors in other files; run `aktsom check`",
                outcome.other_errors
            );
        }
    }
    if outcome.ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn sector_of(s: SectorArg) -> aktsom::content::Sector {
    match s {
        SectorArg::Public => aktsom::content::Sector::Public,
        SectorArg::Private => aktsom::content::Sector::Private,
    }
}

/// `aktsom new`: a member's next report, or a new member.
fn run_new(
    root: PathBuf,
    slug: Option<String>,
    year: Option<u16>,
    member: Option<String>,
    name: Option<String>,
    sector_arg: Option<SectorArg>,
) -> ExitCode {
    let result = match (member, slug, year) {
        (Some(m), _, _) => {
            aktsom::new::member(&root, &m, name.as_deref(), sector_arg.map(sector_of)).map(|path| {
                println!(
                    "Started {}: check the name and sector, and fill in the rest",
                    path.display()
                );
                println!("Then start its first report with: aktsom new {m} YEAR");
            })
        }
        (None, Some(slug), Some(year)) => aktsom::new::report(&root, &slug, year)
            .map(|started| print!("{}", aktsom::new::summary(&started, &slug))),
        _ => Err(vec![Diagnostic::file(
            &root,
            "give a member and a year, or --member SLUG",
        )]),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(errors) => {
            print_diagnostics(&errors);
            ExitCode::FAILURE
        }
    }
}

fn print_diagnostics(diags: &[Diagnostic]) {
    let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    for d in diags {
        eprintln!("{}", d.render(color));
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Check {
            root,
            format,
            drafts,
        } => run_check(root, format, drafts),
        Command::Serve {
            root,
            bind,
            port,
            member,
            open,
            out,
        } => run_serve(aktsom::serve::ServeOptions {
            root,
            bind,
            port,
            member,
            open,
            out,
        }),
        Command::Import {
            input,
            member,
            year,
            root,
            force,
            published,
            sector,
        } => run_import(aktsom::import::ImportOptions {
            root,
            input,
            member,
            year,
            force,
            published,
            sector: sector.map(sector_of),
        }),
        Command::New {
            slug,
            year,
            member,
            name,
            sector,
            root,
        } => run_new(root, slug, year, member, name, sector),
        Command::Build {
            root,
            out,
            drafts,
            base_url,
            force,
        } => run_build(PublishOptions {
            out: out.unwrap_or_else(|| default_out(&root)),
            root,
            drafts,
            base_url,
            force,
        }),
    }
}

/// `aktsom serve`: runs until stopped; an error that stops it is printed.
fn run_serve(opts: aktsom::serve::ServeOptions) -> ExitCode {
    match aktsom::serve::run(opts) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

/// `aktsom build`: publishes the site, then says what it built, or why the output
/// was left as it was.
fn run_build(opts: PublishOptions) -> ExitCode {
    if std::io::stderr().is_terminal() {
        eprintln!("Building {} …", opts.root.display());
    }
    match publish(&opts) {
        Ok(summary) => {
            print_diagnostics(&summary.warnings);
            let warnings = match summary
                .warnings
                .iter()
                .map(Diagnostic::count)
                .sum::<usize>()
            {
                0 => String::new(),
                1 => ", 1 warning".into(),
                n => format!(", {n} warnings"),
            };
            let reused = match summary.reused {
                0 => String::new(),
                n => format!("; {n} reused from the previous build"),
            };
            println!(
                "Built {} pages ({} reports, {} files{reused}) to {} in {:.2} s{warnings}",
                summary.pages,
                summary.reports,
                summary.files,
                opts.out.display(),
                summary.elapsed.as_secs_f64()
            );
            ExitCode::SUCCESS
        }
        Err(errors) => {
            print_diagnostics(&errors);
            let n: usize = errors
                .iter()
                .filter(|d| d.is_error())
                .map(Diagnostic::count)
                .sum();
            eprintln!(
                "error: the build failed with {n} error{}; {} was not changed",
                if n == 1 { "" } else { "s" },
                opts.out.display()
            );
            ExitCode::FAILURE
        }
    }
}
