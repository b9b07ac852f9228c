//! The worker list indexes, as items of the table rather than GSIs: each filterable value of a worker is
//! an index entry in the partition of that value (`WORKERS#BY#<field>#<value>`), sorted by name. A filter is
//! then one Query on its partition, strongly consistent, and the other filters narrow it through copies of
//! the worker's filterable attributes on every entry. Pure: which entries a worker has, and how a filter
//! is served.

use super::model::{WorkerFields, wire};
use uuid::Uuid;

/// Worker records are spread over this many partitions per tenant, by id, so an import's writes and a
/// full read (export, segment sync) are not bound to one partition.
pub const SHARDS: u32 = 16;

pub fn shard(id: Uuid) -> u32 {
    // The last hex digit of a UUIDv7 is random.
    (id.as_u128() & 0xf) as u32
}

/// One index entry: the worker appears in partition `field`/`value`, sorted by `sort` then id.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Entry {
    pub field: &'static str,
    pub value: String,
    pub sort: String,
}

/// The attributes every entry carries, so one index can be narrowed by the others.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Copies {
    pub worker_id: String,
    pub department: Option<String>,
    pub team: Option<String>,
    pub employment_status: String,
    pub is_active: String,
    pub whatsapp_opt_in_status: Option<String>,
    pub supervisor_id: Option<String>,
    pub user_id: Option<String>,
    pub tags: Vec<String>,
}

