//! The shipped `config/default.toml` loads, and its commented `[ingest.fetch]` block names real
//! keys with the defaults the code has (the code is the one place defaults live).

use std::path::{Path, PathBuf};

use copydesk_article::FetchConfig;
use copydesk_ingest::IngestConfig;
use copydesk_runtime::config::Layers;

fn default_toml() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../config/default.toml")
}

#[test]
fn the_shipped_default_toml_gives_a_valid_ingest_section() {
    let layers = Layers::load(Some(&default_toml())).unwrap_or_else(|e| panic!("{e}"));
    let cfg: IngestConfig = layers.section("ingest").unwrap_or_else(|e| panic!("config/default.toml [ingest]: {e}"));
    assert!(cfg.fetch.enabled);
}

#[test]
fn the_commented_fetch_block_uncommented_is_exactly_the_defaults() {
    let text = std::fs::read_to_string(default_toml()).expect("read config/default.toml");
    let start = text.find("# [ingest.fetch]").expect("config/default.toml documents [ingest.fetch]");
    let block: Vec<&str> = text[start..].lines().take_while(|l| l.starts_with("# ")).map(|l| &l[2..]).collect();
    assert!(block.len() > 15, "{block:?}");
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("fetch.toml");
    std::fs::write(&file, block.join("\n")).expect("write");
    let layers = Layers::load(Some(&file)).unwrap_or_else(|e| panic!("{e}"));
    let cfg: IngestConfig = layers.section("ingest").unwrap_or_else(|e| panic!("the [ingest.fetch] block has a key the code does not know: {e}"));
    let defaults = FetchConfig::default();
    // The user agent carries the crate version, which the file spells out at one version.
    assert!(cfg.fetch.user_agent.starts_with("Copydesk/"), "{}", cfg.fetch.user_agent);
    assert_eq!(FetchConfig { user_agent: defaults.user_agent.clone(), ..cfg.fetch }, defaults, "config/default.toml shows other values than FetchConfig::default()");
    let keys = block.iter().filter(|l| l.contains(" = ")).count();
    assert_eq!(keys, serde_json::to_value(&defaults).ok().and_then(|v| v.as_object().map(|o| o.len())).unwrap_or(0), "every key is documented");
}
