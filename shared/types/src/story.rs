//! The Story model: one normalised wire item, shaped after IPTC ninjs.

use chrono::{DateTime, FixedOffset, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// One normalised news item, whatever wire format it arrived in.
///
/// Identity is `(guid, version)`: a later version of the same guid is an update of the same story,
/// the same pair seen twice is a duplicate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Story {
    /// Globally unique id given by the provider (ninjs `uri`, NewsML-G2 `guid`, NITF `doc-id`).
    pub guid: String,
    /// The namespace the guid belongs to: the provider ("ap", "reuters") or the feed's
    /// configured source. Providers' guids only need to be unique within their own namespace,
    /// so two feeds whose guids collide never drop or retract each other's stories. Set by
    /// ingest; see [`Story::key`].
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub namespace: String,
    /// Version of this item; higher is newer. Providers that carry no version get 1.
    pub version: u64,
    /// A resolvable address of the item, when the provider gives one (feeds' `link`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uri: Option<String>,
    /// Main headline, clean text.
    pub headline: String,
    /// Secondary headline (NITF `hl2`, NewsML-G2 `subheadline`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subheadline: Option<String>,
    /// The feed's teaser, kept as a standfirst when ingest replaced the body with the text of
    /// the article page the item links to (see [`Story::page`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub standfirst: Option<String>,
    /// Body as clean-text paragraphs, in order; markup reduced, links kept in [`Story::links`].
    pub body: Vec<String>,
    /// Hyperlinks found in the body, kept as data so summaries can cite sources inline.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<Link>,
    /// The address of the item's main picture, when the wire associates one (ninjs
    /// `associations`); used for the article's JSON-LD `image`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    /// Byline as printed ("By Jane Doe, Associated Press").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub byline: Option<String>,
    /// Dateline as printed ("KYIV, Ukraine (AP) —").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dateline: Option<String>,
    /// The place the story was filed from, as a name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub located: Option<String>,
    /// BCP 47 language tag, from the document or detected ("en", "de", "nb-NO").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    /// Provider or agency ("AP", "Reuters", "dpa") or the feed's title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Agency slugline ("US-SYRIA-CRISIS-ASSAD").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slugline: Option<String>,
    /// Free keywords from the provider.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub keywords: Vec<String>,
    /// Subject codes (IPTC media topics, provider schemes).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub subjects: Vec<Subject>,
    /// Urgency on the IPTC scale 1 (flash) to 9 (lowest); ANPA and AP scales are mapped onto it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub urgency: Option<u8>,
    /// Editorial priority on the same 1..9 scale, when the provider gives it separately.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<u8>,
    /// Whether the item may be used; `Canceled` is a kill.
    #[serde(default)]
    pub pub_status: PubStatus,
    /// Update, correction and writethru markers.
    #[serde(default)]
    pub signals: Signals,
    /// Not to be published before this instant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub embargo: Option<DateTime<Utc>>,
    /// When the first version of the story was created, with the provider's offset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_created: Option<DateTime<FixedOffset>>,
    /// When this version was created, with the provider's offset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version_created: Option<DateTime<FixedOffset>>,
    /// Editorial note to editors ("Berichtigung", "Eds: embargoed until ...").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ednote: Option<String>,
    /// The section the publisher files the story under ("Politics"), from the article page's
    /// JSON-LD `articleSection` or `article:section`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub section: Option<String>,
    /// What ingest did with the article page behind a teaser: its text became the body, or
    /// the teaser stayed and why. `None` when no page was fetched.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page: Option<PageFetch>,
    /// The wire format the item was parsed from.
    pub format: SourceFormat,
    /// sha256 (hex) of the original payload bytes, for audit and duplicate detection.
    pub checksum: String,
}

impl Story {
    /// A minimal usable story: the constructor tests and simple sources start from.
    pub fn new(guid: impl Into<String>, headline: impl Into<String>, body: Vec<String>) -> Self {
        Story {
            guid: guid.into(),
            namespace: String::new(),
            version: 1,
            uri: None,
            headline: headline.into(),
            subheadline: None,
            standfirst: None,
            body,
            links: Vec::new(),
            image: None,
            byline: None,
            dateline: None,
            located: None,
            language: None,
            source: None,
            slugline: None,
            keywords: Vec::new(),
            subjects: Vec::new(),
            urgency: None,
            priority: None,
            pub_status: PubStatus::Usable,
            signals: Signals::default(),
            embargo: None,
            first_created: None,
            version_created: None,
            ednote: None,
            section: None,
            page: None,
            format: SourceFormat::PlainText,
            checksum: String::new(),
        }
    }