/// Index values are matched without regard to case or surrounding space.
pub fn fold(value: &str) -> String {
    value.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

/// The name order: last name, then first name, folded and bounded (a key has at most 1 KiB of sort key).
fn sort_name(last: &str, first: &str) -> String {
    let mut s = format!("{} {}", fold(last), fold(first));
    s.truncate(s.char_indices().nth(200).map(|(i, _)| i).unwrap_or(s.len()));
    s
}

pub(crate) fn copies(id: Uuid, f: &WorkerFields) -> Copies {
    Copies {
        worker_id: id.to_string(),
        department: f.employment.department.as_deref().map(fold),
        team: f.employment.team.as_deref().map(fold),
        employment_status: wire(f.employment.employment_status),
        is_active: f.is_active.to_string(),
        whatsapp_opt_in_status: f.contact.as_ref().map(|c| wire(c.whatsapp_opt_in_status)),
        supervisor_id: f.supervisor_id.map(|s| s.to_string()),
        user_id: f.user_id.map(|u| u.to_string()),
        tags: f.tags.iter().map(|t| fold(t)).collect(),
    }
}

/// Whether a `name` index entry sorted by `sort` is the first of the worker's entries matching `prefix`
/// (folded). A worker whose first and last names both start with the prefix has two matching entries; a
/// reader that must see each worker once (an export) keeps only this one.
pub(crate) fn first_name_match(f: &WorkerFields, prefix: &str, sort: &str) -> bool {
    let sorts = [sort_name(&f.first_name, &f.last_name), sort_name(&f.last_name, &f.first_name)];
    sorts.iter().filter(|s| s.starts_with(prefix)).min().is_some_and(|first| first == sort)
}

/// Every entry of a worker, without duplicates.
pub(crate) fn entries(f: &WorkerFields) -> Vec<Entry> {
    let by_name = sort_name(&f.last_name, &f.first_name);
    let entry = |field: &'static str, value: String| Entry { field, value, sort: by_name.clone() };
    let mut out = vec![
        entry("all", String::new()),
        // Name search matches the start of the first or of the last name: one entry sorted by each.
        Entry { field: "name", value: String::new(), sort: sort_name(&f.first_name, &f.last_name) },
        Entry { field: "name", value: String::new(), sort: by_name.clone() },
        entry("employmentStatus", wire(f.employment.employment_status)),
        entry("isActive", f.is_active.to_string()),
    ];
    if let Some(s) = f.supervisor_id {
        out.push(entry("supervisorId", s.to_string()));
    }
    if let Some(u) = f.user_id {
        out.push(entry("userId", u.to_string()));
    }
    if let Some(d) = &f.employment.department {
        out.push(entry("department", fold(d)));
    }
    if let Some(t) = &f.employment.team {
        out.push(entry("team", fold(t)));
    }
    if let Some(c) = &f.contact {
        out.push(entry("whatsappOptInStatus", wire(c.whatsapp_opt_in_status)));
    }
    out.extend(f.tags.iter().map(|t| entry("tag", fold(t))));
    out.sort();
    out.dedup();
    out
}

/// What `GET /workers` may filter by (and an export, which keeps it on its job).
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Filter {
    /// Start of the first or last name (any case).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Has this tag (any case).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tag: Option<String>,
    /// Reports directly to this worker.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supervisor_id: Option<Uuid>,
    /// Linked to this user account (at most one worker is).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub team: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department: Option<String>,
    /// opted_in, opted_out, pending or failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub whatsapp_opt_in_status: Option<String>,
    /// active, inactive, on_leave or terminated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub employment_status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_active: Option<bool>,
}

impl Filter {
    pub(crate) fn is_empty(&self) -> bool {
        self == &Filter::default()
    }
}

/// How a filter is served: one index partition (and a sort-key prefix for a name), narrowed by equality
/// on the copies and by tag membership.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Plan {
    pub field: &'static str,
    pub value: String,
    pub sort_prefix: Option<String>,
    pub equal: Vec<(&'static str, String)>,
    pub tag: Option<String>,
}

/// The most selective filter picks the partition: a name prefix (its prefix is no equality the copies could
/// narrow by), then a user (one worker at most), a tag, a supervisor, a team, a department, an opt-in
/// status, an employment status, the active flag; no filter lists everyone by name.
pub(crate) fn plan(filter: &Filter) -> Plan {
    let mut equal: Vec<(&'static str, String)> = Vec::new();
    let mut tag = filter.tag.as_deref().map(fold);
    let mut user = filter.user_id.map(|u| u.to_string());
    let mut primary: Option<(&'static str, String, Option<String>)> =
        filter.name.as_deref().map(|n| ("name", String::new(), Some(fold(n))));
    if primary.is_none() {
        primary = user.take().map(|u| ("userId", u, None));
    }
    if primary.is_none() {
        primary = tag.take().map(|t| ("tag", t, None));
    }
    let scalars: [(&'static str, Option<String>); 7] = [
        ("userId", user),
        ("supervisorId", filter.supervisor_id.map(|s| s.to_string())),
        ("team", filter.team.as_deref().map(fold)),
        ("department", filter.department.as_deref().map(fold)),
        ("whatsappOptInStatus", filter.whatsapp_opt_in_status.clone()),
        ("employmentStatus", filter.employment_status.clone()),
        ("isActive", filter.is_active.map(|a| a.to_string())),
    ];
    for (field, value) in scalars {
        let Some(value) = value else { continue };
        if primary.is_none() {
            primary = Some((field, value, None));
        } else {
            equal.push((field, value));
        }
    }
    let (field, value, sort_prefix) = primary.unwrap_or(("all", String::new(), None));
    Plan { field, value, sort_prefix, equal, tag }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Contact, EmploymentStatus, OptInStatus};

    fn worker() -> WorkerFields {
        let mut f =
            WorkerFields { first_name: "Ana".into(), last_name: "Silva".into(), is_active: true, ..Default::default() };
        f.tags = vec!["Night Shift".into(), "night  shift".into(), "Forklift".into()];
        f.employment.department = Some(" Warehouse ".into());
        f.employment.employment_status = EmploymentStatus::OnLeave;
        f.contact = Some(Contact {
            location_city: None,
            location_state_province: None,
            location_country: None,
            primary_phone_number: nudge_core::values::Parse::parse("+14155552671").unwrap(),
            whatsapp_opt_in_status: OptInStatus::OptedIn,
            preferred_language: nudge_core::values::Parse::parse("en").unwrap(),
            time_zone: None,
            communication_consent: true,
            email_address: None,
        });
        f
    }

    #[test]
    fn a_worker_is_in_one_entry_per_filterable_value() {
        let got: Vec<(&str, String, String)> =
            entries(&worker()).into_iter().map(|e| (e.field, e.value, e.sort)).collect();
        let s = "silva ana".to_owned();
        let want = vec![
            ("all", String::new(), s.clone()),
            ("department", "warehouse".into(), s.clone()),
            ("employmentStatus", "on_leave".into(), s.clone()),
            ("isActive", "true".into(), s.clone()),
            ("name", String::new(), "ana silva".into()),
            ("name", String::new(), s.clone()),
            ("tag", "forklift".into(), s.clone()),
            ("tag", "night shift".into(), s.clone()),
            ("whatsappOptInStatus", "opted_in".into(), s.clone()),
        ];
        assert_eq!(got, want);
    }

    #[test]
    fn the_most_selective_filter_picks_the_partition() {
        assert_eq!(
            plan(&Filter::default()),
            Plan { field: "all", value: String::new(), sort_prefix: None, equal: vec![], tag: None }
        );
        let f = Filter { name: Some("An".into()), tag: Some("X".into()), is_active: Some(true), ..Default::default() };
        assert_eq!(
            plan(&f),
            Plan {
                field: "name",
                value: String::new(),
                sort_prefix: Some("an".into()),
                equal: vec![("isActive", "true".into())],
                tag: Some("x".into())
            }
        );
        let f = Filter { department: Some("Ops".into()), team: Some("A".into()), ..Default::default() };
        assert_eq!(
            plan(&f),
            Plan {
                field: "team",
                value: "a".into(),
                sort_prefix: None,
                equal: vec![("department", "ops".into())],
                tag: None
            }
        );
    }

    #[test]
    fn a_linked_user_is_an_entry_and_the_partition_unless_a_name_is_searched() {
        let user = Uuid::from_u128(0xabc);
        let f = WorkerFields { user_id: Some(user), ..worker() };
        assert!(entries(&f).contains(&Entry { field: "userId", value: user.to_string(), sort: "silva ana".into() }));
        assert_eq!(copies(Uuid::from_u128(1), &f).user_id, Some(user.to_string()));
        let by_user = Filter { user_id: Some(user), tag: Some("X".into()), ..Default::default() };
        assert_eq!(
            plan(&by_user),
            Plan { field: "userId", value: user.to_string(), sort_prefix: None, equal: vec![], tag: Some("x".into()) }
        );
        let named = Filter { name: Some("An".into()), ..by_user };
        assert_eq!(plan(&named).equal, vec![("userId", user.to_string())]);
    }

    #[test]
    fn a_worker_matching_a_name_twice_is_kept_once() {
        let f = WorkerFields { first_name: "Anna".into(), last_name: "Andrews".into(), ..Default::default() };
        let kept: Vec<bool> =
            ["andrews anna", "anna andrews"].iter().map(|sort| first_name_match(&f, "an", sort)).collect();
        assert_eq!(kept, [true, false]);
        assert!(first_name_match(&f, "ann", "anna andrews"));
        assert!(!first_name_match(&f, "x", "anna andrews"));
    }

    #[test]
    fn shards_cover_the_range() {
        assert!((0..1000).map(|_| shard(Uuid::now_v7())).all(|s| s < SHARDS));
        assert_eq!(shard(Uuid::from_u128(0x1f)), 0xf);
    }
}
