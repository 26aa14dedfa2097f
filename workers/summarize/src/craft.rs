//! How often each rule of the article holds over a corpus, for `copydesk bench summarize`:
//! subheadings (cut before a complement, over a one-sentence section, on a short story),
//! the focus keyphrase's placement, the meta description (complete, no opening conjunction,
//! length), the headline (length, never a slug line), links (no raw address left in the text,
//! every cited outlet with an address linked) and the JSON-LD headline.

use crate::clause::cut_before_complement;
use crate::focus::has_phrase;
use crate::lang::Lang;
use crate::markup::LD_HEADLINE_MAX;
use crate::seo::{is_complete_sentence, is_slug_line, opens_with_conjunction, META_MAX, META_MIN};
use crate::text::split_sentences_in;
use copydesk_types::{Entities, Story, Summary};
use serde::Serialize;
use std::fmt;

/// Shares (0..1) of the articles, or of their subheadings, that keep each rule.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct CraftQuality {
    /// Articles measured.
    pub articles: usize,
    /// Titled subheadings measured.
    pub headings: usize,
    /// Subheadings that stop before the complement their sentence owes them (lower is better).
    pub heading_cut_share: f64,
    /// Sections of a single sentence, over all sections (lower is better).
    pub one_sentence_section_share: f64,
    /// Stories under 250 words that got subheadings anyway (lower is better).
    pub short_story_subheadings_share: f64,
    /// Subheadings standing over a single paragraph (lower is better).
    pub one_paragraph_section_share: f64,
    /// Articles with a focus keyphrase.
    pub focus_share: f64,
    /// Of those: the keyphrase in the headline or the lead.
    pub focus_in_headline_or_lead_share: f64,
    /// Of those: the keyphrase in the meta description.
    pub focus_in_meta_share: f64,
    /// Of those with subheadings: the keyphrase in one subheading.
    pub focus_in_subheading_share: f64,
    /// Meta descriptions that read as a complete sentence.
    pub meta_complete_share: f64,
    /// Meta descriptions opening with a conjunction (lower is better).
    pub meta_conjunction_share: f64,
    /// Meta descriptions of 120-160 characters.
    pub meta_length_share: f64,
    /// SEO headlines of at most 70 characters.
    pub headline_length_share: f64,
    /// Headlines that are an agency slug line (lower is better).
    pub headline_slug_share: f64,
    /// JSON-LD headlines of at most 110 characters.
    pub ld_headline_share: f64,
    /// Articles with an address left in their text (lower is better).
    pub raw_address_share: f64,
    /// Cited outlets with an address, named in the article.
    pub cited_outlets: usize,
    /// Of those, the share that became a link.
    pub cited_linked_share: f64,
}

fn share(k: usize, n: usize) -> f64 {
    if n == 0 {
        0.0
    } else {
        k as f64 / n as f64
    }
}

impl CraftQuality {
    /// Measures summaries against their stories and entities.
    pub fn measure<'a>(
        items: impl IntoIterator<Item = (&'a Story, &'a Entities, &'a Summary)>,
    ) -> Self {
        let mut c = [0usize; 20];
        let (mut n, mut headings, mut sections) = (0, 0, 0);
        for (story, entities, summary) in items {
            n += 1;
            let sample = story
                .body
                .iter()
                .take(3)
                .cloned()
                .collect::<Vec<_>>()
                .join(" ");
            let lang = Lang::resolve(story.language.as_deref(), &sample);
            let a = &summary.article;
            let titled: Vec<_> = a
                .sections
                .iter()
                .filter(|s| !s.heading.is_empty())
                .collect();
            for s in &a.sections {
                sections += 1;
                let count: usize = s
                    .paragraphs
                    .iter()
                    .map(|p| split_sentences_in(lang, p).len())
                    .sum();
                c[0] += usize::from(count < 2);
            }
            for s in &titled {
                headings += 1;
                c[1] += usize::from(
                    lang == Lang::En && cut_before_complement(&s.heading, &s.paragraphs.join(" ")),
                );
            }
            c[2] += usize::from(story.word_count() < 250 && !titled.is_empty());
            c[17] += titled.iter().filter(|s| s.paragraphs.len() < 2).count();
            if let Some(f) = summary.focus_keyphrase.as_deref() {
                c[3] += 1;
                c[4] += usize::from(has_phrase(&summary.headline, f) || has_phrase(&a.lead, f));
                c[5] += usize::from(has_phrase(&summary.meta_description, f));
                if !titled.is_empty() {
                    c[6] += 1;
                    c[7] += usize::from(titled.iter().any(|s| has_phrase(&s.heading, f)));
                }
            }
            let meta = &summary.meta_description;
            c[8] += usize::from(is_complete_sentence(meta));
            c[9] += usize::from(opens_with_conjunction(lang, meta));
            c[10] += usize::from((META_MIN..=META_MAX).contains(&meta.chars().count()));
            c[11] += usize::from(summary.headline.chars().count() <= 70);
            c[12] += usize::from(is_slug_line(&summary.headline, story));
            let ld = summary.json_ld["headline"].as_str().unwrap_or("");
            c[13] += usize::from(ld.chars().count() <= LD_HEADLINE_MAX);
            let texts: Vec<&String> = std::iter::once(&a.lead)
                .chain(a.sections.iter().flat_map(|s| &s.paragraphs))
                .collect();
            c[14] +=
                usize::from(texts.iter().any(|t| {
                    t.contains("http://") || t.contains("https://") || t.contains("www.")
                }));
            for cited in entities.cited.iter().filter(|x| x.url.is_some()) {
                if texts.iter().any(|t| t.contains(&cited.name)) {
                    c[15] += 1;
                    c[16] += usize::from(a.links.iter().any(|l| l.text == cited.name));
                }
            }
        }
        CraftQuality {
            articles: n,
            headings,
            heading_cut_share: share(c[1], headings),
            one_sentence_section_share: share(c[0], sections),
            short_story_subheadings_share: share(c[2], n),
            one_paragraph_section_share: share(c[17], headings),
            focus_share: share(c[3], n),
            focus_in_headline_or_lead_share: share(c[4], c[3]),
            focus_in_meta_share: share(c[5], c[3]),
            focus_in_subheading_share: share(c[7], c[6]),
            meta_complete_share: share(c[8], n),
            meta_conjunction_share: share(c[9], n),
            meta_length_share: share(c[10], n),
            headline_length_share: share(c[11], n),
            headline_slug_share: share(c[12], n),
            ld_headline_share: share(c[13], n),
            raw_address_share: share(c[14], n),
            cited_outlets: c[15],
            cited_linked_share: share(c[16], c[15]),
        }
    }
}