    /// The text that entity offsets refer to: the headline, a blank line, then the body
    /// paragraphs separated by blank lines.
    pub fn text(&self) -> String {
        let mut out = String::with_capacity(
            self.headline.len() + self.body.iter().map(|p| p.len() + 2).sum::<usize>() + 2,
        );
        out.push_str(&self.headline);
        for p in &self.body {
            out.push_str("\n\n");
            out.push_str(p);
        }
        out
    }

    /// Number of whitespace-separated words in the body.
    pub fn word_count(&self) -> usize {
        self.body.iter().map(|p| p.split_whitespace().count()).sum()
    }

    /// The story's identity across the pipeline: `<namespace>/<guid>`, or the bare guid for a
    /// story without a namespace (messages from versions before namespaces). Message ids, the
    /// story ledger, deliveries and file names all derive from it.
    pub fn key(&self) -> String {
        key_of(&self.namespace, &self.guid)
    }

    /// The key of another story of the same namespace (a kill notice's `refers_to`).
    pub fn sibling_key(&self, guid: &str) -> String {
        key_of(&self.namespace, guid)
    }

    /// True when the story must be retracted rather than published (a kill, or withheld).
    pub fn is_kill(&self) -> bool {
        matches!(self.pub_status, PubStatus::Canceled | PubStatus::Withheld)
    }
}

/// `<namespace>/<guid>`, or the guid alone when there is no namespace.
pub fn key_of(namespace: &str, guid: &str) -> String {
    if namespace.is_empty() {
        guid.to_string()
    } else {
        format!("{namespace}/{guid}")
    }
}

/// The namespace for a provider or source name: lowercase ASCII letters, digits and `-`
/// ("The Associated Press" -> "the-associated-press", "dpa" -> "dpa"); `wire` when empty.
pub fn namespace_of(source: &str) -> String {
    let mut out = String::new();
    for c in source.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    let trimmed = out.trim_end_matches('-').to_string();
    if trimmed.is_empty() {
        "wire".into()
    } else {
        trimmed
    }
}

/// sha256 of a payload, lowercase hex: what [`Story::checksum`] holds.
pub fn checksum(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// A hyperlink found in a story body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Link {
    /// The linked text as it reads in the body.
    pub text: String,
    /// The target address.
    pub href: String,
}

/// One subject classification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subject {
    /// Code in its scheme ("medtop:04000000", "15054000").
    pub code: String,
    /// Human name, when the document gives one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// Publication status, after ninjs `pubstatus`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PubStatus {
    /// May be published.
    #[default]
    Usable,
    /// Killed: must be retracted wherever it was published.
    Canceled,
    /// Temporarily withheld: treated as a kill until a later usable version arrives.
    Withheld,
}

/// The article page behind a teaser, as ingest found it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageFetch {
    /// Whether the page's text became the body.
    pub outcome: PageOutcome,
    /// Why the teaser stayed, as a stable short name: `paywalled`, `too_short`,
    /// `message_too_large`, `gave_up` (the page kept failing for a while), or the fetch error's
    /// kind (`robots_disallowed`, `private_address`, `too_large`, `not_html`, `http_status`,
    /// `redirect_loop`, ...). `None` for full text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The reason in words, for editors and logs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// Where the page was served from, after redirects (no query string), when it answered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fetched_from: Option<String>,
    /// Words of article text found on the page, when it answered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub words: Option<u32>,
}

/// What became of a teaser's article page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PageOutcome {
    /// The page's article text is the body; the teaser is the standfirst.
    FullText,
    /// The teaser is still the body ([`PageFetch::reason`] says why).
    Teaser,
}

/// Lifecycle markers carried by the provider.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Signals {
    /// An update of an earlier version (new lead, new facts).
    #[serde(default)]
    pub update: bool,
    /// A correction of an earlier version.
    #[serde(default)]
    pub correction: bool,
    /// A writethru: the whole story rewritten (AP "1stLd-Writethru").
    #[serde(default)]
    pub writethru: bool,
    /// The provider's own label for the update ("1stLd-Writethru", "REFILE", "UPDATE 1").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// The guid or doc id this item refers back to (NITF `management-doc-idref`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refers_to: Option<String>,
}

