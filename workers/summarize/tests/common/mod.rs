//! Synthetic stories shared by the integration tests (written for these tests).
#![allow(dead_code)]

use copydesk_types::{Link, Story};

/// A synthetic wire story of about 600 words about a harbour project.
pub fn harbour_story() -> Story {
    let mut paragraphs = vec![
        "BERGEN, Norway (Reuters) - The Bergen Harbour Authority approved a 2.4 billion crown expansion of the container port on Tuesday, ending three years of talks with shipping lines and residents.".to_string(),
        "The plan adds four deep-water berths and a rail link, and the authority said construction would start in March and take five years.".to_string(),
        "By Kari Nordmann".to_string(),
    ];
    let paragraphs_text = [
        "Shipping lines welcomed the decision. Larger vessels had been forced to unload at Stavanger instead of Bergen, adding a day to each voyage. One operator said its customers had waited years for deeper berths.",
        "Residents of the Nordnes district opposed the night-time loading noise. They collected 3,000 signatures and asked for a sound wall along the quay. Their spokesman said families near the water could not sleep.",
        "The authority promised the sound wall and a ban on loading between midnight and six in the morning. Inspectors will measure noise at twenty points around the harbour every month.",
        "Environmental groups warned that dredging could harm the fjord. They demanded an independent study of the seabed before any digging starts, and said they would appeal if the study was skipped.",
        "Mayor Ingrid Solberg said the port would create 800 jobs. She argued that the city must stay competitive with Rotterdam and Hamburg as cargo ships grow larger every decade.",
        "The rail operator Vy will run twelve freight trains a day once the link opens. That should take hundreds of lorries off the city's roads, according to documents published with the decision.",
        "Costs are shared between the state and the municipality. The finance committee expects tolls from shipping to repay the loans within twenty-five years, although critics call that estimate optimistic.",
        "Construction firms may bid from June. Contracts will be split into three packages so that smaller local builders can compete, the procurement office said in a statement.",
        "Fishermen who moor boats in the inner harbour will be moved to a new marina at Sandviken. The authority has offered them free berths for two seasons while the marina is finished.",
        "Historians asked that the old customs house on the quay be preserved. The planners agreed to keep its facade and turn the building into a visitor centre with a small museum of the port.",
        "Tourism officials expect cruise ships to use the new berths in summer. Bergen received more than three hundred cruise calls last year, and hotels say they need the visitors.",
        "Opposition councillors voted against the plan. They said the money would be better spent on schools and care homes, and that the traffic forecasts were out of date.",
    ];
    paragraphs.extend(paragraphs_text.iter().map(|p| p.to_string()));
    paragraphs.push("(Reporting by Kari Nordmann; Editing by Ola Hansen)".to_string());
    let mut story = Story::new(
        "urn:test:harbour",
        "UPDATE 1-Bergen approves 2.4 bln crown port expansion after three years of talks",
        paragraphs,
    );
    story.source = Some("Reuters".into());
    story.uri = Some("https://example.org/harbour".into());
    story.links = vec![Link {
        text: "documents published with the decision".into(),
        href: "https://example.org/decision.pdf".into(),
    }];
    story
}
pub mod langs;

/// LLM mode against a test server at `base_url`: no retries, no key, section mode.
#[allow(dead_code)]
pub fn llm_config(base_url: &str) -> copydesk_summarize::SummarizeConfig {
    copydesk_summarize::SummarizeConfig {
        engine: copydesk_summarize::EngineKind::Llm,
        llm: copydesk_llm::LlmConfig {
            base_url: base_url.into(),
            model: "test-model".into(),
            api_key_env: "COPYDESK_TEST_KEY_NOT_SET".into(),
            max_retries: 0,
            retry_base_ms: 1,
            ..copydesk_llm::LlmConfig::default()
        },
        ..copydesk_summarize::SummarizeConfig::default()
    }
}
