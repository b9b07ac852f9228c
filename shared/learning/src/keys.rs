//! The key layout of learning (pinned by the test below).
//!
//! | item | pk | sk |
//! |---|---|---|
//! | module | `T#<t>#MODULES` | `<moduleId>` |
//! | section | `T#<t>#MODULE#<moduleId>` | `SECTION#<sectionId>` |
//! | changelog entry | `T#<t>#MODULE#<moduleId>` | `CHANGELOG#<version, 6 digits>` |
//! | category | `T#<t>#MODULE-CATEGORIES` | `<categoryId>` |
//! | prerequisite graph guard | `T#<t>#MODULE-GRAPH` | `GRAPH` |
//! | quiz | `T#<t>#MODULE#<moduleId>` | `QUIZ#<quizId>` |
//! | a learner's progress in a module | `T#<t>#LEARNER#<userId>` | `MODULE#<moduleId>` |
//! | a learner's attempts at a quiz (count, the open one) | `T#<t>#LEARNER#<userId>` | `QUIZ#<quizId>` |
//! | attempt | `T#<t>#LEARNER#<userId>` | `ATTEMPT#<quizId>#<number, 4 digits>` |
//! | certificate | `T#<t>#LEARNER#<userId>` | `CERT#<certificateId>` |
//! | certificate code | `P#CERTIFICATE-CODES` | `<code>` |
//! | a learner's pin (UserPinnedModule) | `T#<t>#LEARNER#<userId>` | `PIN#<moduleId>` |
//! | a company pin (CompanyPinnedModule) | `T#<t>#MODULE-PINS` | `<moduleId>` |
//! | module build (AiModuleBuild) | `T#<t>#MODULE-BUILDS` | `<buildId>` (UUIDv7: newest first read backwards) |
//!
//! | index | gsi1pk | gsi1sk |
//! |---|---|---|
//! | progress, by module | `T#<t>#MODULE-LEARNERS#<moduleId>` | `<userId>` |
//! | attempt, by quiz | `T#<t>#QUIZ-ATTEMPTS#<quizId>` | `<userId>#<number, 4 digits>` |
//!
//! A learner's items share one partition: their page of modules is one query. A certificate's code is a
//! platform item, created only if absent, so `GET /certificates/verify/{code}` finds it without a tenant
//! and two certificates can never share a code.
//!
//! A module's sections share its partition, so one query reads the module's whole body; the graph guard's
//! version moves with every prerequisite change, so two concurrent edges cannot close a cycle neither saw.

use nudge_core::TenantId;
use nudge_core::keys::{Key, tenant_partition};
use uuid::Uuid;

pub fn modules_partition(tenant: &TenantId) -> String {
    tenant_partition(tenant, "MODULES")
}

pub fn module(tenant: &TenantId, id: Uuid) -> Key {
    Key::tenant(tenant, "MODULES", id.to_string())
}

pub fn module_partition(tenant: &TenantId, module: Uuid) -> String {
    tenant_partition(tenant, &format!("MODULE#{module}"))
}

pub fn section(tenant: &TenantId, module: Uuid, section: Uuid) -> Key {
    Key { pk: module_partition(tenant, module), sk: format!("SECTION#{section}") }
}

pub fn changelog(tenant: &TenantId, module: Uuid, version: u32) -> Key {
    Key { pk: module_partition(tenant, module), sk: format!("CHANGELOG#{version:06}") }
}

pub fn categories_partition(tenant: &TenantId) -> String {
    tenant_partition(tenant, "MODULE-CATEGORIES")
}

pub fn category(tenant: &TenantId, id: Uuid) -> Key {
    Key::tenant(tenant, "MODULE-CATEGORIES", id.to_string())
}

pub fn graph(tenant: &TenantId) -> Key {
    Key::tenant(tenant, "MODULE-GRAPH", "GRAPH")
}

pub fn quiz(tenant: &TenantId, module: Uuid, quiz: Uuid) -> Key {
    Key { pk: module_partition(tenant, module), sk: format!("QUIZ#{quiz}") }
}

pub fn learner_partition(tenant: &TenantId, user: Uuid) -> String {
    tenant_partition(tenant, &format!("LEARNER#{user}"))
}

