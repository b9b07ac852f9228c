//! What a learner does, applied: see the module doc.

use super::model::{Attempts, Certificate, CodeOwner, ModuleProgress, ProgressOverride, SelfAssessment};
use super::repo;
use crate::certificate::{self, new_code};
use crate::model::{Module, ModuleStatus};
use crate::quiz::{self, Answers, Attempt, AttemptError, AttemptState, Quiz};
use chrono::{DateTime, Utc};
use nudge_core::http::FieldError;
use nudge_core::outbox::{Posted, deliver_all};
use nudge_core::store::{Store, StoreError, Tx, Write};
use nudge_core::{TenantId, TenantRef};
use nudge_gamification::{Award, Ledger, LedgerError, Subject, XpSource};
use uuid::Uuid;

/// Fresh reads and writes before a contended change gives up.
const TRIES: usize = 8;
/// The score (percent) of a passed attempt that earns QUIZ_HIGH_SCORE XP, once per quiz.
pub const HIGH_SCORE: f64 = 90.0;

/// Why a learner's request is refused.
#[derive(Debug, thiserror::Error)]
pub enum LearnerError {
    #[error("not found")]
    NotFound,
    #[error("{0}")]
    Conflict(String),
    #[error("the request breaks a rule")]
    Rejected(Vec<FieldError>),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Whether a failed write is worth a fresh read and another try.
fn contended(e: &StoreError) -> bool {
    // An award a racing request gave first: the next read leaves it out.
    e.is_version_conflict()
        || matches!(
            e,
            StoreError::Condition(repo::CODE_TAKEN | nudge_gamification::ledger::ALREADY)
                | StoreError::TransactionConflict
        )
}

fn kept_changing() -> LearnerError {
    LearnerError::Conflict("it kept changing meanwhile; try again".into())
}

/// What a change of a learner's progress asks for beyond writing it.
enum Then {
    /// Nothing changed: write nothing.
    Nothing,
    Write,
    /// Complete the module (and issue its certificate) if everything is done now.
    CompleteIfDone,
    /// Complete it and issue its certificate now (an override).
    Issue,
}

/// A started attempt, and whether it was already open (resumed) rather than new.
pub struct AttemptOutcome {
    pub attempt: Attempt,
    pub resumed: bool,
}

pub struct Learning<'a> {
    pub store: &'a Store,
    /// The notifications queue: a completion's XP notice goes through it.
    pub notifications: &'a nudge_core::queue::Queue,
}

