//! Workers: the model (seed 000 and 003 merged), input rules, storage with list indexes, the supervisor
//! hierarchy, and bulk import and export. Shared by the workers function, the import consumer and the
//! segment functions, which all read and write the same items.

pub mod cell;
pub mod export;
pub mod filters;
pub mod hierarchy;
pub mod import;
pub mod index;
pub mod input;
pub mod model;
pub mod phone;
pub mod repo;
pub mod service;
pub mod tombstone;

pub use model::{Worker, WorkerFields, WorkerView};
