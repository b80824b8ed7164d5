//! Krippendorff's α checked against the reference implementation, the
//! `krippendorff` package on PyPI, on generated codings with missing
//! values: within 1e-9. The package is found through
//! FIELDLOG_KRIPPENDORFF_PYTHON (a python that imports it; CI sets it, see
//! .ci/run) or the validators' venv; without one the test says so and
//! passes, unless FIELDLOG_REQUIRE_REFERENCE=1 (CI), when it fails.

use fieldlog::domain::agreement::{alpha, Level};
use std::process::Command;

fn python() -> Option<String> {
    let candidates = [
        std::env::var("FIELDLOG_KRIPPENDORFF_PYTHON").ok(),
        Some("/tmp/fieldlog-validators/bin/python".into()),
        Some("python3".into()),
    ];
    candidates.into_iter().flatten().find(|py| {
        Command::new(py).args(["-c", "import krippendorff"]).output().is_ok_and(|o| o.status.success())
    })
}

/// A small fixed generator: the same codings on every run.
struct Generator(u64);

impl Generator {
    fn next(&mut self, below: u64) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (self.0 >> 33) % below
    }
}

/// Coders × units, `None` where a coder gave no value.
fn codings(g: &mut Generator) -> Vec<Vec<Option<u32>>> {
    let coders = 2 + g.next(3) as usize;
    let units = 3 + g.next(40) as usize;
    let values = 2 + g.next(5) as u32;
    let agree = g.next(100);
    (0..units)
        .map(|_| {
            let truth = g.next(u64::from(values)) as u32 + 1;
            (0..coders)
                .map(|_| match g.next(100) {
                    r if r < 15 => None,
                    r if r < 15 + agree * 85 / 100 => Some(truth),
                    _ => Some(g.next(u64::from(values)) as u32 + 1),
                })
                .collect()
        })
        .collect::<Vec<Vec<Option<u32>>>>()
        .into_iter()
        .fold(vec![vec![]; coders], |mut by_coder, unit| {
            for (c, v) in unit.into_iter().enumerate() {
                by_coder[c].push(v);
            }
            by_coder
        })
}

#[test]
fn alpha_matches_the_krippendorff_package_within_1e_9() {
    let Some(py) = python() else {
        if std::env::var("FIELDLOG_REQUIRE_REFERENCE").is_ok_and(|v| v == "1") {
            panic!("no python with the krippendorff package (set FIELDLOG_KRIPPENDORFF_PYTHON)");
        }
        eprintln!("skipped: no python with the krippendorff package; CI runs this test");
        return;
    };
    let mut g = Generator(17);
    let mut cases = Vec::new();
    while cases.len() < 200 {
        let data = codings(&mut g);
        let units: Vec<Vec<u32>> =
            (0..data[0].len()).map(|u| data.iter().filter_map(|coder| coder[u]).collect()).collect();
        let level = if cases.len() % 2 == 0 { Level::Nominal } else { Level::Ordinal };
        // Left out where α is undefined (the package then divides by zero).
        if let Some(ours) = alpha(&units, level) {
            cases.push((data, level, ours));
        }
    }
    let input: Vec<serde_json::Value> = cases
        .iter()
        .map(|(data, level, _)| {
            serde_json::json!({
                "data": data,
                "level": if *level == Level::Nominal { "nominal" } else { "ordinal" },
            })
        })
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("codings.json");
    std::fs::write(&path, serde_json::to_vec(&input).unwrap()).unwrap();
    let script = "import json, sys, krippendorff, numpy as np\n\
        cases = json.load(open(sys.argv[1]))\n\
        out = []\n\
        for c in cases:\n\
        \x20   data = np.array([[np.nan if v is None else v for v in row] for row in c['data']], dtype=float)\n\
        \x20   out.append(float(krippendorff.alpha(reliability_data=data, level_of_measurement=c['level'])))\n\
        print(json.dumps(out))\n";
    let out = Command::new(&py).arg("-c").arg(script).arg(&path).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let theirs: Vec<f64> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(theirs.len(), cases.len());
    let missing = cases.iter().flat_map(|c| c.0.iter().flatten()).filter(|v| v.is_none()).count();
    assert!(missing > 100, "the codings hold missing values");
    for ((data, level, ours), reference) in cases.iter().zip(theirs) {
        assert!((ours - reference).abs() < 1e-9, "{level:?} {data:?}: ours {ours}, krippendorff {reference}");
    }
}
