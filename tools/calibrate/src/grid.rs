//! The `--grid` axes: parsed from the command line, expanded into points.

/// `group.name=v1,v2` → (`group.name`, [v1, v2]).
pub fn parse_axis(text: &str) -> (String, Vec<f64>) {
    let (name, values) = text
        .split_once('=')
        .unwrap_or_else(|| panic!("--grid {text}: expected group.name=v1,v2"));
    let values = values
        .split(',')
        .map(|v| {
            v.trim()
                .parse()
                .unwrap_or_else(|_| panic!("--grid {text}: {v} is not a number"))
        })
        .collect();
    (name.trim().to_string(), values)
}

/// Every combination of the axes' values, the last axis fastest.
pub fn grid_points(axes: &[(String, Vec<f64>)]) -> Vec<Vec<f64>> {
    axes.iter().fold(vec![Vec::new()], |points, (_, values)| {
        points
            .iter()
            .flat_map(|p| {
                values.iter().map(move |&v| {
                    let mut q = p.clone();
                    q.push(v);
                    q
                })
            })
            .collect()
    })
}
