//! The worker's side of a journey. Frontline workers have no account: a touchpoint's message carries a
//! signed link (`nudge_core::crypto::link`, which alone turns it into a tenant) to a small page that shows
//! the content and takes their answer. This module is that page's pure part:
//!
//! - [`quiz`]: scoring a quiz on the server, against the published content;
//! - [`form`]: reading the posted form into a [`Submission`], refusing what the page could not have sent;
//! - [`i18n`]: the page's own words in the workers' languages (the content is shown as written);
//! - [`render`]: the HTML (maud, no JavaScript, one inline style) and its `Content-Security-Policy`.

pub mod form;
pub mod i18n;
pub mod quiz;
pub mod render;

pub use form::{Action, FormError, Submission};
pub use i18n::{Lang, Words};
pub use quiz::{Answers, Scored};
pub use render::{PageState, PageView, content_security_policy, message, page};
