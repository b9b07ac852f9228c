//! The audit log: every mutating request of every function is recorded here by the core crate, not by the
//! handlers. The [`record`] middleware (wired by [`crate::app::protected`] and [`crate::app::public`]) writes
//! one entry per POST/PUT/PATCH/DELETE: the handler's [`AuditNote`] when it attached one (whatever the
//! status, so a refused sign-in is on record), else one derived from the route, method and request body for
//! a 2xx answer. Tenant admins read their tenant's log (`audit:read`), platform admins the platform's.
//!
//! An entry's metadata keeps what changed, never a secret (`[redacted]`) nor, since the log is kept for
//! ever, a person's data in clear: emails keep their first character and domain, phone numbers their last
//! digits, names, dates of birth, addresses, national ids and workers' custom fields become `[personal]`.
//!
//! Storage: one item per entry, never expiring (a compliance log is kept, not cached), `entity` =
//! `AuditEntry`. `<time>` is RFC 3339 UTC with milliseconds (`2026-01-02T03:04:05.678Z`, fixed width, so
//! string order is time order) and `<entryId>` a UUIDv7, so a time range is a key condition.
//!
//! | item | pk | sk | gsi1pk / gsi1sk | gsi2pk / gsi2sk |
//! |---|---|---|---|---|
//! | tenant entry | `T#<tid>#AUDIT` | `<time>#<entryId>` | `T#<tid>#AUDIT#ACTOR#<userId>` / sk | `T#<tid>#AUDIT#ENTITY#<entityType>#<entityId>` / sk |
//! | platform entry | `P#AUDIT` | `<time>#<entryId>` | `P#AUDIT#ACTOR#<userId>` / sk | `P#AUDIT#ENTITY#<entityType>#<entityId>` / sk |
//!
//! An entry without an actor (an unknown email's failed sign-in) is not in gsi1; one without an entity id
//! is not in gsi2. `#` and `%` inside an entity type or id are percent-encoded in the index keys, so
//! `a#b`/`c` and `a`/`b#c` cannot share a partition.
//!
//! | access pattern | key condition | index |
//! |---|---|---|
//! | a log by time, newest first | `pk = …#AUDIT`, `sk BETWEEN <from> AND <to>#~` | table |
//! | by actor | `gsi1pk = …#AUDIT#ACTOR#<userId>`, same range on gsi1sk | gsi1 |
//! | by entity | `gsi2pk = …#AUDIT#ENTITY#<type>#<id>`, same range on gsi2sk | gsi2 |
//! | by entity and actor | the entity query, filtered on `actorId` | gsi2 |
//! | by entity type (any id) | the actor query if an actor is given, else the log's; filtered on `entityType` | table / gsi1 |

mod derive;
mod log;
mod middleware;
mod note;

pub use derive::{PERSONAL, REDACTED};
pub use log::{EntityFilter, Entry, Filter, Log, page};
pub use middleware::record;
pub use note::AuditNote;
