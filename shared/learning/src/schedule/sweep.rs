//! The tick: the timers due by now, handed over in `Check` messages of [`PER_MESSAGE`] subjects, then
//! removed. A crash between the two hands a timer over twice, which the check absorbs.

use super::{Message, ScheduleError, Scheduler, TIMERS};

/// Subjects per `Check` message.
const PER_MESSAGE: usize = 25;
/// Timers one run of a shard hands over before it continues in a `Sweep` message.
const PER_RUN: usize = 2_000;

/// Every shard once: answers how many timers were handed over.
pub(super) async fn tick(s: &Scheduler) -> Result<usize, ScheduleError> {
    let mut handed = 0;
    for shard in 0..TIMERS.shards() {
        handed += sweep(s, shard).await?;
    }
    Ok(handed)
}

/// One shard: up to [`PER_RUN`] timers, then a `Sweep` to go on if more are due.
pub(super) async fn sweep(s: &Scheduler, shard: u32) -> Result<usize, ScheduleError> {
    let now = s.clock.now();
    let mut handed = 0;
    let mut page = TIMERS.due(&s.store, shard, now, 500, None).await?;
    loop {
        for (tenant, subjects) in &page.subjects {
            let messages: Vec<Message> =
                subjects.chunks(PER_MESSAGE).map(|c| Message::Check { subjects: c.to_vec() }).collect();
            s.queue.send_all_for(&tenant.tenant(), &messages).await?;
        }
        TIMERS.done(&s.store, &page).await?;
        handed += page.len();
        if !page.more() {
            return Ok(handed);
        }
        if handed >= PER_RUN {
            s.queue.send(&Message::Sweep { shard }).await?;
            return Ok(handed);
        }
        page = TIMERS.due(&s.store, shard, now, 500, Some(&page)).await?;
    }
}
