//! Journeys and programs (seed 003): a behaviour-change programme a tenant designs once and that then runs
//! by itself for thousands of workers.
//!
//! Where things live, and the layering (`http` → services → `repo` → the store; errors become problems
//! only in `http::error`):
//! - [`model`]: journeys (draft and published versions: phases of touchpoints), programs, enrolments and
//!   progress as stored and served; [`keys`]: their key layout, pinned by a test;
//! - [`rules`]: a touchpoint's `ruleLogic` (delay, send time, gate, wait-for, branch) and a journey's exit
//!   rules: read with every bad field named by JSON pointer, and the pure due-time arithmetic;
//! - [`input`]: reading requests (edge) into domain types;
//! - [`journeys`] (drafts, publishing), [`programs`] (status, journeys in order, live segments),
//!   [`enrolments`] (one worker's: pause, resume, withdraw, and what an answer records): the services;
//! - [`engine`]: the journeys queue's job: the due markers' tick, each enrolment's step (sends through the
//!   notifications path), enrolment jobs and live segments;
//! - [`page`]: the worker's side: the quiz's scoring, the form, the page's words and its HTML;
//! - [`replies`]: workers' WhatsApp replies to a touchpoint's message (a button completes it);
//! - [`insight`]: the progress figures; [`http`]: the routes with their OpenAPI.

pub mod engine;
pub mod enrolments;
pub mod error;
pub mod http;
pub mod input;
pub mod insight;
pub mod journeys;
pub mod keys;
pub mod model;
pub mod page;
pub mod programs;
pub mod replies;
pub mod repo;
pub mod rules;

pub use engine::{Engine, JourneyJob, Message};
pub use error::JourneyError;
