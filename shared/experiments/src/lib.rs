//! Experiments (seed 003 EXPERIMENT, EXPERIMENT_VARIANT, EXPERIMENT_ASSIGNMENT): A/B and multivariate
//! tests of content and journeys.
//!
//! - [`model`] and [`keys`]: experiments, variants and assignments as stored; [`settings`]: the tenant's
//!   holdout;
//! - [`manage`]: designing, starting and re-randomising; [`service`]: assignments, exposures and outcomes
//!   as other domains (journeys) and the API record them; [`http`]: the routes;
//! - [`assign`]: who takes part, and in which variant; [`results`]: the figures against the control;
//! - [`hash`]: deterministic, sticky bucketing compatible with GrowthBook's hashing (FNV-1a 32, v1 and v2);
//! - [`stats`]: what the results report: sample-ratio mismatch, the two-proportion z-test, Welch's t, the
//!   Bayesian chance to beat control and an always-valid p-value.

pub mod assign;
pub mod hash;
pub mod http;
pub(crate) mod input;
pub mod keys;
pub mod manage;
pub mod model;
pub mod repo;
pub mod results;
pub mod service;
pub mod settings;
pub mod stats;
pub mod tracking;
