//! `copydesk-train-ner`: train the built-in entity tagger of one language and write the model
//! file the extract worker embeds. For English it first learns the word clusters from unlabeled
//! news (`--unlabeled`) and writes `model/clusters-en.tsv`. Deterministic: the same data always
//! gives the same bytes.

use clap::Parser;
use copydesk_extract::brown::Brown;
use copydesk_extract::clusters::{learn, learn_sentences, ClusterOptions, Learned};
use copydesk_extract::conll::read_conll;
use copydesk_extract::lexicon::Lexicon;
use copydesk_extract::models::{compound_tails, model_file};
use copydesk_extract::train::{train, TrainOptions};
use copydesk_extract::Lang;
use std::path::PathBuf;
use std::process::ExitCode;

/// Train the built-in NER model of one language.
#[derive(Parser)]
#[command(name = "copydesk-train-ner")]
struct Args {
    /// Language: en (CoNLL-2003), de (GermEval 2014), nb (NorNE), fi (Turku NER).
    #[arg(long, default_value = "en")]
    lang: String,
    /// Folder holding train.iob2 (and dev.iob2 for --report-dev).
    #[arg(long)]
    data: PathBuf,
    /// Folder of unlabeled English news (`*.txt`, one document per line) to learn word clusters
    /// from; English only. Without it, an existing model/clusters-en.tsv is used as it is.
    #[arg(long)]
    unlabeled: Option<PathBuf>,
    /// Folder of the model files (lexicons in, model and clusters out).
    #[arg(long, default_value = concat!(env!("CARGO_MANIFEST_DIR"), "/model"))]
    model_dir: PathBuf,
    /// Where to write the model (default: the language's file in --model-dir).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Passes over the training data (default 10; 6 for nb, whose dev score falls after about
    /// six passes, and 12 for fi, whose still rises).
    #[arg(long)]
    epochs: Option<usize>,
    /// Features seen fewer times than this in training are dropped (default 1 for English, whose
    /// clusters already generalise, and 2 for the others, which keeps their files small).
    #[arg(long)]
    min_count: Option<u32>,
    /// Perceptrons to train with different shuffle seeds and average (default 1 for English,
    /// 3 for de, nb and fi).
    #[arg(long)]
    runs: Option<usize>,
    /// de, nb, fi: train without word clusters (by default they are learned from the words of
    /// the training split and written to model/clusters-<lang>.tsv).
    #[arg(long)]
    no_clusters: bool,
    /// Train without the language's subword clusters even when model/subword-<lang>.bin exists
    /// (written by tools/make_subword.py; see the README's "Subword clusters").
    #[arg(long)]
    no_subword: bool,
    /// Train without the language's Brown clusters even when model/brown-<lang>.bin exists
    /// (written by tools/make_brown.py; see the README's "Brown clusters").
    #[arg(long)]
    no_brown: bool,
    /// de, fi: train without compound tails (a word with no cluster gets the cluster of its
    /// longest clustered tail; see the README's "Compound tails"). Norwegian never uses them.
    #[arg(long)]
    no_tails: bool,
    /// Train without the language's word kinds even when model/kinds-<lang>.bin exists
    /// (written by tools/make_kinds.py; see the README's "Word kinds").
    #[arg(long)]
    no_kinds: bool,
    /// Print dev F1 after every epoch (dev is only measured, never trained on).
    #[arg(long)]
    report_dev: bool,
}

