//! Thinning long curves for plotting without losing what a reader looks for.
//!
//! A 10-year daily run has 3,650 points per series; a panel is ~900 pixels wide, so more
//! than two points per pixel column only make the file bigger. Each of `buckets` equal
//! spans of days keeps its first, lowest, highest and last point, so a peak (Cmax), a
//! nadir (IgG) and a step (aplasia start) survive exactly; the days in `keep` (treatment
//! events) are kept whatever bucket they fall in.

use crate::run_data::Points;

/// At most about `4 × buckets + keep.len()` points of `points`, in day order, keeping each
/// bucket's extremes and the points on `keep` days.
pub fn thin(points: &[(f64, f64)], buckets: usize, keep: &[f64]) -> Points {
    if points.len() <= 4 * buckets.max(1) {
        return points.to_vec();
    }
    let (first, last) = (points[0].0, points[points.len() - 1].0);
    let width = (last - first) / buckets as f64;
    let bucket_of = |day: f64| (((day - first) / width) as usize).min(buckets - 1);
    let mut chosen = vec![false; points.len()];
    let mut start = 0;
    while start < points.len() {
        let b = bucket_of(points[start].0);
        let mut end = start;
        while end + 1 < points.len() && bucket_of(points[end + 1].0) == b {
            end += 1;
        }
        let span = start..=end;
        let lowest = span
            .clone()
            .min_by(|&i, &j| points[i].1.total_cmp(&points[j].1));
        let highest = span
            .clone()
            .max_by(|&i, &j| points[i].1.total_cmp(&points[j].1));
        for i in [Some(start), lowest, highest, Some(end)]
            .into_iter()
            .flatten()
        {
            chosen[i] = true;
        }
        start = end + 1;
    }
    for (i, &(day, _)) in points.iter().enumerate() {
        if keep.iter().any(|&k| (k - day).abs() < 1e-9) {
            chosen[i] = true;
        }
    }
    points
        .iter()
        .zip(chosen)
        .filter_map(|(p, c)| c.then_some(*p))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_series_are_untouched() {
        let points: Points = (0..10).map(|d| (d as f64, d as f64)).collect();
        assert_eq!(thin(&points, 100, &[]), points);
    }

    #[test]
    fn peaks_nadirs_ends_and_event_days_survive_thinning() {
        // A slow wave with a one-day spike on day 1234 and a one-day dip on day 2000.
        let mut points: Points = (0..3650)
            .map(|d| (d as f64, 100.0 + (d as f64 / 300.0).sin()))
            .collect();
        points[1234].1 = 5000.0;
        points[2000].1 = 0.5;
        let thinned = thin(&points, 200, &[777.0]);
        assert!(thinned.len() <= 4 * 200 + 1, "{} points", thinned.len());
        assert!(thinned.contains(&(1234.0, 5000.0)));
        assert!(thinned.contains(&(2000.0, 0.5)));
        assert!(thinned.contains(&points[0]) && thinned.contains(&points[3649]));
        assert!(thinned.iter().any(|p| p.0 == 777.0));
        assert!(
            thinned.windows(2).all(|w| w[0].0 < w[1].0),
            "day order kept"
        );
    }
}