/// The wire format an item was parsed from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SourceFormat {
    /// News Industry Text Format 3.x.
    Nitf,
    /// IPTC NewsML-G2 (newsItem or packageItem).
    NewsmlG2,
    /// IPTC NewsML 1.2.
    #[serde(rename = "newsml-1.2")]
    Newsml12,
    /// IPTC ninjs 1.x to 3.x.
    Ninjs,
    /// ANPA-1312 (AP's legacy wire).
    #[serde(rename = "anpa-1312")]
    Anpa1312,
    /// IPTC 7901.
    #[serde(rename = "iptc-7901")]
    Iptc7901,
    /// RSS 2.0 feed item.
    #[serde(rename = "rss2")]
    Rss2,
    /// RSS 1.0 (RDF) feed item.
    #[serde(rename = "rss1")]
    Rss1,
    /// Atom entry.
    Atom,
    /// AP Media API item JSON.
    ApMediaJson,
    /// dpa digitalwires JSON.
    DpaDigitalwires,
    /// Copydesk's own Story JSON.
    StoryJson,
    /// Plain text: first line is the headline.
    PlainText,
    /// Markdown: a leading `# ` line is the headline.
    Markdown,
}

impl SourceFormat {
    /// Short stable name, as used in metrics labels and file names.
    pub fn as_str(self) -> &'static str {
        match self {
            SourceFormat::Nitf => "nitf",
            SourceFormat::NewsmlG2 => "newsml-g2",
            SourceFormat::Newsml12 => "newsml-1.2",
            SourceFormat::Ninjs => "ninjs",
            SourceFormat::Anpa1312 => "anpa-1312",
            SourceFormat::Iptc7901 => "iptc-7901",
            SourceFormat::Rss2 => "rss2",
            SourceFormat::Rss1 => "rss1",
            SourceFormat::Atom => "atom",
            SourceFormat::ApMediaJson => "ap-media-json",
            SourceFormat::DpaDigitalwires => "dpa-digitalwires",
            SourceFormat::StoryJson => "story-json",
            SourceFormat::PlainText => "plain-text",
            SourceFormat::Markdown => "markdown",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_joins_headline_and_paragraphs_with_blank_lines() {
        let s = Story::new("g", "Head", vec!["One.".into(), "Two.".into()]);
        assert_eq!(s.text(), "Head\n\nOne.\n\nTwo.");
    }

    #[test]
    fn story_round_trips_through_json_and_defaults_missing_fields() {
        let s = Story::new("g", "Head", vec!["Body".into()]);
        let json = serde_json::to_string(&s).expect("serialise");
        let back: Story = serde_json::from_str(&json).expect("parse");
        assert_eq!(back, s);
        assert!(!json.contains("embargo"), "empty options are left out: {json}");
    }

    #[test]
    fn a_page_fetch_travels_as_snake_case_and_older_stories_have_none() {
        let mut s = Story::new("g", "Head", vec!["Body".into()]);
        s.page = Some(PageFetch { outcome: PageOutcome::Teaser, reason: Some("paywalled".into()), detail: None, fetched_from: None, words: Some(12) });
        let json = serde_json::to_value(&s).expect("serialise");
        assert_eq!(json["page"], serde_json::json!({"outcome": "teaser", "reason": "paywalled", "words": 12}));
        let older: Story = serde_json::from_str(r#"{"guid":"g","version":1,"headline":"H","body":["B"],"format":"rss2","checksum":"c"}"#).expect("parse");
        assert!(older.page.is_none() && older.standfirst.is_none() && older.section.is_none());
    }

    #[test]
    fn format_json_names_match_their_metric_names() {
        for f in [SourceFormat::Nitf, SourceFormat::NewsmlG2, SourceFormat::Newsml12, SourceFormat::Anpa1312, SourceFormat::Iptc7901, SourceFormat::Rss1, SourceFormat::ApMediaJson] {
            assert_eq!(serde_json::to_value(f).expect("json"), serde_json::Value::String(f.as_str().into()));
        }
    }

    #[test]
    fn keys_are_namespaced_by_source() {
        let mut s = Story::new("urn:1", "h", vec![]);
        assert_eq!(s.key(), "urn:1", "no namespace: the bare guid");
        s.namespace = namespace_of("The Associated Press");
        assert_eq!(s.key(), "the-associated-press/urn:1");
        assert_eq!(s.sibling_key("urn:0"), "the-associated-press/urn:0");
        assert_eq!(namespace_of("  "), "wire");
        assert_eq!(namespace_of("dpa"), "dpa");
    }

    #[test]
    fn canceled_and_withheld_are_kills() {
        let mut s = Story::new("g", "h", vec![]);
        assert!(!s.is_kill());
        s.pub_status = PubStatus::Withheld;
        assert!(s.is_kill());
        s.pub_status = PubStatus::Canceled;
        assert!(s.is_kill());
    }
}
