//! Embed the committed NER model when it exists, so the worker runs with no files beside it;
//! without it (a fresh checkout before `make train-ner`) the crate still builds, and loading the
//! default model reports how to train one.

fn main() {
    println!("cargo::rustc-check-cfg=cfg(has_ner_model)");
    println!("cargo::rerun-if-changed=model/ner.bin");
    if std::path::Path::new("model/ner.bin").exists() {
        println!("cargo::rustc-cfg=has_ner_model");
    }
}
