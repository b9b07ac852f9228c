//! Layouts: the authored order unless the quiz shuffles, the same order for the same seed.

use super::super::layout::SplitMix64;
use super::*;

/// Ten single-choice questions, shuffled both ways.
fn shuffled() -> Quiz {
    Quiz {
        shuffle_questions: true,
        shuffle_options: true,
        ..quiz_of((1..=10).map(|n| single(n, 1)).chain([true_false(11, 1)]).collect())
    }
}

fn question_order(l: &Layout) -> Vec<Uuid> {
    l.questions.iter().map(|s| s.question_id).collect()
}

#[test]
fn splitmix64_matches_the_reference() {
    // The reference implementation's first outputs from state 0.
    let mut rng = SplitMix64(0);
    assert_eq!(rng.next_u64(), 0xE220_A839_7B1D_CDAF);
    assert_eq!(rng.next_u64(), 0x6E78_9E6A_A1B9_65F4);
}

#[test]
fn below_stays_in_range_and_reaches_every_value() {
    let mut rng = SplitMix64(7);
    let mut seen = [0u32; 6];
    for _ in 0..6000 {
        seen[rng.below(6) as usize] += 1;
    }
    assert!(seen.iter().all(|&n| (800..1200).contains(&n)), "{seen:?}");
    assert_eq!(rng.below(1), 0);
}

#[test]
fn without_shuffling_the_authored_order_is_kept() {
    let quiz = sample();
    let l = layout(&quiz, 12345);
    assert_eq!(question_order(&l), [id(100), id(200), id(300)]);
    assert_eq!(l.questions[0].option_ids, [id(101), id(102), id(103), id(104)]);
    assert_eq!(l.questions[2].option_ids, [id(301), id(302)]);
    assert_eq!(l, layout(&quiz, 999), "the seed does not matter when nothing is shuffled");
}

#[test]
fn the_same_seed_gives_the_same_layout() {
    let quiz = shuffled();
    assert_eq!(layout(&quiz, 42), layout(&quiz, 42));
    assert_eq!(layout(&quiz, u64::MAX), layout(&quiz, u64::MAX));
}

#[test]
fn different_seeds_give_different_layouts() {
    let quiz = shuffled();
    let orders: std::collections::HashSet<Vec<Uuid>> =
        (0..20).map(|seed| question_order(&layout(&quiz, seed))).collect();
    assert!(orders.len() >= 19, "20 seeds gave only {} question orders", orders.len());
    assert_ne!(question_order(&layout(&quiz, 1)), question_order(&layout(&quiz, 2)));
    assert_ne!(layout(&quiz, 1).questions[0].option_ids, layout(&quiz, 2).questions[0].option_ids);
}

#[test]
fn a_layout_is_a_permutation_of_the_quiz() {
    let quiz = shuffled();
    for seed in 0..50 {
        let l = layout(&quiz, seed);
        let mut got = question_order(&l);
        got.sort();
        let mut want: Vec<Uuid> = quiz.questions.iter().map(|q| q.id).collect();
        want.sort();
        assert_eq!(got, want);
        for slot in &l.questions {
            let q = quiz.question(slot.question_id).unwrap();
            let mut got = slot.option_ids.clone();
            got.sort();
            let mut want: Vec<Uuid> = q.options.iter().map(|o| o.id).collect();
            want.sort();
            assert_eq!(got, want);
        }
    }
}

#[test]
fn only_what_the_quiz_says_is_shuffled() {
    let authored: Vec<Uuid> = (1..=10).map(|n| id(n * 100)).chain([id(1100)]).collect();
    let options_only = Quiz { shuffle_questions: false, ..shuffled() };
    let questions_only = Quiz { shuffle_options: false, ..shuffled() };
    let mut options_moved = false;
    let mut questions_moved = false;
    for seed in 0..10 {
        let l = layout(&options_only, seed);
        assert_eq!(question_order(&l), authored);
        options_moved |= l.questions.iter().any(|s| s.option_ids[0] != id(s.question_id.as_u128() + 1));

        let l = layout(&questions_only, seed);
        questions_moved |= question_order(&l) != authored;
        for s in &l.questions {
            let first = s.question_id.as_u128() + 1;
            assert_eq!(s.option_ids[0], id(first), "options keep their order");
        }
    }
    assert!(options_moved && questions_moved);
}

#[test]
fn true_false_options_are_never_shuffled() {
    let quiz = shuffled();
    for seed in 0..50 {
        assert_eq!(layout(&quiz, seed).slot(id(1100)).unwrap().option_ids, [id(1101), id(1102)]);
    }
}

#[test]
fn a_layout_round_trips_through_json() {
    let l = layout(&shuffled(), 3);
    let json = serde_json::to_value(&l).unwrap();
    assert!(json["questions"][0]["questionId"].is_string() && json["questions"][0]["optionIds"].is_array());
    assert_eq!(serde_json::from_value::<Layout>(json).unwrap(), l);
}
