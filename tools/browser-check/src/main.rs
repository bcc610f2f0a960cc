//! `immunosim-browser-check REPORT.html`: opens the page in headless Chromium, fails on
//! any console message or a blank page, and saves a PNG of it.

use clap::Parser;
use std::path::PathBuf;
use std::process::ExitCode;

/// Open an immunosim report in headless Chromium and check that it renders.
///
/// Loads the page from disk with a fresh profile and no background networking, saves a
/// screenshot, and exits 1 if the browser logged any console message (a script error, a
/// resource that failed to load: a report must need no network) or the page is blank.
/// Chromium is /usr/bin/chromium (Debian's `chromium` package) unless CHROMIUM names
/// another binary.
#[derive(Parser, Debug)]
#[command(name = "immunosim-browser-check", version, about, long_about, after_long_help = EXAMPLES)]
struct Args {
    /// The page to open (a run folder's report.html).
    #[arg(value_name = "PAGE")]
    page: PathBuf,
    /// Where to save the screenshot.
    #[arg(long, value_name = "PNG", default_value = "report.png")]
    png: PathBuf,
    /// Browser window width in pixels.
    #[arg(long, default_value_t = 1100)]
    width: u32,
    /// Browser window height in pixels (the screenshot's height).
    #[arg(long, default_value_t = 5200)]
    height: u32,
}

const EXAMPLES: &str = "\
EXAMPLES:
    immunosim run --report --out out/sle
    immunosim-browser-check out/sle/report.html --png out/sle/report.png

EXIT STATUS:
    0  the page rendered without console messages
    1  console messages, a blank page, or the browser failed
    2  no Chromium found (install Debian's chromium or set CHROMIUM)";

fn main() -> ExitCode {
    let args = Args::parse();
    let Some(chromium) = immunosim_browser_check::find_chromium() else {
        eprintln!("no Chromium found: install Debian's `chromium` package or set CHROMIUM");
        return ExitCode::from(2);
    };
    match immunosim_browser_check::check(
        &chromium,
        &args.page,
        &args.png,
        (args.width, args.height),
    ) {
        Ok(checked) => {
            let problems = checked.problems();
            for problem in &problems {
                eprintln!("{}: {problem}", args.page.display());
            }
            println!(
                "{}: {}x{} screenshot in {} ({} problems)",
                args.page.display(),
                checked.size.0,
                checked.size.1,
                args.png.display(),
                problems.len()
            );
            if problems.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
