//! Runs the summarize evaluation or benchmark without building the whole CLI:
//! `cargo run --release -p copydesk-summarize --example summ_report -- eval FILE.jsonl`
//! `cargo run --release -p copydesk-summarize --example summ_report -- bench DIR`
//! `... -- rouge FILE.jsonl`: per line, the brief and our ROUGE F1s, for `tools/check_rouge.py`.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.as_slice() {
        [cmd, path] if cmd == "eval" => {
            let report = copydesk_summarize::eval_summary(std::path::Path::new(path))?;
            println!("{}", serde_json::to_string(&report)?);
            print!("{report}");
        }
        [cmd, path] if cmd == "bench" => {
            let report = copydesk_summarize::bench_summarize(std::path::Path::new(path))?;
            println!("{}", serde_json::to_string(&report)?);
            print!("{report}");
        }
        [cmd, path] if cmd == "rouge" => rouge_lines(path)?,
        [cmd, path] if cmd == "show" => {
            let text = std::fs::read_to_string(path)?;
            let story = copydesk_summarize::story_from_text(path, &text);
            let s = copydesk_summarize::BuiltinSummarizer::new()
                .summarize_sync(&story, &Default::default());
            println!(
                "{}\n",
                copydesk_render::article_markdown(&s.headline, &s.article)
            );
            let fields = serde_json::json!({"brief": s.brief, "meta_description": s.meta_description, "slug": s.slug,
                "keywords": s.keywords, "json_ld": s.json_ld, "open_graph": s.open_graph, "short": s.article.short});
            println!("{}", serde_json::to_string_pretty(&fields)?);
        }
        _ => return Err(
            "usage: summ_report (eval FILE.jsonl | bench DIR | rouge FILE.jsonl | show FILE.txt)"
                .into(),
        ),
    }
    Ok(())
}

/// One JSON line per `{id, article, reference}`: the brief and our three ROUGE F1 scores.
fn rouge_lines(path: &str) -> Result<(), Box<dyn std::error::Error>> {
    use copydesk_summarize::rouge::{rouge_lsum, rouge_n};
    let engine = copydesk_summarize::BuiltinSummarizer::new();
    for line in std::fs::read_to_string(path)?
        .lines()
        .filter(|l| !l.trim().is_empty())
    {
        let row: serde_json::Value = serde_json::from_str(line)?;
        let field = |k: &str| row[k].as_str().unwrap_or_default().to_string();
        let story = copydesk_types::Story::new(field("id"), "", vec![field("article")]);
        let candidate = engine.brief_sentences(&story).join("\n");
        let reference = field("reference");
        let out = serde_json::json!({
            "id": field("id"), "candidate": candidate, "reference": reference,
            "rouge1": rouge_n(&candidate, &reference, 1).f1,
            "rouge2": rouge_n(&candidate, &reference, 2).f1,
            "rougeLsum": rouge_lsum(&candidate, &reference).f1,
        });
        println!("{out}");
    }
    Ok(())
}
