//! `copydesk-train-ner`: train the built-in entity tagger on CoNLL-2003 and write the model file
//! the extract worker embeds. Deterministic: the same data always gives the same bytes.

use clap::Parser;
use copydesk_extract::conll::read_conll;
use copydesk_extract::train::{train, TrainOptions};
use std::path::PathBuf;
use std::process::ExitCode;

/// Train the built-in NER model.
#[derive(Parser)]
#[command(name = "copydesk-train-ner")]
struct Args {
    /// Folder holding train.iob2 (and dev.iob2 for --report-dev).
    #[arg(long, env = "COPYDESK_CONLL_DIR", default_value = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data/ner/conll2003"))]
    data: PathBuf,
    /// Where to write the model.
    #[arg(long, default_value = concat!(env!("CARGO_MANIFEST_DIR"), "/model/ner.bin"))]
    out: PathBuf,
    /// Passes over the training data.
    #[arg(long, default_value_t = TrainOptions::default().epochs)]
    epochs: usize,
    /// Print dev F1 after every epoch (dev is only measured, never trained on).
    #[arg(long)]
    report_dev: bool,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let train_path = args.data.join("train.iob2");
    let data = match read_conll(&train_path) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("error: {e}\n(set --data or COPYDESK_CONLL_DIR to the CoNLL-2003 folder)");
            return ExitCode::FAILURE;
        }
    };
    let dev = if args.report_dev {
        match read_conll(&args.data.join("dev.iob2")) {
            Ok(d) => Some(d),
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::FAILURE;
            }
        }
    } else {
        None
    };
    eprintln!("training on {} sentences from {}", data.len(), train_path.display());
    let opts = TrainOptions { epochs: args.epochs, ..TrainOptions::default() };
    let model = train(&data, dev.as_deref(), &opts, |epoch, mistakes, f1| match f1 {
        Some(f1) => eprintln!("epoch {epoch}: {mistakes} sentences wrong; dev F1 {f1:.2}"),
        None => eprintln!("epoch {epoch}: {mistakes} sentences wrong"),
    });
    let bytes = model.to_bytes();
    if let Err(e) = std::fs::write(&args.out, &bytes) {
        eprintln!("error: cannot write {}: {e}", args.out.display());
        return ExitCode::FAILURE;
    }
    eprintln!("wrote {} ({} feature rows, {:.1} MB)", args.out.display(), model.rows(), bytes.len() as f64 / 1e6);
    ExitCode::SUCCESS
}
