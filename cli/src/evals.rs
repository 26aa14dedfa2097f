//! Evaluation and benchmark commands. Each prints JSON with `--json`, else a readable report.

use clap::Subcommand;
use std::path::PathBuf;

/// `copydesk eval ...`.
#[derive(Subcommand)]
pub enum EvalWhat {
    /// Exact-span (conlleval) scores of the built-in entity model on a CoNLL IOB2 file.
    Ner {
        /// Token in column 1, IOB2 tag in the last column.
        #[arg(long)]
        gold: PathBuf,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// ROUGE-1/2/Lsum of the built-in summarizer and of LEAD-3 on a JSONL file of {id, article, reference}.
    Summary {
        /// The JSONL file.
        #[arg(long)]
        data: PathBuf,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// B³ of the online event clusterer against gold events (JSONL of {id, event, topic, title,
    /// text, date}), in date, file and shuffled orders, with a leave-topics-out check.
    Events {
        /// The JSONL file (e.g. ../shared/data/events/dev.jsonl).
        #[arg(long)]
        data: PathBuf,
        /// Join threshold (default: the clusterer's).
        #[arg(long)]
        threshold: Option<f32>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Precision and recall of the LLM faithfulness guard on labelled rewrites (JSONL of
    /// {id, source, rewrite, faithful, kind}; the project's own set by default).
    Guard {
        /// The JSONL file.
        #[arg(long, default_value = "workers/summarize/tests/fixtures/guard.jsonl")]
        data: PathBuf,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Section-mode LLM rewriting of news stories against a live OpenAI-compatible server:
    /// acceptance per passage and article, novelty, what the guard caught, tokens/s.
    Llm {
        /// A folder of plain-text stories, first line the headline (e.g. ../shared/data/news/bbc).
        #[arg(long)]
        stories: PathBuf,
        /// How many stories (spread evenly over the sorted files).
        #[arg(long, default_value_t = 50)]
        limit: usize,
        /// The server's base URL.
        #[arg(long, env = "COPYDESK_LLM_BASE_URL", default_value = "http://127.0.0.1:8089/v1")]
        base_url: String,
        /// The model name to ask for.
        #[arg(long, default_value = "smollm2")]
        model: String,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Precision and recall of (quote, speaker) pairs against a PolNeAR folder of brat annotations.
    Quotes {
        /// The folder (e.g. ../shared/data/quotes/polnear/dev).
        #[arg(long)]
        data: PathBuf,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}

/// `copydesk bench ...`.
#[derive(Subcommand)]
pub enum BenchWhat {
    /// Entity extraction over every text file in a folder, one thread.
    Extract {
        /// The folder.
        #[arg(long)]
        corpus: PathBuf,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Summaries and articles over every text file in a folder, one thread.
    Summarize {
        /// The folder.
        #[arg(long)]
        corpus: PathBuf,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Wire-format parsing over every file in a folder.
    Ingest {
        /// The folder.
        #[arg(long)]
        corpus: PathBuf,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}

fn print<R: serde::Serialize + std::fmt::Display>(report: &R, json: bool) -> anyhow::Result<()> {
    if json {
        println!("{}", serde_json::to_string(report)?);
    } else {
        println!("{report}");
    }
    Ok(())
}

fn need(path: &std::path::Path, what: &str) -> anyhow::Result<()> {
    anyhow::ensure!(path.exists(), "{what} {} does not exist (the evaluation data lives in ../shared/data; see its README)", path.display());
    Ok(())
}

/// Run an evaluation.
pub fn eval(what: EvalWhat) -> anyhow::Result<()> {
    match what {
        EvalWhat::Ner { gold, json } => {
            need(&gold, "gold file")?;
            print(&copydesk_extract::eval_ner(&gold)?, json)
        }
        EvalWhat::Summary { data, json } => {
            need(&data, "data file")?;
            print(&copydesk_summarize::eval_summary(&data)?, json)
        }
        EvalWhat::Events { data, threshold, json } => {
            need(&data, "data file")?;
            print(&crate::events::eval(&data, threshold)?, json)
        }
        EvalWhat::Guard { data, json } => {
            need(&data, "labelled rewrites")?;
            print(&copydesk_summarize::eval_guard(&data)?, json)
        }
        EvalWhat::Llm { stories, limit, base_url, model, json } => {
            need(&stories, "stories folder")?;
            // A passage rewrite needs a few hundred tokens; the cap stops a small model that rambles.
            let cfg = copydesk_llm::LlmConfig { base_url, model, max_tokens: Some(400), ..copydesk_llm::LlmConfig::default() };
            let run = copydesk_summarize::eval_llm(cfg, &stories, limit);
            let report = tokio::task::block_in_place(|| tokio::runtime::Handle::current().block_on(run))?;
            print(&report, json)
        }
        EvalWhat::Quotes { data, json } => {
            need(&data, "folder")?;
            print(&copydesk_extract::eval_quotes(&data)?, json)
        }
    }
}

/// Run a benchmark.
pub fn bench(what: BenchWhat) -> anyhow::Result<()> {
    match what {
        BenchWhat::Extract { corpus, json } => {
            need(&corpus, "corpus")?;
            print(&copydesk_extract::bench_extract(&corpus)?, json)
        }
        BenchWhat::Summarize { corpus, json } => {
            need(&corpus, "corpus")?;
            print(&copydesk_summarize::bench_summarize(&corpus)?, json)
        }
        BenchWhat::Ingest { corpus, json } => {
            need(&corpus, "corpus")?;
            let report = copydesk_ingest::bench_parse(&corpus)?;
            if json {
                println!("{}", serde_json::to_string(&report)?);
            } else {
                println!("{}", serde_json::to_string_pretty(&report)?);
            }
            Ok(())
        }
    }
}
