//! `config/default.toml` lists every key with its default, and the defaults themselves live in
//! the Rust `Default` impls: this test keeps the two from drifting apart, and checks that an
//! unknown key in any section stops the load with an error naming the key.

use copydesk_runtime::config::{Layers, Settings};
use secrecy::ExposeSecret;
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;

/// Every section, as the binaries read them.
#[derive(Serialize, Default)]
struct All {
    #[serde(flatten)]
    shared: Settings,
    store: copydesk_store::StoreConfig,
    ingest: copydesk_ingest::IngestConfig,
    extract: copydesk_extract::ExtractConfig,
    summarize: copydesk_summarize::SummarizeConfig,
    events: copydesk_summarize::stage::EventsConfig,
    publish: copydesk_publish::PublishConfig,
}

/// Read every section from `layers` the way the binaries do.
fn read_all(layers: &Layers) -> Result<(), String> {
    layers.settings().map_err(|e| e.to_string())?;
    layers.section::<copydesk_store::StoreConfig>("store").map_err(|e| e.to_string())?;
    layers.section::<copydesk_ingest::IngestConfig>("ingest").map_err(|e| e.to_string())?;
    layers.section::<copydesk_extract::ExtractConfig>("extract").map_err(|e| e.to_string())?;
    layers.section::<copydesk_summarize::SummarizeConfig>("summarize").map_err(|e| e.to_string())?;
    layers.section::<copydesk_summarize::stage::EventsConfig>("events").map_err(|e| e.to_string())?;
    layers.section::<copydesk_publish::PublishConfig>("publish").map_err(|e| e.to_string())?;
    Ok(())
}

fn default_toml() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../config/default.toml")
}

fn flatten(prefix: &str, value: &Value, out: &mut BTreeMap<String, Value>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                let key = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
                flatten(&key, v, out);
            }
        }
        other => {
            out.insert(prefix.to_string(), other.clone());
        }
    }
}

/// How a key is documented in the file.
#[derive(Debug, PartialEq)]
enum Listed {
    /// `key = value` or `# key = value`: the default.
    Default(Value),
    /// `# (unset) key = example`: no value by default.
    Unset,
    /// `# (required) key = example`: no default; must be given.
    Required,
}

/// Every key of the file, set or commented out, by dotted path; an array-of-tables section
/// `[[a.b]]` gives keys `a.b[].key`.
fn listed_keys(text: &str) -> BTreeMap<String, Listed> {
    let mut section = String::new();
    let mut keys = BTreeMap::new();
    for (n, raw) in text.lines().enumerate() {
        let commented = raw.trim_start().starts_with('#');
        let line = raw.trim_start().trim_start_matches('#').trim();
        if let Some(name) = line.strip_prefix("[[").and_then(|l| l.split("]]").next()) {
            section = format!("{name}[]");
            continue;
        }
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.split(']').next()) {
            if name.chars().all(|c| c.is_ascii_lowercase() || c == '_' || c == '.') {
                section = name.to_string();
                continue;
            }
        }
        let (mark, rest) = if let Some(r) = line.strip_prefix("(unset)") {
            ("unset", r.trim())
        } else if let Some(r) = line.strip_prefix("(required)") {
            ("required", r.trim())
        } else {
            ("", line)
        };
        let Some((key, _)) = rest.split_once(" = ") else { continue };
        let key = key.trim();
        if key.is_empty() || !key.chars().all(|c| c.is_ascii_lowercase() || c == '_' || c.is_ascii_digit()) {
            continue;
        }
        let parsed = config::Config::builder()
            .add_source(config::File::from_str(rest, config::FileFormat::Toml))
            .build()
            .and_then(|c| c.get::<Value>(key))
            .unwrap_or_else(|e| panic!("config/default.toml line {}: `{raw}` does not parse ({e})", n + 1));
        let _ = commented;
        let listed = match mark {
            "unset" => Listed::Unset,
            "required" => Listed::Required,
            _ => Listed::Default(parsed),
        };
        let path = if section.is_empty() { key.to_string() } else { format!("{section}.{key}") };
        assert!(keys.insert(path.clone(), listed).is_none(), "config/default.toml lists `{path}` twice");
    }
    keys
}

fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            let (x, y) = (x.as_f64().unwrap_or(f64::NAN), y.as_f64().unwrap_or(f64::NAN));
            (x - y).abs() <= 1e-6 * x.abs().max(1.0)
        }
        _ => a == b,
    }
}

