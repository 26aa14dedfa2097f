//! Time the tree building alone against the whole extraction (for tuning).
//! `cargo run --release -p copydesk-article --example phase_timing -- ../shared/data/extraction`

use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::args().nth(1).ok_or("usage: phase_timing DIR")?;
    let pages = copydesk_article::eval::load_pages(std::path::Path::new(&dir))?;
    for _ in 0..2 {
        let t = Instant::now();
        let n: usize = pages.iter().map(|p| copydesk_article::extract::parse_node_count(&p.html)).sum();
        let parse = t.elapsed();
        let t = Instant::now();
        let w: usize = pages.iter().map(|p| copydesk_article::extract(&p.html, &p.url).word_count).sum();
        println!("parse {parse:?} ({n} nodes); full extract {:?} ({w} words)", t.elapsed());
    }
    Ok(())
}