impl Learning<'_> {
    /// A module learners may take: published (an archived or draft one is not theirs to see).
    pub async fn module(&self, tenant: &TenantId, id: Uuid) -> Result<Module, LearnerError> {
        match crate::repo::get_module(self.store, tenant, id).await? {
            Some(m) if m.status == ModuleStatus::Published => Ok(m),
            _ => Err(LearnerError::NotFound),
        }
    }

    async fn quiz(&self, tenant: &TenantId, module: Uuid, id: Uuid) -> Result<Quiz, LearnerError> {
        crate::repo::get_quiz(self.store, tenant, module, id).await?.ok_or(LearnerError::NotFound)
    }

    /// The section and quiz ids a completion needs now.
    async fn requirements(&self, tenant: &TenantId, module: Uuid) -> Result<(Vec<Uuid>, Vec<Uuid>), LearnerError> {
        let sections = crate::repo::sections(self.store, tenant, module).await?.into_iter().map(|s| s.id).collect();
        let quizzes = crate::repo::quizzes(self.store, tenant, module).await?.into_iter().map(|q| q.id).collect();
        Ok((sections, quizzes))
    }

    /// Completes `next` when everything is done, issuing its certificate in `tx` (once: a progress item that
    /// is complete already issued one).
    async fn complete_if_done(
        &self,
        tenant: &TenantId,
        m: &Module,
        next: &mut ModuleProgress,
        tx: &mut Tx,
        earned: &mut Vec<Award>,
        now: DateTime<Utc>,
    ) -> Result<(), LearnerError> {
        let (sections, quizzes) = self.requirements(tenant, m.id).await?;
        if next.completed_at.is_some() || !next.is_complete(&sections, &quizzes) {
            return Ok(());
        }
        self.issue(tenant, m, next, tx, now).await?;
        let Some(certificate) = next.certificate_id else { return Ok(()) };
        let source =
            if next.renews_certificate_id.is_some() { XpSource::ComplianceRenewal } else { XpSource::ModuleCompleted };
        self.award_xp(tenant, next.user_id, source, certificate.to_string(), earned).await
    }

    /// The XP `source` earns `user` (a completion, keyed by its certificate; a high quiz score, keyed by
    /// the quiz), added to `earned` unless it was given before (the tenant's amount; none when 0).
    async fn award_xp(
        &self,
        tenant: &TenantId,
        user: Uuid,
        source: XpSource,
        entity: String,
        earned: &mut Vec<Award>,
    ) -> Result<(), LearnerError> {
        let amount = nudge_gamification::settings::get(self.store, tenant).await?.amount(source);
        let subject = Subject::user(user);
        if amount == 0 || nudge_gamification::ledger::awarded(self.store, tenant, &subject, source, &entity).await? {
            return Ok(());
        }
        earned.push(Award {
            subject,
            source,
            source_entity_id: entity,
            amount: i64::from(amount),
            reason: None,
            by: None,
        });
        Ok(())
    }

    /// The writes of what a change `earned`, into its transaction (one balance write for all of it), and
    /// their notices to deliver once it committed.
    async fn earn(
        &self,
        tenant: &TenantId,
        earned: &[Award],
        tx: &mut Tx,
        now: DateTime<Utc>,
    ) -> Result<Vec<Posted>, LearnerError> {
        if earned.is_empty() {
            return Ok(Vec::new());
        }
        let ledger = Ledger { store: self.store, notifications: self.notifications };
        match ledger.awards_writes(tenant, earned, now).await {
            Ok(awarding) => {
                tx.extend(awarding.tx);
                Ok(awarding.posted)
            }
            Err(LedgerError::Store(e)) => Err(e.into()),
            Err(other) => Err(LearnerError::Conflict(other.to_string())),
        }
    }

    /// Marks `next` completed at `now` and issues its certificate in `tx`.
    async fn issue(
        &self,
        tenant: &TenantId,
        m: &Module,
        next: &mut ModuleProgress,
        tx: &mut Tx,
        now: DateTime<Utc>,
    ) -> Result<(), LearnerError> {
        let code = new_code().map_err(|e| LearnerError::Store(StoreError::Decode(e.to_string())))?;
        let holder = nudge_identity::user::public_name(self.store, next.user_id).await?.unwrap_or_default();
        let c = Certificate {
            id: Uuid::now_v7(),
            user_id: next.user_id,
            module_id: m.id,
            unique_code: code.to_string(),
            holder_name: holder,
            module_title: m.title.clone(),
            module_version: m.published_version,
            issued_at: now,
            expires_at: certificate::expires_at(now, m.validity_months),
            revoked_at: None,
            reminders_sent: Vec::new(),
            version: 1,
        };
        let owner = CodeOwner { tenant: TenantRef::from(tenant), user_id: c.user_id, certificate_id: c.id };
        tx.push(Write::create(repo::put_certificate(tenant, &c)?, "certificate exists"));
        // Its expiry reminders, scheduled with it.
        if let Some(at) = certificate::next_check(c.expires_at, &[], now) {
            tx.push(crate::schedule::Subject::Certificate { user: c.user_id, certificate: c.id }.at(tenant, at)?);
        }
        tx.push(repo::claim_code(code.as_str(), &owner)?);
        next.completed_at = Some(now);
        next.certificate_id = Some(c.id);
        Ok(())
    }

    /// Applies `change` to `user`'s progress in `module` (read afresh, with the module, on every try) and
    /// writes it on the version read, with the completion it asks for, in one transaction. Retried when a
    /// concurrent writer moved what was read.
    async fn change_progress(
        &self,
        tenant: &TenantId,
        user: Uuid,
        module: Uuid,
        now: DateTime<Utc>,
        mut change: impl FnMut(&Module, &mut ModuleProgress) -> Result<Then, LearnerError> + Send,
    ) -> Result<ModuleProgress, LearnerError> {
        for _ in 0..TRIES {
            let m = self.module(tenant, module).await?;
            let read = repo::progress(self.store, tenant, user, module).await?;
            let read_version = read.as_ref().map_or(0, |p| p.version);
            let mut next = read.unwrap_or_else(|| ModuleProgress::new(user, module, now));
            let (mut tx, mut earned) = (Tx::new(), Vec::new());
            match change(&m, &mut next)? {
                Then::Nothing => return Ok(next),
                Then::Write => {}
                Then::CompleteIfDone => self.complete_if_done(tenant, &m, &mut next, &mut tx, &mut earned, now).await?,
                Then::Issue => self.issue(tenant, &m, &mut next, &mut tx, now).await?,
            }
            next.version = read_version + 1;
            tx.push(repo::save_progress(tenant, &next, read_version)?);
            let posted = self.earn(tenant, &earned, &mut tx, now).await?;
            match self.store.transact(tx).await {
                Ok(()) => {
                    deliver_all(self.store, posted).await;
                    return Ok(next);
                }
                Err(e) if contended(&e) => continue,
                Err(e) => return Err(e.into()),
            }
        }
        Err(kept_changing())
    }

    /// Records `section` of module `module` as completed by `user` (once: again changes nothing).
    pub async fn complete_section(
        &self,
        tenant: &TenantId,
        user: Uuid,
        module: Uuid,
        section: Uuid,
        now: DateTime<Utc>,
    ) -> Result<ModuleProgress, LearnerError> {
        if !crate::repo::sections(self.store, tenant, module).await?.iter().any(|s| s.id == section) {
            return Err(LearnerError::NotFound);
        }
        self.change_progress(tenant, user, module, now, |m, next| {
            if next.sections.contains_key(&section) {
                return Ok(Then::Nothing);
            }
            next.sections.insert(section, now);
            next.last_access_at = Some(now);
            next.last_seen_version = next.last_seen_version.max(m.published_version);
            Ok(Then::CompleteIfDone)
        })
        .await
    }

    /// Records `user`'s self-assessment of a module (again: replaces it).
    pub async fn assess(
        &self,
        tenant: &TenantId,
        user: Uuid,
        module: Uuid,
        rating: u8,
        note: Option<String>,
        now: DateTime<Utc>,
    ) -> Result<ModuleProgress, LearnerError> {
        self.change_progress(tenant, user, module, now, |_, next: &mut ModuleProgress| {
            next.self_assessment = Some(SelfAssessment { rating, note: note.clone(), assessed_at: now });
            Ok(Then::Write)
        })
        .await
    }

    /// Records `learner`'s completion of a module on `by`'s authority (ProgressOverride), with the
    /// certificate when `allow_certificate`. A completed module is refused (409): there is nothing to
    /// override.
    #[allow(clippy::too_many_arguments)]
    pub async fn override_progress(
        &self,
        tenant: &TenantId,
        learner: Uuid,
        module: Uuid,
        by: Uuid,
        reason: String,
        allow_certificate: bool,
        now: DateTime<Utc>,
    ) -> Result<ModuleProgress, LearnerError> {
        if nudge_identity::members_among(self.store, tenant, &[learner]).await?.is_empty() {
            return Err(LearnerError::NotFound);
        }
        self.change_progress(tenant, learner, module, now, |_, next| {
            if next.completed_at.is_some() {
                return Err(LearnerError::Conflict("the learner has completed the module already".into()));
            }
            next.progress_override = Some(ProgressOverride {
                override_by: by,
                reason: reason.clone(),
                allow_certificate,
                overridden_at: now,
            });
            if allow_certificate {
                return Ok(Then::Issue);
            }
            next.completed_at = Some(now);
            Ok(Then::Write)
        })
        .await
    }

    /// Acknowledges the module's current version (UserModuleReview).
    pub async fn acknowledge(
        &self,
        tenant: &TenantId,
        user: Uuid,
        module: Uuid,
        now: DateTime<Utc>,
    ) -> Result<ModuleProgress, LearnerError> {
        self.change_progress(tenant, user, module, now, |m, next| {
            if next.last_seen_version >= m.published_version && next.version > 0 {
                return Ok(Then::Nothing);
            }
            next.last_seen_version = m.published_version;
            next.last_access_at = Some(now);
            Ok(Then::Write)
        })
        .await
    }

    /// The writes recording a finished `attempt`'s pass in the learner's progress (and the completion it may
    /// bring), into `tx`; nothing for a failed attempt or a quiz passed before.
    async fn record_pass(
        &self,
        tenant: &TenantId,
        m: &Module,
        attempt: &Attempt,
        tx: &mut Tx,
        earned: &mut Vec<Award>,
        now: DateTime<Utc>,
    ) -> Result<(), LearnerError> {
        if attempt.passed != Some(true) {
            return Ok(());
        }
        if attempt.score.is_some_and(|s| s >= HIGH_SCORE) {
            let quiz = attempt.quiz_id.to_string();
            self.award_xp(tenant, attempt.user_id, XpSource::QuizHighScore, quiz, earned).await?;
        }
        let read = repo::progress(self.store, tenant, attempt.user_id, m.id).await?;
        let read_version = read.as_ref().map_or(0, |p| p.version);
        let mut next = read.unwrap_or_else(|| ModuleProgress::new(attempt.user_id, m.id, now));
        if next.quizzes_passed.contains_key(&attempt.quiz_id) {
            return Ok(());
        }
        next.quizzes_passed.insert(attempt.quiz_id, attempt.submitted_at.unwrap_or(now));
        next.last_access_at = Some(now);
        next.version = read_version + 1;
        self.complete_if_done(tenant, m, &mut next, tx, earned, now).await?;
        tx.push(repo::save_progress(tenant, &next, read_version)?);
        Ok(())
    }

    /// Starts an attempt at `quiz`, or answers the one still open and in time. An open attempt past its
    /// deadline is finalised first (scored from what was saved). A start beyond `maxAttempts` is refused.
    pub async fn start(
        &self,
        tenant: &TenantId,
        user: Uuid,
        module: Uuid,
        quiz_id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<AttemptOutcome, LearnerError> {
        for _ in 0..TRIES {
            let m = self.module(tenant, module).await?;
            let quiz = self.quiz(tenant, module, quiz_id).await?;
            let counter = repo::attempts(self.store, tenant, user, quiz_id).await?;
            let (mut tx, mut earned) = (Tx::new(), Vec::new());
            if let Some(n) = counter.open
                && let Some(open) = repo::attempt(self.store, tenant, user, quiz_id, n).await?
                && open.state == AttemptState::InProgress
            {
                match quiz::expire(&quiz, &open, now) {
                    None => return Ok(AttemptOutcome { attempt: open, resumed: true }),
                    Some(done) => {
                        tx.push(Write::replace(repo::put_attempt(tenant, &done)?, open.version));
                        self.record_pass(tenant, &m, &done, &mut tx, &mut earned, now).await?;
                    }
                }
            }
            let seed = seed()?;
            let attempt = quiz::start(&quiz, Uuid::now_v7(), user, counter.used + 1, counter.in_round(), now, seed)
                .map_err(|e| LearnerError::Conflict(e.to_string()))?;
            let next = Attempts {
                used: counter.used + 1,
                open: Some(attempt.number),
                version: counter.version + 1,
                ..counter.clone()
            };
            tx.push(repo::save_attempts(tenant, user, quiz_id, &next, counter.version)?);
            tx.push(Write::create(repo::put_attempt(tenant, &attempt)?, "attempt exists"));
            let posted = self.earn(tenant, &earned, &mut tx, now).await?;
            match self.store.transact(tx).await {
                Ok(()) => {
                    deliver_all(self.store, posted).await;
                    return Ok(AttemptOutcome { attempt, resumed: false });
                }
                Err(e) if contended(&e) || matches!(e, StoreError::Condition("attempt exists")) => continue,
                Err(e) => return Err(e.into()),
            }
        }
        Err(kept_changing())
    }

    /// Attempt `number` as it stands now (one past its deadline is finalised on the way).
    pub async fn attempt(
        &self,
        tenant: &TenantId,
        user: Uuid,
        module: Uuid,
        quiz_id: Uuid,
        number: u32,
        now: DateTime<Utc>,
    ) -> Result<(Quiz, Attempt), LearnerError> {
        for _ in 0..TRIES {
            let m = self.module(tenant, module).await?;
            let quiz = self.quiz(tenant, module, quiz_id).await?;
            let a = repo::attempt(self.store, tenant, user, quiz_id, number).await?.ok_or(LearnerError::NotFound)?;
            let Some(done) = quiz::expire(&quiz, &a, now) else { return Ok((quiz, a)) };
            match self.finish(tenant, &m, &a, &done, now).await {
                Ok(()) => return Ok((quiz, done)),
                Err(LearnerError::Store(e)) if contended(&e) => continue,
                Err(e) => return Err(e),
            }
        }
        Err(kept_changing())
    }

    /// Writes `done` over `read` with everything finishing it moves: the open attempt cleared, a pass
    /// recorded.
    async fn finish(
        &self,
        tenant: &TenantId,
        m: &Module,
        read: &Attempt,
        done: &Attempt,
        now: DateTime<Utc>,
    ) -> Result<(), LearnerError> {
        let mut tx = Tx::new().with(Write::replace(repo::put_attempt(tenant, done)?, read.version));
        let counter = repo::attempts(self.store, tenant, done.user_id, done.quiz_id).await?;
        if counter.open == Some(done.number) {
            let next = Attempts { open: None, version: counter.version + 1, ..counter.clone() };
            tx.push(repo::save_attempts(tenant, done.user_id, done.quiz_id, &next, counter.version)?);
        }
        let mut earned = Vec::new();
        self.record_pass(tenant, m, done, &mut tx, &mut earned, now).await?;
        let posted = self.earn(tenant, &earned, &mut tx, now).await?;
        self.store.transact(tx).await?;
        deliver_all(self.store, posted).await;
        Ok(())
    }

    /// Saves the answers of an open attempt. Past its deadline the attempt is finalised with what was saved
    /// before, and the answers sent now are refused.
    #[allow(clippy::too_many_arguments)]
    pub async fn save(
        &self,
        tenant: &TenantId,
        user: Uuid,
        module: Uuid,
        quiz_id: Uuid,
        number: u32,
        answers: Answers,
        now: DateTime<Utc>,
    ) -> Result<Attempt, LearnerError> {
        for _ in 0..TRIES {
            let (quiz, a) = self.attempt(tenant, user, module, quiz_id, number, now).await?;
            let next = match quiz::save(&quiz, &a, answers.clone(), now) {
                Ok(next) => next,
                Err(e) => return Err(refusal(e)),
            };
            match self.store.write(Write::replace(repo::put_attempt(tenant, &next)?, a.version)).await {
                Ok(()) => return Ok(next),
                Err(e) if contended(&e) => continue,
                Err(e) => return Err(e.into()),
            }
        }
        Err(kept_changing())
    }

    /// Submits an attempt: scored on the server; after its deadline (and any grace) never as on time, but
    /// finalised from what was saved before it.
    #[allow(clippy::too_many_arguments)]
    pub async fn submit(
        &self,
        tenant: &TenantId,
        user: Uuid,
        module: Uuid,
        quiz_id: Uuid,
        number: u32,
        answers: Option<Answers>,
        now: DateTime<Utc>,
    ) -> Result<(Quiz, Attempt), LearnerError> {
        for _ in 0..TRIES {
            let m = self.module(tenant, module).await?;
            let quiz = self.quiz(tenant, module, quiz_id).await?;
            let a = repo::attempt(self.store, tenant, user, quiz_id, number).await?.ok_or(LearnerError::NotFound)?;
            let done = quiz::submit(&quiz, &a, answers.clone(), now).map_err(refusal)?;
            match self.finish(tenant, &m, &a, &done, now).await {
                Ok(()) => return Ok((quiz, done)),
                Err(LearnerError::Store(e)) if contended(&e) => continue,
                Err(e) => return Err(e),
            }
        }
        Err(kept_changing())
    }
}

/// A refused attempt change, in the learner's terms.
fn refusal(e: AttemptError) -> LearnerError {
    match e {
        AttemptError::InvalidAnswers(problems) => {
            LearnerError::Rejected(problems.into_iter().map(|(at, message)| FieldError::body(at, message)).collect())
        }
        other => LearnerError::Conflict(other.to_string()),
    }
}

/// A layout's seed from the OS: each attempt draws its own order.
fn seed() -> Result<u64, LearnerError> {
    let mut buf = [0u8; 8];
    getrandom::getrandom(&mut buf).map_err(|e| LearnerError::Store(StoreError::Decode(e.to_string())))?;
    Ok(u64::from_le_bytes(buf))
}
