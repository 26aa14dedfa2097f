//! `copydesk eval summary` (ROUGE of the built-in brief against LEAD-3) and
//! `copydesk bench summarize` (throughput, memory and article quality rates).

use crate::doc::Doc;
use crate::eval_multi::eval_multi;
pub use crate::eval_multi::MultiEvalReport;
use crate::headings::{ends_on_fragment, FALLBACKS};
use crate::rouge::{rouge_lsum, rouge_n};
use crate::seo::{META_MAX, META_MIN};
use crate::validate::{has_emphasis, SourceIndex};
use crate::{BuiltinSummarizer, CraftQuality, SummarizeError};
use copydesk_types::{Article, Entities, Story};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Mean ROUGE F1 scores, in percent.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct RougeScores {
    /// ROUGE-1 F1.
    pub rouge1: f64,
    /// ROUGE-2 F1.
    pub rouge2: f64,
    /// ROUGE-Lsum F1.
    #[serde(rename = "rougeLsum")]
    pub rouge_lsum: f64,
}

impl RougeScores {
    /// Adds the F1 scores of `candidate` (sentences on lines) against `reference` to `sum`.
    pub(crate) fn add(sum: &mut [f64; 3], candidate: &str, reference: &str) {
        sum[0] += rouge_n(candidate, reference, 1).f1;
        sum[1] += rouge_n(candidate, reference, 2).f1;
        sum[2] += rouge_lsum(candidate, reference).f1;
    }

    /// The means of summed F1 scores over `n` items, in percent.
    pub(crate) fn mean(sum: [f64; 3], n: usize) -> RougeScores {
        let n = n.max(1) as f64;
        RougeScores {
            rouge1: 100.0 * sum[0] / n,
            rouge2: 100.0 * sum[1] / n,
            rouge_lsum: 100.0 * sum[2] / n,
        }
    }
}

/// The `copydesk eval summary` report: `{"engine": {...}, "lead3": {...}, "articles": N}`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SummaryEvalReport {
    /// The built-in engine's brief.
    pub engine: RougeScores,
    /// The first three sentences, scored in the same run.
    pub lead3: RougeScores,
    /// Articles scored.
    pub articles: usize,
}

impl fmt::Display for SummaryEvalReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{:<8} {:>8} {:>8} {:>10}   ({} articles, F1 %)",
            "", "ROUGE-1", "ROUGE-2", "ROUGE-Lsum", self.articles
        )?;
        for (name, s) in [("engine", self.engine), ("lead3", self.lead3)] {
            writeln!(
                f,
                "{name:<8} {:>8.2} {:>8.2} {:>10.2}",
                s.rouge1, s.rouge2, s.rouge_lsum
            )?;
        }
        Ok(())
    }
}

#[derive(Deserialize)]
struct EvalLine {
    id: String,
    article: String,
    reference: String,
}

/// A story from plain text: the first non-empty line is the headline, the rest the body.
pub fn story_from_text(guid: &str, text: &str) -> Story {
    let text = text.trim_start();
    let (headline, rest) = text.split_once('\n').unwrap_or((text, ""));
    Story::new(guid, headline.trim(), Doc::paragraphs_of(rest))
}

/// What `copydesk eval summary` prints: single-document scores (the brief against LEAD-3) or
/// multi-document scores (the event article against a round-robin lead), by the file's kind.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum SummaryEval {
    /// `{id, article, reference}` lines.
    Single(SummaryEvalReport),
    /// `{documents: [{title, text}], summary}` lines.
    Multi(MultiEvalReport),
}

impl fmt::Display for SummaryEval {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SummaryEval::Single(r) => r.fmt(f),
            SummaryEval::Multi(r) => r.fmt(f),
        }
    }
}

