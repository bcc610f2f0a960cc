//! Numbers and text as the report prints them: significant figures a clinician reads,
//! tick labels without trailing zeros, legend text wrapped at spaces.

/// A number with three significant figures, as a clinician reads it.
pub fn sig(value: f64) -> String {
    if !value.is_finite() {
        return format!("{value}");
    }
    if value.fract() == 0.0 && value.abs() < 1e6 {
        return format!("{value:.0}");
    }
    let magnitude = value.abs().log10().floor() as i32;
    if !(-3..6).contains(&magnitude) {
        return format!("{value:.2e}");
    }
    let decimals = (2 - magnitude).max(0) as usize;
    format!("{value:.decimals$}")
}

/// An axis tick label: [`sig`] without trailing zeros (`0.1`, not `0.100`).
pub fn tick(value: f64) -> String {
    let text = sig(value);
    if text.contains('.') && !text.contains('e') {
        text.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        text
    }
}

/// Characters of legend text per row (15 px DejaVu Sans in the legend column).
pub const LEGEND_CHARS: usize = 34;

/// Splits `text` at spaces into rows of at most `width` characters (a longer word keeps
/// its own row): legend text is wrapped, never cut.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut rows: Vec<String> = Vec::new();
    for word in text.split(' ') {
        match rows.last_mut() {
            Some(row) if row.chars().count() + 1 + word.chars().count() <= width => {
                row.push(' ');
                row.push_str(word);
            }
            _ => rows.push(word.to_owned()),
        }
    }
    rows
}

#[cfg(test)]
mod tests {
    #[test]
    fn legend_text_is_wrapped_at_spaces_and_never_cut() {
        let rows = super::wrap("CD19 CAR-T (MB-CART19.1-like): Cmax 643/µL on day 12", 34);
        assert_eq!(
            rows,
            ["CD19 CAR-T (MB-CART19.1-like):", "Cmax 643/µL on day 12"]
        );
        assert_eq!(super::wrap("a b c", 3), ["a b", "c"]);
        assert_eq!(super::wrap("short", 30), ["short"]);
    }

    #[test]
    fn tick_labels_drop_trailing_zeros() {
        assert_eq!(super::tick(0.1), "0.1");
        assert_eq!(super::tick(0.0100), "0.01");
        assert_eq!(super::tick(150.0), "150");
        assert_eq!(super::tick(2.5), "2.5");
    }
}
