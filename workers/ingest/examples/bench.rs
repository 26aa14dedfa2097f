//! Parse throughput over a folder: `cargo run --release --example bench -- DIR` (JSON report).

fn main() {
    let dir = std::env::args().nth(1).unwrap_or_else(|| "../shared/data/wire".into());
    match copydesk_ingest::bench_parse(std::path::Path::new(&dir)) {
        Ok(r) => println!("{}", serde_json::to_string_pretty(&r).unwrap_or_default()),
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    }
}