/// Scores a JSONL file: `{id, article, reference}` lines give the built-in brief against
/// LEAD-3; `{documents: [{title, text}], summary}` lines give the event article against a
/// round-robin lead baseline of the same length (the first line decides).
pub fn eval_summary(data: &Path) -> Result<SummaryEval, SummarizeError> {
    let text = std::fs::read_to_string(data).map_err(SummarizeError::io("read", data))?;
    let lines: Vec<(usize, &str)> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(n, l)| (n + 1, l))
        .collect();
    let multi = lines.first().is_some_and(|(_, l)| {
        serde_json::from_str::<serde_json::Value>(l).is_ok_and(|v| v.get("documents").is_some())
    });
    if multi {
        return eval_multi(data, &lines).map(SummaryEval::Multi);
    }
    eval_single(data, &lines).map(SummaryEval::Single)
}

fn eval_single(data: &Path, lines: &[(usize, &str)]) -> Result<SummaryEvalReport, SummarizeError> {
    let engine = BuiltinSummarizer::new();
    let (mut sum_engine, mut sum_lead) = ([0.0f64; 3], [0.0f64; 3]);
    let mut articles = 0;
    for &(n, line) in lines {
        let row: EvalLine =
            serde_json::from_str(line).map_err(|e| SummarizeError::BadEvalLine {
                path: data.to_path_buf(),
                line: n,
                reason: e.to_string(),
            })?;
        let story = Story::new(row.id, "", Doc::paragraphs_of(&row.article));
        let brief = engine.brief_sentences(&story).join("\n");
        let lead3: Vec<String> = story
            .body
            .iter()
            .flat_map(|p| crate::text::split_sentences(p))
            .take(3)
            .collect();
        RougeScores::add(&mut sum_engine, &brief, &row.reference);
        RougeScores::add(
            &mut sum_lead,
            &lead3.join(
                "
",
            ),
            &row.reference,
        );
        articles += 1;
    }
    if articles == 0 {
        return Err(SummarizeError::NoInput {
            path: data.to_path_buf(),
            what: "articles",
        });
    }
    Ok(SummaryEvalReport {
        engine: RougeScores::mean(sum_engine, articles),
        lead3: RougeScores::mean(sum_lead, articles),
        articles,
    })
}

/// The `copydesk bench summarize` report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SummarizeBenchReport {
    /// Files summarised.
    pub docs: usize,
    /// Wall time of the summarising alone (files are read first), one thread.
    pub seconds: f64,
    /// `docs / seconds`.
    pub articles_per_sec: f64,
    /// CPU time the summarising thread used (Linux, 10 ms ticks); on a busy machine this is the
    /// figure that shows what one free core would do.
    pub cpu_seconds: f64,
    /// `docs / cpu_seconds`.
    pub articles_per_cpu_sec: f64,
    /// Peak resident memory of the process (VmHWM), in MiB; 0 where the OS does not say.
    pub peak_rss_mb: f64,
    /// Sources of 500 words or more.
    pub long_docs: usize,
    /// Share (0..1) of those whose article has 300+ words, 3+ subheadings and no emphasis.
    pub long_article_ok_share: f64,
    /// Share (0..1) of all meta descriptions within 120-160 characters.
    pub meta_in_range_share: f64,
    /// Share (0..1) of SEO headlines of at most 70 characters.
    pub headline_ok_share: f64,
    /// How the articles' subheadings read.
    pub headings: HeadingQuality,
    /// How often each rule of the article holds.
    pub craft: CraftQuality,
}

/// Mechanical checks of subheadings against the house style (plain, 3-8 words, no
/// "Name: phrase", not hanging on a function word or an -ing word, not repeated, faithful).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct HeadingQuality {
    /// Subheadings measured.
    pub headings: usize,
    /// Mean words per subheading.
    pub mean_words: f64,
    /// Share (0..1) with 3 to 8 words.
    pub words_3_to_8_share: f64,
    /// Share (0..1) ending on a stopword, another function word or any -ing word.
    pub fragment_end_share: f64,
    /// Share (0..1) containing a colon.
    pub colon_share: f64,
    /// Share (0..1) whose text (ignoring case) another subheading of the same article repeats.
    pub duplicated_share: f64,
    /// Share (0..1) that are a stock phrase ("Further details"): no sentence or name served.
    pub stock_share: f64,
    /// Share (0..1) with a capitalised word or a number that its own section's text does not
    /// contain (the LLM validator's faithfulness check, held to the section).
    pub unsupported_share: f64,
}

