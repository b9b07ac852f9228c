//! The end-to-end suite: one binary, so one link and one local cloud (emulator, every function, every
//! queue consumed) for every domain's tests. Helpers shared by the domains live in the `e2e` library.

mod audit;
mod channels;
mod community;
mod content;
mod contract;
mod digest;
mod docs;
mod events;
mod experiments;
mod gamification;
mod identity;
mod inbox;
mod integrations;
mod journeys;
mod learning;
mod media;
mod module_builds;
mod notifications;
mod organizations;
mod platform;
mod policy;
mod programs;
mod provider_events;
mod rewards;
mod segments;
mod whatsapp;
mod worker_exports;
mod worker_imports;
mod workers;
