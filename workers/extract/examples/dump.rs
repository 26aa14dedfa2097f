//! Print what the built-in engine finds in a text given as the first argument (`\n` for newlines):
//! `cargo run -p copydesk-extract --example dump -- "Headline\n\nBody."`.

fn main() {
    let text = std::env::args()
        .nth(1)
        .unwrap_or_default()
        .replace("\\n", "\n");
    let e = copydesk_extract::BuiltinExtractor::load_default()
        .expect("model")
        .extract_text(&text);
    for m in &e.mentions {
        println!(
            "{:?} {} -> {}",
            m.kind, m.text, e.entities[m.entity].canonical
        );
    }
    for q in &e.quotes {
        println!("QUOTE {:?} by {:?} ({:?})", q.text, q.speaker, q.cue);
    }
    println!("sources {:?}", e.sources_cited);
}