impl HeadingQuality {
    /// Measures the subheadings of some articles.
    pub fn measure<'a>(articles: impl IntoIterator<Item = &'a Article>) -> Self {
        let [mut n, mut words, mut in_range, mut fragment] = [0usize; 4];
        let [mut colon, mut dup, mut stock, mut unsupported] = [0usize; 4];
        for article in articles {
            let lower: Vec<String> = article
                .sections
                .iter()
                .map(|s| s.heading.to_lowercase())
                .collect();
            for (s, l) in article.sections.iter().zip(&lower) {
                let h = s.heading.as_str();
                if h.is_empty() {
                    continue; // an untitled section (a short article's body) has no subheading
                }
                let w = h.split_whitespace().count();
                n += 1;
                words += w;
                in_range += usize::from((3..=8).contains(&w));
                fragment += usize::from(ends_on_fragment(h));
                colon += usize::from(h.contains(':'));
                dup += usize::from(lower.iter().filter(|o| *o == l).count() > 1);
                stock += usize::from(FALLBACKS.contains(&h) || h.starts_with("Details, part"));
                let index = SourceIndex::new(&s.paragraphs.join(" "));
                unsupported += usize::from(!index.unsupported(h).is_empty());
            }
        }
        let share = |k: usize| if n == 0 { 0.0 } else { k as f64 / n as f64 };
        HeadingQuality {
            headings: n,
            mean_words: share(words),
            words_3_to_8_share: share(in_range),
            fragment_end_share: share(fragment),
            colon_share: share(colon),
            duplicated_share: share(dup),
            stock_share: share(stock),
            unsupported_share: share(unsupported),
        }
    }
}

impl fmt::Display for HeadingQuality {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let pct = |x: f64| 100.0 * x;
        writeln!(
            f,
            "subheadings        {} (mean {:.1} words): 3-8 words {:.1}%, hanging end {:.1}%,",
            self.headings,
            self.mean_words,
            pct(self.words_3_to_8_share),
            pct(self.fragment_end_share)
        )?;
        write!(
            f,
            "                   colon {:.1}%, repeated {:.1}%, stock phrase {:.1}%, \
             unsupported name/number {:.1}%",
            pct(self.colon_share),
            pct(self.duplicated_share),
            pct(self.stock_share),
            pct(self.unsupported_share)
        )
    }
}

impl fmt::Display for SummarizeBenchReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "docs               {}", self.docs)?;
        writeln!(f, "seconds            {:.3}", self.seconds)?;
        writeln!(
            f,
            "articles/s         {:.0} (wall), {:.0} per CPU second ({:.3} s CPU)",
            self.articles_per_sec, self.articles_per_cpu_sec, self.cpu_seconds
        )?;
        writeln!(f, "peak RSS           {:.1} MiB", self.peak_rss_mb)?;
        writeln!(
            f,
            "500+ word sources  {} (article 300+ words, 3+ subheadings, no bold: {:.1}%)",
            self.long_docs,
            100.0 * self.long_article_ok_share
        )?;
        writeln!(
            f,
            "meta 120-160 chars {:.1}%",
            100.0 * self.meta_in_range_share
        )?;
        writeln!(
            f,
            "headline <= 70     {:.1}%",
            100.0 * self.headline_ok_share
        )?;
        writeln!(f, "{}", self.headings)?;
        writeln!(f, "{}", self.craft)
    }
}

fn text_files(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), SummarizeError> {
    let entries = std::fs::read_dir(dir).map_err(SummarizeError::io("list", dir))?;
    for entry in entries {
        let path = entry.map_err(SummarizeError::io("list", dir))?.path();
        if path.is_dir() {
            text_files(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "txt") {
            out.push(path);
        }
    }
    Ok(())
}

/// UTF-8, or Latin-1 for older corpora that are not.
fn decode(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).unwrap_or_else(|e| e.into_bytes().iter().map(|&b| b as char).collect())
}

/// User plus system CPU time of the calling thread, from /proc (0 where unavailable).
fn thread_cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").unwrap_or_default();
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    let after = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (ticks(11) + ticks(12)) / 100.0
}

fn peak_rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

