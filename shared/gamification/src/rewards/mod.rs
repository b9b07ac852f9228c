//! Rewards (seed 002 Reward, RewardRedemption): a catalogue bought with spendable XP.
//!
//! Redeeming is one transaction of four parts, or nothing changes:
//! - the spend, a ledger entry on the balance's version (not more than the spendable XP);
//! - one of the stock, `ADD -1` on the reward under `quantityAvailable >= 1` (and the reward still active
//!   at the cost read);
//! - the person's count of this reward in the month (the organization's time zone), `ADD 1` under the
//!   monthly limit;
//! - the redemption, PENDING when the reward needs approval, APPROVED otherwise.
//!
//! So however many race, the stock and the limit hold exactly. Rejecting or cancelling a pending one
//! (on its version: once) refunds the XP as a new entry, gives the stock back and stops it counting in
//! its month, in the same transaction as the decision and its notice.
//!
//! [`model`] is pure; [`service`] applies, knowing no HTTP.

pub mod model;
pub mod service;

pub use model::{Decision, RedemptionStatus, Reward, RewardRedemption};
pub use service::{RewardError, Rewards};
