//! An attempt's layout: the order of its questions and of each question's options. Stored with the attempt,
//! so a resumed attempt shows the same order, and drawn from a seed, so the same seed draws the same order.

use super::{QuestionType, Quiz};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Layout {
    pub questions: Vec<SlotLayout>,
}

/// One question of the attempt, with its options in the order shown.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SlotLayout {
    pub question_id: Uuid,
    pub option_ids: Vec<Uuid>,
}

impl Layout {
    pub fn slot(&self, question_id: Uuid) -> Option<&SlotLayout> {
        self.questions.iter().find(|s| s.question_id == question_id)
    }
}

/// The order `quiz` is shown in for `seed`: as authored unless the quiz shuffles questions or options.
/// True/false options keep their authored order ("True" then "False" reads naturally, and shuffling two
/// options hides nothing).
pub fn layout(quiz: &Quiz, seed: u64) -> Layout {
    let mut rng = SplitMix64(seed);
    let mut questions: Vec<_> = quiz.questions.iter().collect();
    if quiz.shuffle_questions {
        shuffle(&mut questions, &mut rng);
    }
    let questions = questions
        .into_iter()
        .map(|q| {
            let mut option_ids: Vec<Uuid> = q.options.iter().map(|o| o.id).collect();
            if quiz.shuffle_options && q.question_type != QuestionType::TrueFalse {
                shuffle(&mut option_ids, &mut rng);
            }
            SlotLayout { question_id: q.id, option_ids }
        })
        .collect();
    Layout { questions }
}

/// Fisher–Yates.
fn shuffle<T>(items: &mut [T], rng: &mut SplitMix64) {
    for i in (1..items.len()).rev() {
        // `j` ≤ `i`, so both conversions are lossless.
        let j = rng.below(i as u64 + 1) as usize;
        items.swap(i, j);
    }
}

/// SplitMix64 (Steele, Lea, Flood 2014): tiny, seedable, and good enough to order a quiz; not for secrets.
pub(super) struct SplitMix64(pub(super) u64);

impl SplitMix64 {
    pub(super) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n` ≥ 1). Draws below 2^64 mod n are redrawn, so every remainder is equally
    /// likely (plain `% n` would favour the small ones).
    pub(super) fn below(&mut self, n: u64) -> u64 {
        let threshold = n.wrapping_neg() % n;
        loop {
            let x = self.next_u64();
            if x >= threshold {
                return x % n;
            }
        }
    }
}