/// Summarises every `.txt` file under `corpus` (first line the headline) on one thread.
pub fn bench_summarize(corpus: &Path) -> Result<SummarizeBenchReport, SummarizeError> {
    let mut files = Vec::new();
    text_files(corpus, &mut files)?;
    files.sort();
    let mut stories = Vec::with_capacity(files.len());
    for f in &files {
        let bytes = std::fs::read(f).map_err(SummarizeError::io("read", f))?;
        stories.push(story_from_text(&f.display().to_string(), &decode(bytes)));
    }
    if stories.is_empty() {
        return Err(SummarizeError::NoInput {
            path: corpus.to_path_buf(),
            what: ".txt files",
        });
    }
    let engine = BuiltinSummarizer::new();
    let none = Entities::default();
    let (start, cpu_start) = (Instant::now(), thread_cpu_seconds());
    let summaries: Vec<_> = stories
        .iter()
        .map(|s| engine.summarize_sync(s, &none))
        .collect();
    let seconds = start.elapsed().as_secs_f64();
    let cpu_seconds = thread_cpu_seconds() - cpu_start;
    let (mut long_docs, mut long_ok, mut meta_ok, mut headline_ok) = (0, 0, 0, 0);
    for (story, summary) in stories.iter().zip(&summaries) {
        let a = &summary.article;
        if story.word_count() >= 500 {
            long_docs += 1;
            let texts = std::iter::once(&a.lead).chain(
                a.sections
                    .iter()
                    .flat_map(|s| std::iter::once(&s.heading).chain(&s.paragraphs)),
            );
            let no_bold = !texts.into_iter().any(|t| has_emphasis(t));
            if a.word_count() >= 300 && a.sections.len() >= 3 && no_bold {
                long_ok += 1;
            }
        }
        meta_ok +=
            usize::from((META_MIN..=META_MAX).contains(&summary.meta_description.chars().count()));
        headline_ok += usize::from(summary.headline.chars().count() <= 70);
    }
    let headings = HeadingQuality::measure(summaries.iter().map(|s| &s.article));
    let craft = CraftQuality::measure(
        stories
            .iter()
            .zip(&summaries)
            .map(|(st, su)| (st, &none, su)),
    );
    let docs = stories.len();
    let share = |k: usize, n: usize| if n == 0 { 1.0 } else { k as f64 / n as f64 };
    Ok(SummarizeBenchReport {
        docs,
        seconds,
        articles_per_sec: docs as f64 / seconds.max(1e-9),
        cpu_seconds,
        articles_per_cpu_sec: if cpu_seconds > 0.0 {
            docs as f64 / cpu_seconds
        } else {
            0.0
        },
        peak_rss_mb: peak_rss_mb(),
        long_docs,
        long_article_ok_share: share(long_ok, long_docs),
        meta_in_range_share: share(meta_ok, docs),
        headline_ok_share: share(headline_ok, docs),
        headings,
        craft,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use copydesk_types::Section;

    fn article(headings: &[&str]) -> Article {
        Article {
            lead: "The harbour board met in Bergen.".into(),
            sections:
                headings
                    .iter()
                    .map(|h| Section {
                        heading: h.to_string(),
                        paragraphs: vec![
                            "The harbour board approved four new berths in Bergen.".into()
                        ],
                    })
                    .collect(),
            short: false,
            links: Vec::new(),
        }
    }

    #[test]
    fn heading_quality_counts_length_hanging_ends_colons_repeats_and_invented_names() {
        let a = article(&[
            "Harbour board approved four new berths",
            "Bergen: berths approved within",
            "harbour board approved four new berths",
            "Berths in Oslo",
            "Berths",
        ]);
        let q = HeadingQuality::measure([&a]);
        assert_eq!(q.headings, 5);
        assert_eq!(q.mean_words, 4.0);
        assert_eq!(q.words_3_to_8_share, 0.8);
        assert_eq!(q.fragment_end_share, 0.2, "ends on \"within\"");
        assert_eq!(q.colon_share, 0.2);
        assert_eq!(q.duplicated_share, 0.4, "both copies count");
        assert_eq!(q.unsupported_share, 0.2, "Oslo is not in the section");
    }
}
