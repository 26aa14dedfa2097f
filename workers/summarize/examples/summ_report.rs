//! Runs the summarize evaluation or benchmark without building the whole CLI:
//! `cargo run --release -p copydesk-summarize --example summ_report -- eval FILE.jsonl`
//! `cargo run --release -p copydesk-summarize --example summ_report -- bench DIR`

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
        _ => return Err("usage: summ_report (eval FILE.jsonl | bench DIR)".into()),
    }
    Ok(())
}
