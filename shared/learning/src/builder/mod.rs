//! The AI module builder (seed 002 AiModuleBuild): a document of the media library (PDF or DOCX) turned
//! into a draft module, its text split into sections by its headings, with an optional language-model
//! step that may shape the outline (the feature works without it).
//!
//! `POST /module-builds` checks the document and writes the build with its learning-queue message (the
//! outbox); the learning-schedule consumer runs it ([`job`]) and the author edits and publishes the draft
//! as any module.
//!
//! Layering (`http::builds` → [`service`] → the store; the queue → [`job`] → [`extract`], [`model`],
//! [`structure`] → the store and the bucket):
//! - [`model`]: the build as stored and served, the outline and the draft sections it makes (pure);
//! - [`extract`]: a document's text as blocks, bounded against large files and ZIP bombs (pure);
//! - [`structure`]: the language-model port, with no step and a deterministic fake;
//! - [`service`]: the request's rules (a ready PDF or DOCX asset of the organization);
//! - [`job`]: the build on the queue, idempotent under redelivery.
//!
//! Keys (in [`crate::keys`]): a build is `T#<t>#MODULE-BUILDS` / `<buildId>`; its draft module is an
//! ordinary module whose id is a UUIDv5 of the build's.

pub mod extract;
pub(crate) mod job;
pub mod model;
pub(crate) mod service;
pub mod structure;

pub use model::{ModuleBuild, ModuleBuildSource, ModuleBuildStatus};
pub use service::Builds;
pub use structure::{FakeStructurer, NoStructurer, StructureError, Structured, Structurer};
