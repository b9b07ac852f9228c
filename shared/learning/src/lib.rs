//! Learning (seed 002): modules of ordered sections, quizzes whose attempts the server enforces,
//! certificates anyone can verify, groups with deadlines, and recertification.
//!
//! Work in progress: authoring is served; quizzes and certificates are their pure parts so far.
//!
//! - [`model`] and [`keys`]: modules, sections, categories, tags and changelogs as stored;
//! - [`input`] and [`authoring`]: requests read and applied (modules, sections, categories, tags); [`repo`]
//!   the table; [`http`] the routes;
//! - [`html`]: section HTML, sanitised on write to an allow-list;
//! - [`prerequisites`]: the prerequisite graph, never a cycle;
//! - [`order`]: dense, stable section order;
//! - [`deadline`]: a member's due date for a group's module;
//! - [`quiz`]: questions, an attempt's layout, its scoring and its deadline;
//! - [`certificate`]: codes, expiry, status, the reminder ladder and the public verification page;
//! - [`builder`]: the AI module builder, a document of the media library made a draft module on the queue.

pub mod authoring;
pub mod builder;
pub mod certificate;
pub mod deadline;
pub mod groups;
pub mod html;
pub mod http;
pub(crate) mod input;
pub mod insight;
pub mod keys;
pub mod learner;
pub mod live;
pub mod model;
pub mod order;
pub mod pins;
pub mod prerequisites;
pub mod quiz;
pub mod repo;
pub mod schedule;
