//! SMS segment counting lives in the core (`nudge_core::values::sms`): the SMS channel counts a send the
//! same way the library counts a template.

pub(crate) use nudge_core::values::sms::{Segments, count};
