//! The tagger: gazetteer marks + features + model + Viterbi, for one sentence of words.

use crate::features::Featurizer;
use crate::gazetteer::Gazetteer;
use crate::lexicon::Lexicon;
use crate::model::{viterbi, Model, NT};

/// Per-thread scratch space, so tagging a sentence allocates nothing in steady state.
#[derive(Default)]
pub struct Scratch {
    fz: Featurizer,
    gaz: Vec<u8>,
    feats: Vec<u64>,
    starts: Vec<u32>,
    emit: Vec<f32>,
}

/// Tag one sentence: IOB2 tag indices (see [`crate::model::TAGS`]) into `out`.
pub fn tag_sentence(
    model: &Model,
    lex: &Lexicon,
    gaz: &Gazetteer,
    words: &[&str],
    scratch: &mut Scratch,
    out: &mut Vec<usize>,
) {
    gaz.mark(words, &mut scratch.gaz);
    scratch.fz.sentence(
        words,
        &scratch.gaz,
        lex,
        &mut scratch.feats,
        &mut scratch.starts,
    );
    scratch.emit.clear();
    scratch.emit.resize(words.len() * NT, 0.0);
    for i in 0..words.len() {
        let f = &scratch.feats[scratch.starts[i] as usize..scratch.starts[i + 1] as usize];
        model.score(f, &mut scratch.emit[i * NT..(i + 1) * NT]);
    }
    viterbi(&scratch.emit, &model.transitions, out);
}

/// Turn IOB2 tags into `(first, last_exclusive, type_index)` spans (type index into
/// [`crate::model::TYPES`]). A stray I- tag starts a span, as conlleval does.
pub fn spans(tags: &[usize]) -> Vec<(usize, usize, usize)> {
    let mut out = Vec::new();
    let mut open: Option<(usize, usize)> = None;
    for (i, &t) in tags.iter().enumerate() {
        let ty = if t == 0 { None } else { Some((t - 1) / 2) };
        let begins = t % 2 == 1;
        if let Some((s, oty)) = open {
            if ty != Some(oty) || begins {
                out.push((s, i, oty));
                open = None;
            }
        }
        if let (Some(ty), None) = (ty, open) {
            open = Some((i, ty));
        }
    }
    if let Some((s, ty)) = open {
        out.push((s, tags.len(), ty));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_follow_conlleval_boundaries() {
        // B-PER I-PER O I-LOC B-LOC B-LOC I-LOC
        assert_eq!(
            spans(&[1, 2, 0, 6, 5, 5, 6]),
            [(0, 2, 0), (3, 4, 2), (4, 5, 2), (5, 7, 2)]
        );
    }
}
