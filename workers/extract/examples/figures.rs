//! Reproduce the README figures without the CLI (which calls the same functions):
//! `cargo run --release -p copydesk-extract --example figures -- ner ../shared/data/ner/conll2003/dev.iob2`,
//! `... -- bench ../shared/data/news/bbc`, `... -- quotes ../shared/data/quotes/polnear/dev`.

use std::path::Path;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(what), Some(path)) = (args.first(), args.get(1)) else {
        eprintln!("usage: figures ner|bench|quotes PATH");
        return ExitCode::FAILURE;
    };
    let path = Path::new(path);
    let json = match what.as_str() {
        "ner" => copydesk_extract::eval_ner(
            path,
            copydesk_extract::Lang::parse_arg(args.get(2).map_or("en", String::as_str))
                .unwrap_or(copydesk_extract::Lang::En),
        )
        .map(|r| (r.to_string(), serde_json::to_string(&r))),
        "bench" => copydesk_extract::bench_extract(path)
            .map(|r| (r.to_string(), serde_json::to_string(&r))),
        "quotes" => {
            copydesk_extract::eval_quotes(path).map(|r| (r.to_string(), serde_json::to_string(&r)))
        }
        other => {
            eprintln!("unknown figure '{other}': expected ner, bench or quotes");
            return ExitCode::FAILURE;
        }
    };
    match json {
        Ok((human, Ok(json))) => {
            println!("{human}\n{json}");
            ExitCode::SUCCESS
        }
        Ok((_, Err(e))) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
