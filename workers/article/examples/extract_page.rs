//! Print what the extractor finds in one benchmark page, beside the true text (for tuning).
//! `cargo run --release -p copydesk-article --example extract_page -- ../shared/data/extraction KEYPREFIX`

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let (dir, prefix) = (args.get(1).ok_or("usage: extract_page DIR KEYPREFIX")?, args.get(2).ok_or("KEYPREFIX")?);
    let pages = copydesk_article::eval::load_pages(std::path::Path::new(dir))?;
    for page in pages.iter().filter(|p| p.key.starts_with(prefix.as_str())) {
        let got = copydesk_article::extract(&page.html, &page.url);
        println!("== {} {}\n-- ours ({} words, meta body {:?} words):", page.key, page.url, got.word_count, got.meta.article_body.as_ref().map(|b| b.split_whitespace().count()));
        for p in &got.paragraphs {
            println!("  | {p}");
        }
        println!("-- truth:");
        for p in page.truth.split("\n\n") {
            println!("  | {p}");
        }
        if let Ok(needle) = std::env::var("NEEDLE") {
            for line in copydesk_article::extract::debug_path(&page.html, &needle) {
                println!("  ^ {line}");
            }
        }
        let c = copydesk_article::score::page_counts(&page.truth, &got.body());
        println!("-- tp {:.2} fp {:.2} fn {:.2}", c.tp, c.fp, c.fn_);
    }
    Ok(())
}
