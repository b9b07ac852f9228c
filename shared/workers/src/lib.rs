//! Workers, the domain: the worker directory (seed 000 and 003 merged), its supervisor hierarchy, bulk
//! import and export, the HTTP routes of the `workers` function and the consumers of `worker-import` and
//! `worker-export`. Other domains hear of changed workers through [`events::WorkersChanged`].
//!
//! Where things live, layered http → service → repo → store (errors become problems only in `http`):
//! - model: [`model`] (the worker, its five records, the API's view), [`phone`] (the E.164 [`phone::Phone`]),
//!   [`accounts`] (the port to the user accounts a worker may be linked to, which are identity's);
//! - input: [`input`] reads a worker document into typed fields, every bad field by its pointer; `filters`
//!   reads list filters; `cell` guards CSV cells against spreadsheet formulas;
//! - service: [`service`] (create, update by merge patch, delete: the rules every writer applies), with
//!   `hierarchy` (supervisor chains without cycles);
//! - keys and storage: [`repo`] (the key table at its top, the worker's items, uniqueness guards, and the
//!   only place their write conditions are read back), [`index`] (list indexes as items), [`marker`] (every
//!   write marks the worker changed until listeners re-evaluated it);
//! - bulk jobs: [`import`] and [`export`] (job records, rows, runners with checkpoints), each a
//!   `nudge_core::jobs::Job` that `functions/worker-import` composes into its consumers;
//! - http: [`http`] (routes, request bodies as documented, and `http::error`, the `From<WorkerError> for
//!   ApiError` that decides every status and problem);
//! - errors: [`error`] ([`WorkerError`], and what fails an import's or an export's message).

pub mod accounts;
mod cell;
pub mod error;
pub mod events;
pub mod export;
mod filters;
mod hierarchy;
pub mod http;
pub mod import;
pub mod index;
pub mod input;
pub mod marker;
pub mod model;
pub mod orphans;
pub mod phone;
pub mod repo;
pub mod service;

pub use accounts::{Accounts, Users};
pub use error::WorkerError;
pub use events::{WorkerEvents, WorkersChanged};
pub use model::{Worker, WorkerFields};
pub use repo::worker_of_user;
