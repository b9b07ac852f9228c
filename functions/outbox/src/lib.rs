//! The outbox function's composition root: the sweep that sends the messages writers committed to the
//! outbox but did not get to send (see `nudge_core::outbox`).

use nudge_core::config::{ConfigError, Env};
use nudge_core::outbox::Sweeper;

pub fn compose(env: &Env) -> Result<Sweeper, ConfigError> {
    Sweeper::new(env)
}
