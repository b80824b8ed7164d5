//! Krippendorff's α from reliability data, by the coincidence matrix
//! (Krippendorff, "Computing Krippendorff's Alpha-Reliability", 2011):
//! within each unit every pair of values from two different coders is one
//! coincidence, weighted 1/(m−1) for a unit holding m values; units with
//! fewer than two values (missing values) add nothing. Then
//! α = 1 − (n−1)·Σ o_ck δ²_ck / Σ n_c n_k δ²_ck.

/// How unlike two values are.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    /// Alike or not.
    Nominal,
    /// Ordered values (given as ranks): the more values lie between two,
    /// the further apart they are.
    Ordinal,
}

/// α over `units`, each the values coders gave it (a coder who gave none
/// is simply absent). Values are category numbers (nominal) or ranks
/// (ordinal). `None` when α is undefined: no unit with two values, or
/// every value alike (no disagreement could be expected).
pub fn alpha(units: &[Vec<u32>], level: Level) -> Option<f64> {
    let mut domain: Vec<u32> = units.iter().flatten().copied().collect();
    domain.sort_unstable();
    domain.dedup();
    let index = |v: u32| domain.binary_search(&v).expect("every value is in the domain");
    let size = domain.len();
    // o[c][k]: the coincidence matrix.
    let mut o = vec![vec![0.0f64; size]; size];
    for unit in units.iter().filter(|u| u.len() >= 2) {
        let weight = 1.0 / (unit.len() as f64 - 1.0);
        for (i, a) in unit.iter().enumerate() {
            for (j, b) in unit.iter().enumerate() {
                if i != j {
                    o[index(*a)][index(*b)] += weight;
                }
            }
        }
    }
    let n_c: Vec<f64> = o.iter().map(|row| row.iter().sum()).collect();
    let n: f64 = n_c.iter().sum();
    if n < 2.0 {
        return None;
    }
    let delta = |c: usize, k: usize| -> f64 {
        match level {
            Level::Nominal => f64::from(u8::from(c != k)),
            Level::Ordinal => {
                let (low, high) = (c.min(k), c.max(k));
                let between: f64 = n_c[low..=high].iter().sum();
                (between - (n_c[low] + n_c[high]) / 2.0).powi(2)
            }
        }
    };
    let (mut observed, mut expected) = (0.0, 0.0);
    for c in 0..size {
        for k in 0..size {
            let d = delta(c, k);
            observed += o[c][k] * d;
            let e = if c == k { n_c[c] * (n_c[c] - 1.0) } else { n_c[c] * n_c[k] };
            expected += e * d / (n - 1.0);
        }
    }
    if expected == 0.0 {
        return None;
    }
    Some(1.0 - observed / expected)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: Option<f64>, b: f64) {
        let a = a.expect("defined");
        assert!((a - b).abs() < 1e-9, "{a} is not {b}");
    }

    /// Two coders, four units: (1,1) (2,2) (1,2) (2,2). Coincidences:
    /// o11 = 2, o12 = o21 = 1, o22 = 4; n1 = 3, n2 = 5, n = 8.
    /// Nominal: Do = o12 + o21 = 2; De = (n1·n2 + n2·n1)/(n−1) = 30/7;
    /// α = 1 − 2/(30/7) = 1 − 14/30 = 8/15.
    #[test]
    fn nominal_alpha_by_hand() {
        let units = vec![vec![1, 1], vec![2, 2], vec![1, 2], vec![2, 2]];
        close(alpha(&units, Level::Nominal), 8.0 / 15.0);
    }

    /// Missing values: a unit with one value adds nothing, so adding one
    /// leaves α as it was; three coders on a unit weight each pair 1/2.
    #[test]
    fn missing_values_and_three_coders_by_hand() {
        let units = vec![vec![1, 1], vec![2, 2], vec![1, 2], vec![2, 2], vec![1]];
        close(alpha(&units, Level::Nominal), 8.0 / 15.0);
        // (1,1,2): o11 = 2·½ = 1, o12 = o21 = 2·½ = 1; with (2,2): o22 = 2.
        // n1 = 2, n2 = 3, n = 5; Do = 2; De = 2·(2·3)/4 = 3; α = 1 − 2/3.
        close(alpha(&[vec![1, 1, 2], vec![2, 2]], Level::Nominal), 1.0 / 3.0);
    }

    /// Ordinal, ranks 1..3, units (1,2) (2,3) (1,1) (3,3): o11 = 2, o12 = o21 = 1,
    /// o23 = o32 = 1, o33 = 2; n = (3, 2, 3), total 8.
    /// δ²12 = (3+2 − (3+2)/2)² = 2.5² = 6.25; δ²23 = (2+3 − 2.5)² = 6.25;
    /// δ²13 = (3+2+3 − 3)² = 25. Do = 2·6.25 + 2·6.25 = 25.
    /// De·7 = 2·(3·2·6.25 + 2·3·6.25 + 3·3·25) = 2·(37.5 + 37.5 + 225) = 600.
    /// α = 1 − 25·7/600 = 1 − 175/600 = 17/24.
    #[test]
    fn ordinal_alpha_by_hand() {
        let units = vec![vec![1, 2], vec![2, 3], vec![1, 1], vec![3, 3]];
        close(alpha(&units, Level::Ordinal), 17.0 / 24.0);
    }

    #[test]
    fn undefined_without_pairs_or_without_variety() {
        assert_eq!(alpha(&[vec![1], vec![2]], Level::Nominal), None);
        assert_eq!(alpha(&[vec![1, 1], vec![1, 1]], Level::Nominal), None);
        close(alpha(&[vec![1, 1], vec![2, 2]], Level::Nominal), 1.0);
    }
}
