//! Workers, the domain: the model (seed 000 and 003 merged), input rules, storage with list indexes, the
//! supervisor hierarchy, bulk import and export, the HTTP routes of the `workers` function ([`http`]) and
//! the consumers of the `worker-import` and `worker-export` functions ([`consumer`]). Other domains hear of
//! changed workers through [`events::WorkersChanged`]; see README.md beside this crate for the layout.

pub mod cell;
pub mod consumer;
pub mod events;
pub mod export;
pub mod filters;
pub mod hierarchy;
pub mod http;
pub mod import;
pub mod index;
pub mod input;
pub mod model;
pub mod phone;
pub mod repo;
pub mod service;
pub mod tombstone;

pub use events::{WorkerEvents, WorkersChanged};
pub use model::{Worker, WorkerFields, WorkerView};
