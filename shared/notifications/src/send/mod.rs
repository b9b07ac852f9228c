//! Sending to workers and users: `POST /notifications` accepts a request (its recipients, a template or
//! text, a channel), the fan-out turns its recipients into deliveries a page at a time through the queue,
//! and the delivery step checks consent, renders and sends each on its channel, recording every outcome.
//!
//! - [`model`]: requests, deliveries, counts (and the key layout);
//! - [`input`]: reading a request (edge); [`routes`]: the HTTP edge, the only place errors become problems;
//! - [`service`]: accepting, reading, cancelling; [`repo`]: the table;
//! - [`direct`]: one message to one worker inside another domain's transaction (a journey's step);
//! - [`fanout`], [`deliver`]: the two background steps; [`recipients`]: reach, consent and variables (pure);
//! - [`window`]: WhatsApp's 24-hour window, opened by the worker's own messages;
//! - [`status`]: providers' status callbacks applied to deliveries, only ever forward;
//! - [`replies`]: workers' replies to our messages, handed to the domain that sent them.

pub mod deliver;
pub mod direct;
pub mod fanout;
pub(crate) mod input;
pub mod model;
pub mod recipients;
pub mod replies;
pub(crate) mod repo;
pub(crate) mod routes;
pub mod service;
pub mod status;
pub mod window;

pub use deliver::Senders;
pub use input::SendInput;
pub use model::{Recipients, RequestStatus};
pub use recipients::{Digest, UserDirectory, UserRecipient};
