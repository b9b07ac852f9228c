//! Views: the attempt never shows the answer key; the review shows which questions were right.

use super::*;
use serde_json::Value;

/// Every object key anywhere in `v`.
fn keys(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(map) => {
            for (k, v) in map {
                out.push(k.clone());
                keys(v, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|v| keys(v, out)),
        _ => {}
    }
}

fn has_correct_key(v: &Value) -> bool {
    let mut all = Vec::new();
    keys(v, &mut all);
    all.iter().any(|k| k.to_lowercase().contains("correct"))
}

#[test]
fn the_attempt_view_never_reveals_the_answer_key() {
    let shuffled = Quiz { shuffle_questions: true, shuffle_options: true, ..sample() };
    for quiz in [sample(), shuffled] {
        for seed in 0..5 {
            let l = layout(&quiz, seed);
            for saved in [Answers::new(), all_right()] {
                let json = serde_json::to_value(view(&quiz, &l, &saved)).unwrap();
                assert!(!has_correct_key(&json), "{json:#}");
                // Nor anywhere else: the fixtures' texts avoid the word, and no explanation is shown.
                let text = json.to_string().to_lowercase();
                assert!(!text.contains("correct") && !text.contains("explanation") && !text.contains("stop"), "{text}");
            }
        }
    }
    // The key itself does hold the word, so the check above would notice it.
    assert!(has_correct_key(&serde_json::to_value(sample()).unwrap()));
}

#[test]
fn the_attempt_view_follows_the_layout_and_shows_the_saved_selection() {
    let quiz = Quiz { shuffle_questions: true, shuffle_options: true, ..sample() };
    let l = layout(&quiz, 11);
    let saved = answers(&[(200, &[203, 201])]);
    let v = view(&quiz, &l, &saved);
    assert_eq!((v.quiz_id, v.title.as_str(), v.max_points), (id(1), "Site safety", 40));
    assert_eq!(
        v.questions.iter().map(|q| q.id).collect::<Vec<_>>(),
        l.questions.iter().map(|s| s.question_id).collect::<Vec<_>>()
    );
    for (q, slot) in v.questions.iter().zip(&l.questions) {
        assert_eq!(q.options.iter().map(|o| o.id).collect::<Vec<_>>(), slot.option_ids);
    }
    let q2 = v.questions.iter().find(|q| q.id == id(200)).unwrap();
    assert_eq!(q2.selected, [id(203), id(201)]);
    assert_eq!((q2.question_type, q2.points, q2.text.as_str()), (QuestionType::MultipleChoice, 20, "Multiple 2"));
    assert!(v.questions.iter().filter(|q| q.id != id(200)).all(|q| q.selected.is_empty()));

    let json = serde_json::to_value(&v).unwrap();
    assert_eq!(json["quizId"], id(1).to_string());
    assert!(json["questions"][0]["questionType"].is_string());
    assert_eq!(json["questions"][0]["options"][0].as_object().unwrap().len(), 2, "id and text only");
}

#[test]
fn the_attempt_view_skips_what_left_the_quiz() {
    let l = layout(&sample(), 0);
    let mut now = quiz_of(vec![single(1, 10), true_false(3, 10)]);
    now.questions[0].options.remove(1);
    let v = view(&now, &l, &answers(&[(100, &[102]), (200, &[201])]));
    assert_eq!(v.questions.iter().map(|q| q.id).collect::<Vec<_>>(), [id(100), id(300)]);
    assert_eq!(v.questions[0].options.iter().map(|o| o.id).collect::<Vec<_>>(), [id(101), id(103), id(104)]);
    assert_eq!(v.max_points, 20);
}

#[test]
fn the_review_shows_correctness_and_explanations() {
    let quiz = sample();
    let l = layout(&quiz, 0);
    let given = answers(&[(100, &[101]), (200, &[201])]);
    let result = score(&quiz, &l, &given);
    let r = review(&quiz, &l, &given, &result);
    assert_eq!((r.points, r.max_points, r.score, r.passed), (10, 40, 25.0, false));
    assert_eq!(r.questions.iter().map(|q| q.correct).collect::<Vec<_>>(), [true, false, false]);
    assert_eq!(r.questions[0].explanation.as_deref(), Some("Red means stop."));
    assert_eq!(r.questions[1].explanation, None);
    assert_eq!(r.questions[1].selected, [id(201)]);

    let json = serde_json::to_value(&r).unwrap();
    assert_eq!(json["questions"][0]["correct"], true);
    assert_eq!(json["questions"][0]["explanation"], "Red means stop.");
    assert!(json["questions"][1].get("explanation").is_none());
    // Which options were right stays hidden: the next attempt would have its answers.
    for q in json["questions"].as_array().unwrap() {
        for o in q["options"].as_array().unwrap() {
            assert!(!has_correct_key(o), "{o}");
        }
    }
}
