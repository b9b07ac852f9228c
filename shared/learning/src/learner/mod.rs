//! The learner's side: sections completed once, quizzes whose attempts the server holds (started, saved,
//! submitted, finalised at their deadline), module completion, and the certificate it issues exactly once.
//!
//! Every change of a learner's standing in a module is one transaction conditioned on the versions it
//! read (the progress item, the attempts item, the attempt), retried from a fresh read when a concurrent
//! writer moved one: so two completions racing issue one certificate, and two starts racing cannot pass
//! `maxAttempts`.

pub mod model;
pub mod repo;
mod service;

pub use service::{AttemptOutcome, LearnerError, Learning};
