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
        /// Language of the model to score: en (default), de, nb (or no, nn), fi.
        #[arg(long, default_value = "en")]
        lang: String,
        /// Score the whole engine per `-DOCSTART-` document (story-level passes included)
        /// instead of the tagger sentence by sentence.
        #[arg(long)]
        documents: bool,
        /// Also write every token as `word gold predicted` to this file (a blank line between
        /// sentences), for error analysis; sentence-level scoring only.
        #[arg(long, conflicts_with = "documents")]
        dump: Option<PathBuf>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// ROUGE-1/2/Lsum of the built-in summarizer: its brief against LEAD-3 on a JSONL file of
    /// {id, article, reference}, or its event article against a round-robin lead of the same
    /// length on a JSONL file of {documents: [{title, text}], summary}.
    Summary {
        /// The JSONL file.
        #[arg(long)]
        data: PathBuf,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Article-body extraction on the article-extraction benchmark's pages: precision, recall
    /// and F1 of 4-word shingles, as the benchmark scores them.
    Extraction {
        /// The folder with ground-truth.json and html/<key>.html.gz (../shared/data/extraction).
        #[arg(long)]
        data: PathBuf,
        /// Write {key: {"articleBody": text}} here.
        #[arg(long)]
        predictions: Option<PathBuf>,
        /// copydesk (ours), all-text (no extraction), or with --features compare:
        /// rs-trafilatura, dom_smoothie, readability, llm_readability.
        #[arg(long, default_value = "copydesk")]
        engine: String,
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
        #[arg(
            long,
            env = "COPYDESK_LLM_BASE_URL",
            default_value = "http://127.0.0.1:8089/v1"
        )]
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
    /// Article extraction over the benchmark pages (pages/s, one thread, peak RSS).
    Extraction {
        /// The folder with ground-truth.json and html/ (../shared/data/extraction).
        #[arg(long)]
        data: PathBuf,
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
    anyhow::ensure!(
        path.exists(),
        "{what} {} does not exist (the evaluation data lives in ../shared/data; see its README)",
        path.display()
    );
    Ok(())
}

/// Run an evaluation.
pub fn eval(what: EvalWhat) -> anyhow::Result<()> {
    match what {
        EvalWhat::Ner {
            gold,
            lang,
            documents,
            dump,
            json,
        } => {
            need(&gold, "gold file")?;
            let lang = copydesk_extract::Lang::parse_arg(&lang).map_err(anyhow::Error::msg)?;
            let report = if documents {
                copydesk_extract::eval_ner_documents(&gold, lang)?
            } else if let Some(path) = dump {
                let mut out = Vec::new();
                let report = copydesk_extract::eval_ner_dump(&gold, lang, Some(&mut out))?;
                std::fs::write(&path, out).map_err(|e| {
                    anyhow::anyhow!(
                        "cannot write the token dump {}: {e}; check the folder exists and is writable",
                        path.display()
                    )
                })?;
                report
            } else {
                copydesk_extract::eval_ner(&gold, lang)?
            };
            print(&report, json)
        }
        EvalWhat::Summary { data, json } => {
            need(&data, "data file")?;
            print(&copydesk_summarize::eval_summary(&data)?, json)
        }
        EvalWhat::Extraction {
            data,
            predictions,
            engine,
            json,
        } => {
            need(&data, "folder")?;
            eval_extraction(&data, predictions.as_deref(), &engine, json)
        }
        EvalWhat::Events {
            data,
            threshold,
            json,
        } => {
            need(&data, "data file")?;
            print(&crate::events::eval(&data, threshold)?, json)
        }
        EvalWhat::Guard { data, json } => {
            need(&data, "labelled rewrites")?;
            print(&copydesk_summarize::eval_guard(&data)?, json)
        }
        EvalWhat::Llm {
            stories,
            limit,
            base_url,
            model,
            json,
        } => {
            need(&stories, "stories folder")?;
            // A passage rewrite needs a few hundred tokens; the cap stops a small model that rambles.
            let cfg = copydesk_llm::LlmConfig {
                base_url,
                model,
                max_tokens: Some(400),
                ..copydesk_llm::LlmConfig::default()
            };
            let run = copydesk_summarize::eval_llm(cfg, &stories, limit);
            let report =
                tokio::task::block_in_place(|| tokio::runtime::Handle::current().block_on(run))?;
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
        BenchWhat::Extraction { data, json } => {
            need(&data, "folder")?;
            let pages = copydesk_article::eval::load_pages(&data)?;
            print(&copydesk_article::eval::bench(&pages), json)
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

/// An extraction engine: page HTML and URL to article text.
type Engine = Box<dyn Fn(&str, &url::Url) -> String>;

fn engine_fn(name: &str) -> anyhow::Result<Engine> {
    match name {
        "copydesk" => Ok(Box::new(copydesk_article::eval::copydesk_engine)),
        "all-text" => Ok(Box::new(|html: &str, _: &url::Url| copydesk_article::extract::visible_text(html))),
        #[cfg(feature = "compare")]
        other if copydesk_article::compare::ENGINES.contains(&other) => {
            let other = other.to_string();
            Ok(Box::new(move |html: &str, url: &url::Url| copydesk_article::compare::run(&other, html, url).unwrap_or_default()))
        }
        other => anyhow::bail!(
            "unknown extraction engine {other:?}: use copydesk or all-text; rs-trafilatura, dom_smoothie, readability and \
             llm_readability need a build with `--features compare`"
        ),
    }
}

fn eval_extraction(
    data: &std::path::Path,
    predictions: Option<&std::path::Path>,
    engine: &str,
    json: bool,
) -> anyhow::Result<()> {
    let run = engine_fn(engine)?;
    let pages = copydesk_article::eval::load_pages(data)?;
    let (report, preds) = copydesk_article::eval::evaluate(&pages, engine, &run);
    if let Some(path) = predictions {
        let body = serde_json::to_vec_pretty(&preds)?;
        std::fs::write(path, body)
            .map_err(|e| anyhow::anyhow!("cannot write predictions to {}: {e}", path.display()))?;
    }
    print(&report, json)
}
