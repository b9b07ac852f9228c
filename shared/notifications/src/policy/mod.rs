//! A tenant's sending policy: quiet hours and a daily cap in each worker's own time zone, and the
//! WhatsApp number's send rate, kept as one settings document (`/notifications/settings`), and the pure
//! rules that apply it (the delivery step asks them before each send).
//!
//! - [`quiet`]: whether an instant falls in quiet hours in a time zone, and when they end (DST-safe);
//! - [`settings`]: the document, its reading and its storage;
//! - [`choice`]: whether a user hears of a notification type on a channel (their choice for the type,
//!   their preferences, the organization's default);
//! - [`cap`]: the per-worker, per-local-day send counter, `ADD`ed under the cap;
//! - [`pace`]: sends per second on a channel, shared by every concurrent run;
//! - [`routes`]: `GET` and `PUT /notifications/settings`.
//!
//! What each rule does:
//! - a worker's send that falls inside quiet hours is **deferred** (state `deferred`, with the time it
//!   waits for) and released when they end; it is not dropped;
//! - a worker's send beyond the daily cap is **refused** with the reason, counted across every request
//!   (journeys send through here too) in the worker's local day;
//! - a `high` priority send (an operational alert) passes both: it is the tenant's word that it cannot wait;
//! - users (admins, learners) are not subject to either: they chose their own channels in their
//!   preferences.

pub mod cap;
pub mod choice;
pub mod pace;
pub mod quiet;
pub mod routes;
pub mod settings;

pub use choice::{ByType, ChannelChoice, EmailCategories, UserChoices};
pub use quiet::QuietHours;
pub use settings::NotificationSettings;