/// A word table of the model folder (Brown clusters, word kinds), `None` when the file is absent.
/// `what` names the file kind, its script and the flag to train without it, for the error.
fn word_table(
    path: &std::path::Path,
    parse: fn(std::borrow::Cow<'static, [u8]>) -> Option<Brown>,
    what: &str,
) -> Result<Option<Brown>, String> {
    if !path.exists() {
        return Ok(None);
    }
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let table = parse(std::borrow::Cow::Owned(bytes))
        .ok_or_else(|| format!("{} is not a {what}", path.display()))?;
    eprintln!("{} words from {}", table.len(), path.display());
    Ok(Some(table))
}

fn main() -> ExitCode {
    match run(Args::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: Args) -> Result<(), String> {
    let lang = Lang::parse_arg(&args.lang)?;
    if lang.model_slot().is_none() {
        return Err(format!(
            "no training data is known for '{}': use en, de, nb or fi",
            lang.code()
        ));
    }
    let train_path = args.data.join("train.iob2");
    let data = read_conll(&train_path)
        .map_err(|e| format!("{e}\n(set --data to the folder with train.iob2)"))?;
    let dev = if args.report_dev {
        Some(read_conll(&args.data.join("dev.iob2")).map_err(|e| e.to_string())?)
    } else {
        None
    };
    let read = |name: String| std::fs::read_to_string(args.model_dir.join(&name)).ok();
    let clusters = match (&args.unlabeled, lang) {
        (Some(dir), Lang::En) => {
            eprintln!("learning word clusters from {}", dir.display());
            let pairs = learn(dir, &ClusterOptions::default(), |m| eprintln!("  {m}"))
                .map_err(|e| format!("cannot read unlabeled text in {}: {e}", dir.display()))?;
            let text = cluster_file(&pairs, "unlabeled news");
            let path = args.model_dir.join("clusters-en.tsv");
            std::fs::write(&path, &text)
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
            eprintln!("wrote {} ({} words)", path.display(), pairs.len());
            Some(text)
        }
        (Some(_), _) => {
            return Err("--unlabeled is English text; leave it out for de, nb and fi".into())
        }
        (None, Lang::En) => read("clusters-en.tsv".into()),
        (None, _) if args.no_clusters => None,
        (None, _) => {
            // No unlabeled text in this language: the clusters come from the words of its own
            // training split (labels unused), which still groups rare words with common ones
            // used alike and gives each word its mid-sentence capitalisation.
            let words: Vec<Vec<&str>> = data
                .iter()
                .map(|s| s.words.iter().map(String::as_str).collect())
                .collect();
            let pairs = learn_sentences(&words, &train_split_clusters(), |m| eprintln!("  {m}"));
            let text = cluster_file(&pairs, "the words of the training split");
            let path = args.model_dir.join(format!("clusters-{}.tsv", lang.code()));
            std::fs::write(&path, &text)
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
            eprintln!("wrote {} ({} words)", path.display(), pairs.len());
            Some(text)
        }
    };
    let lexicon_text = read(format!("lexicon-{}.tsv", lang.code())).unwrap_or_default();
    let mut lexicon = Lexicon::parse(&lexicon_text, clusters.as_deref());
    lexicon.compound_tails = compound_tails(lang) && !args.no_tails;
    let subword_path = args.model_dir.join(format!("subword-{}.bin", lang.code()));
    if !args.no_subword && subword_path.exists() {
        let bytes = std::fs::read(&subword_path)
            .map_err(|e| format!("cannot read {}: {e}", subword_path.display()))?;
        lexicon.subword = Some(Box::new(
            copydesk_extract::subword::Subword::parse(std::borrow::Cow::Owned(bytes)).ok_or_else(
                || {
                    format!(
                        "{} is not a subword cluster file; rebuild it with tools/make_subword.py \
                         or train with --no-subword",
                        subword_path.display()
                    )
                },
            )?,
        ));
        eprintln!("subword clusters from {}", subword_path.display());
    }
    let table_file = |kind: &str| args.model_dir.join(format!("{kind}-{}.bin", lang.code()));
    if !args.no_brown {
        lexicon.brown = word_table(
            &table_file("brown"),
            Brown::parse,
            "Brown cluster file (tools/make_brown.py); rebuild it or train with --no-brown",
        )?;
    }
    if !args.no_kinds {
        lexicon.kinds = word_table(
            &table_file("kinds"),
            Brown::parse_kinds,
            "word-kinds file (tools/make_kinds.py); rebuild it or train with --no-kinds",
        )?;
    }
    eprintln!(
        "training the {} model on {} sentences from {} ({} lexicon words)",
        lang.code(),
        data.len(),
        train_path.display(),
        lexicon.len()
    );
    let min_count = args.min_count.unwrap_or(if lang == Lang::En {
        1
    } else {
        TrainOptions::default().min_count
    });
    let epochs = args.epochs.unwrap_or(match lang {
        Lang::Nb => 6,
        Lang::Fi => 12,
        _ => TrainOptions::default().epochs,
    });
    let runs = args
        .runs
        .unwrap_or(if lang == Lang::En { 1 } else { RUNS_OTHER });
    let opts = TrainOptions {
        epochs,
        min_count,
        runs,
        ..TrainOptions::default()
    };
    let model = train(
        &data,
        dev.as_deref(),
        &lexicon,
        &opts,
        |epoch, mistakes, f1| match f1 {
            Some(f1) => eprintln!("epoch {epoch}: {mistakes} sentences wrong; dev F1 {f1:.2}"),
            None => eprintln!("epoch {epoch}: {mistakes} sentences wrong"),
        },
    );
    if let (Some(dev), true) = (dev.as_deref(), runs > 1) {
        let gaz = copydesk_extract::gazetteer::Gazetteer::embedded();
        eprintln!(
            "mean of {runs} runs: dev F1 {:.2}",
            copydesk_extract::conll::eval_model(&model, &lexicon, &gaz, dev).f1
        );
    }
    let out = args
        .out
        .unwrap_or_else(|| args.model_dir.join(model_file(lang)));
    let bytes = model.to_bytes();
    std::fs::write(&out, &bytes).map_err(|e| format!("cannot write {}: {e}", out.display()))?;
    eprintln!(
        "wrote {} ({} feature rows, {:.1} MB)",
        out.display(),
        model.rows(),
        bytes.len() as f64 / 1e6
    );
    Ok(())
}

/// Perceptrons averaged for de, nb and fi.
const RUNS_OTHER: usize = 3;

/// Cluster settings for a training split's words: a far smaller text than the English news, so
/// fewer context words, and only words seen twice or more.
fn train_split_clusters() -> ClusterOptions {
    ClusterOptions {
        vocab: 30_000,
        contexts: 300,
        min_count: 2,
        ..ClusterOptions::default()
    }
}

/// The cluster file's text: a header saying where it was learned, then `word  bits  caps`.
fn cluster_file(pairs: &[Learned], from: &str) -> String {
    let mut text = format!("# word, cluster bit-path, capitalisation bucket (1-5): learned by copydesk-train-ner from {from} (derived statistics only)\n");
    pairs
        .iter()
        .filter(|(_, p, _)| !p.is_empty())
        .for_each(|(w, p, c)| text.push_str(&format!("{w}\t{p}\t{c}\n")));
    text
}