impl fmt::Display for CraftQuality {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let p = |x: f64| 100.0 * x;
        writeln!(
            f,
            "article rules      {} articles, {} subheadings",
            self.articles, self.headings
        )?;
        writeln!(
            f,
            "  subheadings      cut before a complement {:.1}%, one-sentence sections {:.1}%, one-paragraph sections {:.1}%, stories under 250 words with subheadings {:.1}%",
            p(self.heading_cut_share), p(self.one_sentence_section_share), p(self.one_paragraph_section_share), p(self.short_story_subheadings_share)
        )?;
        writeln!(
            f,
            "  focus keyphrase  chosen {:.1}%; in headline or lead {:.1}%, in meta {:.1}%, in a subheading {:.1}%",
            p(self.focus_share), p(self.focus_in_headline_or_lead_share), p(self.focus_in_meta_share), p(self.focus_in_subheading_share)
        )?;
        writeln!(
            f,
            "  meta             complete sentence {:.1}%, opens with a conjunction {:.1}%, 120-160 chars {:.1}%",
            p(self.meta_complete_share), p(self.meta_conjunction_share), p(self.meta_length_share)
        )?;
        writeln!(
            f,
            "  headline         <= 70 chars {:.1}%, slug line {:.1}%, JSON-LD headline <= 110 {:.1}%",
            p(self.headline_length_share), p(self.headline_slug_share), p(self.ld_headline_share)
        )?;
        write!(
            f,
            "  links            raw address left in text {:.1}%, cited outlets with an address linked {:.1}% (of {})",
            p(self.raw_address_share), p(self.cited_linked_share), self.cited_outlets
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::BuiltinSummarizer;

    #[test]
    fn the_rules_are_counted_and_can_fail() {
        let story = Story::new(
            "g",
            "Ferries resume",
            vec![
                "Ferries resumed on Friday after two days of storms closed the fjord crossings."
                    .into(),
                "See https://example.org for times.".into(),
            ],
        );
        let mut summary = BuiltinSummarizer::new().summarize_sync(&story, &Entities::default());
        let good = CraftQuality::measure([(&story, &Entities::default(), &summary)]);
        assert_eq!(
            good.raw_address_share, 0.0,
            "addresses never stay in the text"
        );
        assert_eq!(good.meta_conjunction_share, 0.0);
        summary.meta_description = "But ferries resumed".into();
        summary
            .article
            .lead
            .push_str(" Details at https://example.org.");
        let bad = CraftQuality::measure([(&story, &Entities::default(), &summary)]);
        assert_eq!(bad.meta_conjunction_share, 1.0);
        assert_eq!(bad.meta_complete_share, 0.0);
        assert_eq!(bad.raw_address_share, 1.0);
    }

    #[test]
    fn a_heading_cut_before_its_complement_is_caught() {
        let section = "Netanyahu has until late Wednesday to form a government. Talks continue.";
        assert!(cut_before_complement(
            "Netanyahu has until late Wednesday",
            section
        ));
        assert!(!cut_before_complement("Talks continue", section));
        assert!(cut_before_complement(
            "Fire started late",
            "The fire started late on Monday in a hall."
        ));
    }
}
