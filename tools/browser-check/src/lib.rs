//! Opening a page in headless Chromium the way a reader's browser would, and reporting
//! what went wrong: console messages (a script error, a resource that failed to load —
//! a report must need no network) and a blank or missing screenshot.
//!
//! Chromium is Debian's `chromium` package (`/usr/bin/chromium`); `CHROMIUM` names
//! another binary. It runs with a fresh profile and without background networking, so
//! that the closed network of a build machine produces no messages of its own.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Where Chromium is looked for when `CHROMIUM` is not set.
const CANDIDATES: [&str; 4] = [
    "/usr/bin/chromium",
    "/usr/bin/chromium-browser",
    "/usr/bin/google-chrome",
    "/usr/bin/google-chrome-stable",
];

/// The Chromium binary: `$CHROMIUM`, or the first of the usual paths that exists.
pub fn find_chromium() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("CHROMIUM") {
        return Some(PathBuf::from(path));
    }
    CANDIDATES.iter().map(PathBuf::from).find(|p| p.exists())
}

/// What the browser saw.
#[derive(Debug, Clone)]
pub struct Checked {
    /// Console messages logged while the page loaded (none for a good report).
    pub console: Vec<String>,
    /// The screenshot's width and height in pixels.
    pub size: (u32, u32),
    /// Distinct colours in the screenshot (a blank page has one).
    pub colours: usize,
}

impl Checked {
    /// Problems a reader would see: console messages, or a page with nothing drawn.
    pub fn problems(&self) -> Vec<String> {
        let mut problems: Vec<String> = self
            .console
            .iter()
            .map(|m| format!("console: {m}"))
            .collect();
        if self.colours < 16 {
            problems.push(format!(
                "the page looks blank ({} colours in the screenshot)",
                self.colours
            ));
        }
        problems
    }
}

/// Opens `page` in headless `chromium` at `width`×`height` pixels, saves a screenshot
/// to `png`, and returns the console messages and what the screenshot holds.
pub fn check(
    chromium: &Path,
    page: &Path,
    png: &Path,
    (width, height): (u32, u32),
) -> Result<Checked, String> {
    let page = std::fs::canonicalize(page).map_err(|e| format!("{}: {e}", page.display()))?;
    let profile =
        std::env::temp_dir().join(format!("immunosim-browser-check-{}", std::process::id()));
    let output = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("--window-size={width},{height}"))
        .arg(format!("--screenshot={}", png.display()))
        .arg(format!("file://{}", page.display()))
        .output()
        .map_err(|e| format!("cannot start {}: {e}", chromium.display()))?;
    let _ = std::fs::remove_dir_all(&profile);
    let stderr = String::from_utf8_lossy(&output.stderr);
    if !output.status.success() {
        return Err(format!(
            "{} failed ({}): {stderr}",
            chromium.display(),
            output.status
        ));
    }
    let console = console_messages(&stderr);
    let (size, colours) = screenshot(png)?;
    Ok(Checked {
        console,
        size,
        colours,
    })
}

/// The console messages in Chromium's log (`...:CONSOLE(12)] "message", source: ...`
/// or `...:CONSOLE:12] ...`, by version).
pub fn console_messages(log: &str) -> Vec<String> {
    log.lines()
        .filter_map(|line| {
            let at = line.find(":CONSOLE")?;
            let message = line[at..].split_once("] ").map_or(&line[at..], |(_, m)| m);
            Some(message.trim().to_owned())
        })
        .collect()
}

/// The PNG's size and its number of distinct colours (counted up to 256).
fn screenshot(path: &Path) -> Result<((u32, u32), usize), String> {
    let file =
        std::fs::File::open(path).map_err(|e| format!("no screenshot {}: {e}", path.display()))?;
    let mut reader = png::Decoder::new(std::io::BufReader::new(file))
        .read_info()
        .map_err(|e| format!("{}: {e}", path.display()))?;
    let mut pixels = vec![0; reader.output_buffer_size().unwrap_or(0)];
    let info = reader
        .next_frame(&mut pixels)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    let channels = info.color_type.samples();
    let mut colours: Vec<&[u8]> = Vec::new();
    for pixel in pixels[..info.buffer_size()].chunks_exact(channels) {
        if colours.len() >= 256 {
            break;
        }
        if !colours.contains(&pixel) {
            colours.push(pixel);
        }
    }
    Ok(((info.width, info.height), colours.len()))
}

#[cfg(test)]
mod tests {
    #[test]
    fn console_lines_of_both_log_formats_are_found() {
        let log = "[1:2:1201/124016.9:ERROR:dbus/bus.cc:405] Failed to connect to the bus\n\
                   [1:1:1201/1.2:INFO:CONSOLE(3)] \"Uncaught ReferenceError: x\", source: file:///r.html (3)\n\
                   [1:1:1201/1.2:INFO:CONSOLE:7] \"boom\", source: file:///r.html (7)\n";
        assert_eq!(
            super::console_messages(log),
            [
                "\"Uncaught ReferenceError: x\", source: file:///r.html (3)",
                "\"boom\", source: file:///r.html (7)"
            ]
        );
    }
}
