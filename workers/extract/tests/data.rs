//! Checks against the shared evaluation data (`COPYDESK_DATA_DIR`, default `../shared/data` from
//! the repo root). Each prints "skipped: ..." and passes when the data is absent.

use std::path::PathBuf;

fn data_dir() -> PathBuf {
    std::env::var_os("COPYDESK_DATA_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data"))
        })
}

#[test]
fn the_committed_model_stays_accurate_on_conll_dev() {
    let gold = data_dir().join("ner/conll2003/dev.iob2");
    if !gold.exists() {
        eprintln!(
            "skipped: {} not found (set COPYDESK_DATA_DIR)",
            gold.display()
        );
        return;
    }
    let report = copydesk_extract::eval_ner(&gold, copydesk_extract::Lang::En).expect("eval");
    // A floor well under the measured figure: it catches a broken model, not noise.
    assert!(report.f1 >= 90.0, "dev F1 fell to {report}");
    assert_eq!(report.by_type.len(), 4);
}

#[test]
fn quote_attribution_runs_on_polnear_dev() {
    let dir = data_dir().join("quotes/polnear/dev");
    if !dir.exists() {
        eprintln!(
            "skipped: {} not found (set COPYDESK_DATA_DIR)",
            dir.display()
        );
        return;
    }
    let report = copydesk_extract::eval_quotes(&dir).expect("eval");
    assert!(report.docs > 0 && report.gold_pairs > 0, "{report}");
    assert!(report.correct_pairs <= report.predicted_pairs);
}

#[test]
fn the_german_norwegian_and_finnish_models_stay_accurate_on_their_dev_splits() {
    // Floors well under the measured figures (README): they catch a broken model, not noise.
    for (lang, floor) in [
        (copydesk_extract::Lang::De, 70.0),
        (copydesk_extract::Lang::Nb, 78.0),
        (copydesk_extract::Lang::Fi, 60.0),
    ] {
        let gold = data_dir().join(format!("ner/{}/dev.iob2", lang.code()));
        if !gold.exists() {
            eprintln!(
                "skipped: {} not found (set COPYDESK_DATA_DIR)",
                gold.display()
            );
            continue;
        }
        let report = copydesk_extract::eval_ner(&gold, lang).expect("eval");
        assert!(
            report.f1 >= floor,
            "{} dev F1 fell to {report}",
            lang.code()
        );
    }
}
