//! Reading the page's form (`application/x-www-form-urlencoded`: the page has no JavaScript, so a plain
//! HTML form is all that is ever posted). The form is the page's own, so anything it could not have sent
//! is refused by name rather than ignored: a field the page has no input for, a field sent twice, an
//! action it has no button for.
//!
//! Fields: `q.<questionId>` (once per chosen option), `feedback` (a reflection's text) and `action`
//! (the button pressed: `complete` or `answer`). Whether the answers fit the quiz is
//! [`quiz::invalid`](super::quiz::invalid)'s question, asked against the content.

use super::quiz::Answers;

/// The longest reflection, in characters (after trimming).
pub const FEEDBACK_MAX: usize = 4000;
/// The most fields one form carries: a quiz of 100 questions of 10 options each, all chosen, and the rest.
pub const MAX_FIELDS: usize = 1_010;
const QUESTION: &str = "q.";

/// What the worker did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// "Mark as done" on content with nothing to answer.
    Complete,
    /// Submitted a quiz's answers or a reflection.
    Answer,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Complete => "complete",
            Self::Answer => "answer",
        }
    }
}

/// A posted form, read.
#[derive(Clone, Debug, PartialEq)]
pub struct Submission {
    pub action: Action,
    /// Quiz answers; questions with no option chosen are absent.
    pub answers: Answers,
    /// The reflection, trimmed, with line breaks as `\n`; `None` when absent or blank.
    pub feedback: Option<String>,
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum FormError {
    #[error("the form says no action")]
    MissingAction,
    #[error("unknown action {0:?}: complete or answer")]
    UnknownAction(String),
    #[error("unknown field {0:?}")]
    UnknownField(String),
    #[error("the field {0:?} is given more than once")]
    Repeated(String),
    #[error("a question field names no question")]
    NoQuestion,
    #[error("the feedback is {0} characters long; at most {FEEDBACK_MAX}")]
    FeedbackTooLong(usize),
    #[error("the form has more than {MAX_FIELDS} fields")]
    TooManyFields,
}

/// Reads a form body. Bytes that are not UTF-8 read as U+FFFD (and so match no option id).
pub fn read(body: &[u8]) -> Result<Submission, FormError> {
    let mut action = None;
    let mut feedback = None;
    let mut answers = Answers::new();
    for (n, (name, value)) in form_urlencoded::parse(body).enumerate() {
        if n == MAX_FIELDS {
            return Err(FormError::TooManyFields);
        }
        if let Some(question) = name.strip_prefix(QUESTION) {
            if question.is_empty() {
                return Err(FormError::NoQuestion);
            }
            answers.entry(question.to_owned()).or_default().push(value.into_owned());
            continue;
        }
        let slot = match name.as_ref() {
            "action" => &mut action,
            "feedback" => &mut feedback,
            _ => return Err(FormError::UnknownField(name.into_owned())),
        };
        if slot.replace(value.into_owned()).is_some() {
            return Err(FormError::Repeated(name.into_owned()));
        }
    }
    let action = match action.as_deref() {
        None => return Err(FormError::MissingAction),
        Some("complete") => Action::Complete,
        Some("answer") => Action::Answer,
        Some(other) => return Err(FormError::UnknownAction(other.to_owned())),
    };
    let feedback = feedback.map(|text| text.replace("\r\n", "\n").trim().to_owned()).filter(|text| !text.is_empty());
    if let Some(length) = feedback.as_deref().map(|text| text.chars().count()).filter(|n| *n > FEEDBACK_MAX) {
        return Err(FormError::FeedbackTooLong(length));
    }
    Ok(Submission { action, answers, feedback })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_quiz_form_reads_into_answers_per_question() {
        let read = read(b"q.q1=b&q.q2=x&q.q2=z&action=answer").unwrap();
        assert_eq!(read.action, Action::Answer);
        assert_eq!(read.answers["q1"], ["b"]);
        assert_eq!(read.answers["q2"], ["x", "z"]);
        assert_eq!(read.feedback, None);
    }

    #[test]
    fn a_reflection_is_decoded_trimmed_and_given_plain_line_breaks() {
        let read = read(b"feedback=++Caf%C3%A9+first%0D%0Athen+%3Cb%3Etea%3C%2Fb%3E%0D%0A+&action=answer").unwrap();
        assert_eq!(read.feedback.as_deref(), Some("Café first\nthen <b>tea</b>"));
        assert_eq!(super::read(b"feedback=+%0D%0A+&action=answer").unwrap().feedback, None, "blank is none");
    }

    #[test]
    fn a_reflection_may_be_as_long_as_the_limit_in_characters() {
        let at_limit = format!("action=answer&feedback={}", "%C5%BE".repeat(FEEDBACK_MAX));
        assert_eq!(read(at_limit.as_bytes()).unwrap().feedback.map(|f| f.chars().count()), Some(FEEDBACK_MAX));
        let over = format!("action=answer&feedback=%20{}%20", "a".repeat(FEEDBACK_MAX + 1));
        assert_eq!(read(over.as_bytes()), Err(FormError::FeedbackTooLong(FEEDBACK_MAX + 1)));
    }

    #[test]
    fn mark_as_done_is_an_action_alone() {
        assert_eq!(
            read(b"action=complete"),
            Ok(Submission { action: Action::Complete, answers: Answers::new(), feedback: None })
        );
    }

    #[test]
    fn what_the_page_could_not_have_sent_is_refused_by_name() {
        assert_eq!(read(b""), Err(FormError::MissingAction));
        assert_eq!(read(b"q.q1=a"), Err(FormError::MissingAction));
        assert_eq!(read(b"action=delete"), Err(FormError::UnknownAction("delete".into())));
        assert_eq!(read(b"action=answer&score=100"), Err(FormError::UnknownField("score".into())));
        assert_eq!(read(b"action=answer&action=complete"), Err(FormError::Repeated("action".into())));
        assert_eq!(read(b"action=answer&feedback=a&feedback=b"), Err(FormError::Repeated("feedback".into())));
        assert_eq!(read(b"action=answer&q.=a"), Err(FormError::NoQuestion));
        let flood = "q.q=a&".repeat(MAX_FIELDS) + "action=answer";
        assert_eq!(read(flood.as_bytes()), Err(FormError::TooManyFields));
    }
}