pub fn progress(tenant: &TenantId, user: Uuid, module: Uuid) -> Key {
    Key { pk: learner_partition(tenant, user), sk: format!("MODULE#{module}") }
}

pub fn attempts(tenant: &TenantId, user: Uuid, quiz: Uuid) -> Key {
    Key { pk: learner_partition(tenant, user), sk: format!("QUIZ#{quiz}") }
}

pub fn attempt(tenant: &TenantId, user: Uuid, quiz: Uuid, number: u32) -> Key {
    Key { pk: learner_partition(tenant, user), sk: format!("ATTEMPT#{quiz}#{number:04}") }
}

pub fn certificate(tenant: &TenantId, user: Uuid, id: Uuid) -> Key {
    Key { pk: learner_partition(tenant, user), sk: format!("CERT#{id}") }
}

/// The index partition of a module's learners (insight).
pub fn module_learners(tenant: &TenantId, module: Uuid) -> String {
    tenant_partition(tenant, &format!("MODULE-LEARNERS#{module}"))
}

/// The index partition of a quiz's attempts by every learner (insight).
pub fn quiz_attempts(tenant: &TenantId, quiz: Uuid) -> String {
    tenant_partition(tenant, &format!("QUIZ-ATTEMPTS#{quiz}"))
}

pub fn certificate_code(code: &str) -> Key {
    Key::platform("CERTIFICATE-CODES", code)
}

pub fn user_pin(tenant: &TenantId, user: Uuid, module: Uuid) -> Key {
    Key { pk: learner_partition(tenant, user), sk: format!("PIN#{module}") }
}

pub fn company_pins_partition(tenant: &TenantId) -> String {
    tenant_partition(tenant, "MODULE-PINS")
}

pub fn company_pin(tenant: &TenantId, module: Uuid) -> Key {
    Key::tenant(tenant, "MODULE-PINS", module.to_string())
}

pub fn module_builds_partition(tenant: &TenantId) -> String {
    tenant_partition(tenant, "MODULE-BUILDS")
}

pub fn module_build(tenant: &TenantId, id: Uuid) -> Key {
    Key::tenant(tenant, "MODULE-BUILDS", id.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verify_learning_keys_serialize_as_expected() {
        let t = nudge_core::testing::tenant(1);
        let tenant = Uuid::from_u128(1);
        let (m, s) = (Uuid::from_u128(2), Uuid::from_u128(3));
        assert_eq!(module(&t, m).pk, format!("T#{tenant}#MODULES"));
        assert_eq!(section(&t, m, s).pk, format!("T#{tenant}#MODULE#{m}"));
        assert_eq!(section(&t, m, s).sk, format!("SECTION#{s}"));
        assert_eq!(changelog(&t, m, 3).sk, "CHANGELOG#000003");
        assert_eq!(graph(&t).pk, format!("T#{tenant}#MODULE-GRAPH"));
        let (q, u) = (Uuid::from_u128(4), Uuid::from_u128(5));
        assert_eq!(quiz(&t, m, q).sk, format!("QUIZ#{q}"));
        assert_eq!(progress(&t, u, m).pk, format!("T#{tenant}#LEARNER#{u}"));
        assert_eq!(attempt(&t, u, q, 3).sk, format!("ATTEMPT#{q}#0003"));
        assert_eq!(certificate_code("ABCD").pk, "P#CERTIFICATE-CODES");
        assert_eq!(user_pin(&t, u, m).sk, format!("PIN#{m}"));
        assert_eq!(company_pin(&t, m).pk, format!("T#{tenant}#MODULE-PINS"));
        assert_eq!(module_learners(&t, m), format!("T#{tenant}#MODULE-LEARNERS#{m}"));
        assert_eq!(quiz_attempts(&t, q), format!("T#{tenant}#QUIZ-ATTEMPTS#{q}"));
    }

    #[test]
    fn verify_module_build_keys_serialize_as_expected() {
        let t = nudge_core::testing::tenant(1);
        let tenant = Uuid::from_u128(1);
        let b = Uuid::from_u128(9);
        let k = module_build(&t, b);
        assert_eq!(k.pk, format!("T#{tenant}#MODULE-BUILDS"));
        assert_eq!(k.sk, b.to_string());
        assert_eq!(module_builds_partition(&t), format!("T#{tenant}#MODULE-BUILDS"));
    }
}
