//! Certificates (seed 002): what a learner gets for completing a module, which anyone can check by its
//! code. This module is the pure part; the store, the handlers and the notifications use it:
//!
//! - [`code`]: the unique code printed on a certificate, generated and read back as people type it;
//! - [`validity`]: when a certificate expires (its module's `validityMonths`) and its status;
//! - [`reminders`]: the MODULE_EXPIRING ladder (90, 60, 30, 7 days) and MODULE_EXPIRED;
//! - [`page`]: the public verification, as JSON and as a small HTML page.

pub mod code;
pub mod page;
pub mod reminders;
pub mod validity;

pub use code::{Code, CodeError, new_code};
pub use page::{PAGE_CSP, Verification, not_found_page, page};
pub use reminders::{LADDER_DAYS, Reminder, due_reminder, next_check};
pub use validity::{CertificateStatus, expires_at, status};
