//! Counts DynamoDB round trips per request, for the `DynamoDBCalls` metric. A task-local counter rather
//! than a global one, so concurrent requests on the dev server do not mix their counts.

use std::cell::Cell;
use std::future::Future;

tokio::task_local! {
    static CALLS: Cell<u32>;
}

/// Runs `fut` with a fresh counter and returns its output with the number of calls it made.
pub async fn counted<F: Future>(fut: F) -> (F::Output, u32) {
    CALLS
        .scope(Cell::new(0), async {
            let out = fut.await;
            (out, CALLS.with(Cell::get))
        })
        .await
}

/// Records one round trip (a no-op outside [`counted`]).
pub(crate) fn record() {
    let _ = CALLS.try_with(|c| c.set(c.get() + 1));
}

#[cfg(test)]
mod tests {
    #[tokio::test]
    async fn counts_within_scope_only() {
        super::record();
        let ((), n) = super::counted(async {
            super::record();
            super::record();
        })
        .await;
        assert_eq!(n, 2);
    }
}