#[test]
fn default_toml_lists_every_key_with_the_code_default() {
    let text = std::fs::read_to_string(default_toml()).expect("read config/default.toml");
    let listed = listed_keys(&text);

    let mut defaults = BTreeMap::new();
    flatten("", &serde_json::to_value(All::default()).expect("serialize defaults"), &mut defaults);
    // Feed tables: the element defaults, under `ingest.feeds[]`.
    let feed = serde_json::to_value(copydesk_ingest::FeedConfig::default()).expect("feed");
    flatten("ingest.feeds[]", &feed, &mut defaults);
    assert_eq!(defaults.remove("ingest.feeds"), Some(Value::Array(vec![])));
    // Secrets are not serialized; their defaults are compared below.
    let amqp = copydesk_runtime::config::AmqpSettings::default();
    let store = copydesk_store::StoreConfig::default();
    for (key, value) in [
        ("amqp.url", amqp.url.expose_secret().to_string()),
        ("amqp.management_url", amqp.management_url.expose_secret().to_string()),
        ("store.url", store.url.expose_secret().to_string()),
    ] {
        defaults.insert(key.to_string(), Value::String(value));
    }
    defaults.insert("amqp.urls".to_string(), Value::Array(amqp.urls.iter().map(|u| Value::String(u.expose_secret().to_string())).collect()));

    let mut problems = Vec::new();
    for (key, default) in &defaults {
        match listed.get(key) {
            None => problems.push(format!("`{key}` (default {default}) is not listed")),
            Some(Listed::Default(v)) if !same(v, default) => {
                problems.push(format!("`{key}`: the file says {v}, the code's default is {default}"))
            }
            Some(Listed::Unset) if !default.is_null() => {
                problems.push(format!("`{key}` is marked (unset) but defaults to {default}"))
            }
            Some(Listed::Required) if !(default.is_null() || default == &Value::String(String::new())) => {
                problems.push(format!("`{key}` is marked (required) but defaults to {default}"))
            }
            Some(Listed::Default(_)) if default.is_null() => {
                problems.push(format!("`{key}` has no default: mark it (unset)"))
            }
            _ => {}
        }
    }
    for key in listed.keys() {
        // `[console]` belongs to the copydesk binary; its own unit test
        // (`console::tests::the_shipped_console_section_is_the_defaults_and_unknown_keys_are_refused`)
        // compares the shipped section with its defaults.
        if !defaults.contains_key(key) && !key.starts_with("console.") {
            problems.push(format!("`{key}` is listed but no config struct has it"));
        }
    }
    assert!(problems.is_empty(), "config/default.toml and the Default impls disagree:\n  {}", problems.join("\n  "));
    assert!(defaults.len() > 100, "the comparison saw only {} keys", defaults.len());
}

#[test]
fn default_toml_loads_as_it_is() {
    let layers = Layers::load(Some(&default_toml())).expect("load config/default.toml");
    read_all(&layers).expect("every section of config/default.toml");
}

#[test]
fn an_unknown_key_in_any_section_is_refused_naming_it() {
    let mut sections: Vec<String> = Vec::new();
    let mut defaults = BTreeMap::new();
    flatten("", &serde_json::to_value(All::default()).expect("serialize"), &mut defaults);
    for key in defaults.keys() {
        let section = key.rsplit_once('.').map(|(s, _)| s.to_string()).unwrap_or_default();
        if !section.is_empty() && !sections.contains(&section) {
            sections.push(section);
        }
    }
    sections.push("ingest.feeds".into());
    assert!(sections.len() >= 15, "{sections:?}");
    for section in sections {
        let body = if section == "ingest.feeds" {
            "[[ingest.feeds]]\nname = \"n\"\nurl = \"http://127.0.0.1/\"\ncolour_of_sky = 1\n".to_string()
        } else {
            format!("[{section}]\ncolour_of_sky = 1\n")
        };
        let mut file = tempfile::Builder::new().suffix(".toml").tempfile().expect("tmp");
        file.write_all(body.as_bytes()).expect("write");
        let err = Layers::load(Some(file.path()))
            .map_err(|e| e.to_string())
            .and_then(|layers| read_all(&layers))
            .expect_err(&format!("[{section}] colour_of_sky accepted"));
        assert!(err.contains("colour_of_sky"), "[{section}]: the error does not name the key: {err}");
    }
}
