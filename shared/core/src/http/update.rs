//! The frame every PATCH shares: read the resource, check `If-Match`, apply the JSON Merge Patch to the
//! writable document as read, let the domain validate and write with the version read, and read again when
//! another writer got there first. A client that pinned a version with If-Match gets 412 instead of a
//! retry. The domain's step is the only part that differs between resources.

use super::conditional::IfMatch;
use super::merge_patch;
use super::problem::{ApiError, ApiResult};
use crate::store::{StoreError, optimistic};
use serde_json::Value;
use std::future::Future;

/// A resource a PATCH edits: its version, and the document a patch is applied to (its writable fields as
/// a client reads them).
pub trait Patchable {
    fn version(&self) -> u64;
    fn document(&self) -> ApiResult<Value>;
}

/// The usual document: the resource's writable fields, serialized as a client reads them.
pub fn document_of(fields: &impl serde::Serialize) -> ApiResult<Value> {
    serde_json::to_value(fields).map_err(ApiError::internal)
}

/// What one attempt's step did.
pub enum Step<T> {
    /// Nothing changed, or the write landed: the answer.
    Done(T),
    /// The version moved under the write: read again (or 412 when the client pinned it).
    Moved,
}

impl<T> Step<T> {
    /// The step's end from its conditional write: done with `value`, moved on a version conflict, and any
    /// other store error as `map` says (a taken name is a 409 of the domain's wording).
    pub fn written(
        result: Result<(), StoreError>,
        value: T,
        map: impl FnOnce(StoreError) -> ApiError,
    ) -> ApiResult<Step<T>> {
        match result {
            Ok(()) => Ok(Step::Done(value)),
            Err(e) if e.is_version_conflict() => Ok(Step::Moved),
            Err(e) => Err(map(e)),
        }
    }
}

/// Runs a PATCH: `load` reads the current resource (404 when absent), the patch is merged into its
/// document, and `step` gets the current resource and the merged document.
pub async fn patch<R, T, L, LF, S, SF>(if_match: IfMatch, patch: &Value, mut load: L, mut step: S) -> ApiResult<T>
where
    R: Patchable,
    L: FnMut() -> LF,
    LF: Future<Output = ApiResult<R>>,
    S: FnMut(R, Value) -> SF,
    SF: Future<Output = ApiResult<Step<T>>>,
{
    for attempt in 0..optimistic::ATTEMPTS {
        let current = load().await?;
        if_match.check(current.version())?;
        let mut doc = current.document()?;
        merge_patch::apply(&mut doc, patch)?;
        match step(current, doc).await? {
            Step::Done(value) => return Ok(value),
            Step::Moved if if_match.0.is_some() => return Err(ApiError::PreconditionFailed),
            Step::Moved => tokio::time::sleep(optimistic::backoff(attempt)).await,
        }
    }
    Err(StoreError::Contended.into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::sync::atomic::{AtomicU32, Ordering};

    #[derive(Clone, Debug, PartialEq)]
    struct Doc {
        version: u64,
        name: String,
    }

    impl Patchable for Doc {
        fn version(&self) -> u64 {
            self.version
        }
        fn document(&self) -> ApiResult<Value> {
            Ok(json!({"name": self.name}))
        }
    }

    fn conflict() -> Result<(), StoreError> {
        Err(StoreError::Condition("version"))
    }

    #[tokio::test]
    async fn a_moved_version_is_read_again_unless_pinned() {
        let reads = AtomicU32::new(0);
        let load = || async {
            let n = reads.fetch_add(1, Ordering::Relaxed);
            Ok(Doc { version: u64::from(n) + 1, name: "a".into() })
        };
        // The first write loses the race; the second lands on the version read again.
        let writes = AtomicU32::new(0);
        let out = patch(IfMatch(None), &json!({"name": "b"}), load, |current, doc| {
            let lost = writes.fetch_add(1, Ordering::Relaxed) == 0;
            async move {
                let next = Doc { version: current.version + 1, name: doc["name"].as_str().unwrap().into() };
                Step::written(if lost { conflict() } else { Ok(()) }, next, ApiError::internal)
            }
        })
        .await
        .unwrap();
        assert_eq!(out, Doc { version: 3, name: "b".into() });
        // Pinned to the version read: the lost race is a 412, not a retry.
        let pinned = patch(
            IfMatch(Some(1)),
            &json!({}),
            || async { Ok(Doc { version: 1, name: "a".into() }) },
            |current, _| async move { Step::written(conflict(), current, ApiError::internal) },
        )
        .await;
        assert!(matches!(pinned, Err(ApiError::PreconditionFailed)));
    }

    #[tokio::test]
    async fn stale_tags_and_bare_values_write_nothing() {
        let never = |_: Doc, _: Value| async { Err::<Step<()>, _>(ApiError::internal("must not run")) };
        let load = || async { Ok(Doc { version: 2, name: "a".into() }) };
        assert!(matches!(patch(IfMatch(Some(1)), &json!({}), load, never).await, Err(ApiError::PreconditionFailed)));
        assert!(matches!(patch(IfMatch(None), &json!([1]), load, never).await, Err(ApiError::Invalid(_))));
    }
}
