//! Every operator of every field type, on a worker with the field set (Ana) and one without (Bo): a
//! missing value fails every test except missing, neq and notIn.

use super::*;

type Case = (&'static str, &'static str, Value, bool, bool);

fn check(cases: Vec<Case>) {
    let (ana, bare) = (ana(), bare());
    for (field, op, value, on_ana, on_bare) in cases {
        let doc = cond(field, op, value);
        assert_eq!(holds(doc.clone(), &ana), on_ana, "Ana: {doc}");
        assert_eq!(holds(doc.clone(), &bare), on_bare, "Bo: {doc}");
    }
}

#[test]
fn text() {
    let d = "employment.department";
    check(vec![
        (d, "eq", json!("  sALes "), true, false),
        (d, "eq", json!("Sale"), false, false),
        (d, "neq", json!("sales"), false, true),
        (d, "neq", json!("Ops"), true, true),
        (d, "in", json!(["Ops", "SALES"]), true, false),
        (d, "in", json!(["Ops", "HR"]), false, false),
        (d, "notIn", json!(["Sales"]), false, true),
        (d, "notIn", json!(["Ops"]), true, true),
        (d, "contains", json!("ALE"), true, false),
        (d, "contains", json!("x"), false, false),
        (d, "startsWith", json!("sa"), true, false),
        (d, "startsWith", json!("ales"), false, false),
        (d, "exists", Value::Null, true, false),
        (d, "missing", Value::Null, false, true),
        ("fullName", "eq", json!("ana  SILVA"), true, false),
        ("fullName", "contains", json!("a s"), true, false),
        ("fullName", "startsWith", json!("bo l"), false, true),
        ("firstName", "exists", Value::Null, true, true),
        ("contact.locationCity", "eq", json!("SÃO PAULO"), true, false),
        ("contact.primaryPhoneNumber", "startsWith", json!("+1415"), true, false),
        ("contact.preferredLanguage", "neq", json!("en"), true, true),
        ("externalId", "in", json!(["e-1", "e-2"]), true, false),
    ]);
}

#[test]
fn text_in_long_lists_uses_the_same_folding() {
    let mut names: Vec<String> = (0..300).map(|i| format!("Department {i}")).collect();
    names.push("SALES".into());
    check(vec![
        ("employment.department", "in", json!(names), true, false),
        ("employment.department", "notIn", json!(names), false, true),
        ("employment.department", "in", json!(names[..299]), false, false),
    ]);
}

#[test]
fn enums() {
    check(vec![
        ("gender", "eq", json!("female"), true, false),
        ("gender", "neq", json!("female"), false, true),
        ("gender", "in", json!(["male", "female"]), true, false),
        ("gender", "notIn", json!(["male"]), true, true),
        ("gender", "exists", Value::Null, true, false),
        ("gender", "missing", Value::Null, false, true),
        ("contact.whatsappOptInStatus", "eq", json!("opted_in"), true, false),
        // Bo has no contact record, so no opt-in status at all, not the default "pending".
        ("contact.whatsappOptInStatus", "eq", json!("pending"), false, false),
        ("contact.whatsappOptInStatus", "neq", json!("pending"), true, true),
        ("employment.employmentStatus", "eq", json!("active"), true, true),
        ("employment.employmentStatus", "in", json!(["on_leave", "terminated"]), false, false),
        ("employment.employmentType", "eq", json!("full_time"), true, false),
        ("employment.employmentType", "missing", Value::Null, false, true),
        ("deactivationReason", "notIn", json!(["retirement"]), true, true),
        ("deactivationReason", "exists", Value::Null, false, false),
    ]);
}

#[test]
fn numbers() {
    let p = "performanceMetric";
    check(vec![
        (p, "eq", json!(72.5), true, false),
        (p, "neq", json!(72.5), false, true),
        (p, "in", json!([1, 72.5]), true, false),
        (p, "notIn", json!([72.5]), false, true),
        (p, "gt", json!(72), true, false),
        (p, "gt", json!(72.5), false, false),
        (p, "gte", json!(72.5), true, false),
        (p, "lt", json!(73), true, false),
        (p, "lt", json!(72.5), false, false),
        (p, "lte", json!(72.5), true, false),
        (p, "between", json!([70, 72.5]), true, false),
        (p, "between", json!([72.6, 80]), false, false),
        (p, "exists", Value::Null, true, false),
        (p, "missing", Value::Null, false, true),
        ("wellbeing.overallWellbeingScore", "lt", json!(65), true, false),
        ("wellbeing.overallWellbeingScore", "neq", json!(64), false, true),
    ]);
}

#[test]
fn integers() {
    let p = "gamification.pointsBalance";
    check(vec![
        (p, "gte", json!(100), true, false),
        (p, "eq", json!(0), false, true),
        (p, "in", json!([150, 200]), true, false),
        (p, "between", json!([0, 0]), false, true),
        // A gamification record always has a balance (0 by default).
        (p, "exists", Value::Null, true, true),
        ("gamification.badgesEarnedCount", "lt", json!(5), true, true),
    ]);
}

#[test]
fn booleans() {
    check(vec![
        ("isActive", "eq", json!(true), true, true),
        ("isActive", "neq", json!(true), false, false),
        ("isActive", "eq", json!(false), false, false),
        ("contact.communicationConsent", "eq", json!(true), true, false),
        ("contact.communicationConsent", "eq", json!(false), false, false),
        ("contact.communicationConsent", "neq", json!(true), false, true),
        ("contact.communicationConsent", "missing", Value::Null, false, true),
    ]);
}

#[test]
fn ids() {
    let mut many: Vec<String> = (0..100).map(|i| Uuid::from_u128(1000 + i).to_string()).collect();
    check(vec![
        ("supervisorId", "eq", json!(SUPERVISOR.to_uppercase()), true, false),
        ("supervisorId", "neq", json!(SUPERVISOR), false, true),
        ("supervisorId", "in", json!(many), false, false),
        ("supervisorId", "notIn", json!(many), true, true),
        ("supervisorId", "missing", Value::Null, false, true),
    ]);
    many.push(SUPERVISOR.into());
    check(vec![("supervisorId", "in", json!(many), true, false)]);
}

#[test]
fn dates() {
    let b = "dateOfBirth";
    check(vec![
        (b, "eq", json!("1990-04-02"), true, false),
        (b, "neq", json!("1990-04-02"), false, true),
        (b, "neq", json!("1990-04-03"), true, true),
        (b, "gt", json!("1990-04-01"), true, false),
        (b, "gt", json!("1990-04-02"), false, false),
        (b, "gte", json!("1990-04-02"), true, false),
        (b, "lt", json!("1990-04-02"), false, false),
        (b, "lte", json!("1990-04-02"), true, false),
        (b, "between", json!(["1990-01-01", "1990-04-02"]), true, false),
        (b, "exists", Value::Null, true, false),
        (b, "missing", Value::Null, false, true),
        ("employment.hireDate", "olderThanDays", json!(365), true, false),
        ("employment.hireDate", "withinLastDays", json!(365), false, false),
    ]);
}

#[test]
fn datetimes() {
    let i = "engagement.lastInteractionDate";
    check(vec![
        // A date means its midnight UTC.
        (i, "gt", json!("2024-05-01"), true, false),
        (i, "gt", json!("2024-05-01T08:00:00Z"), false, false),
        (i, "gte", json!("2024-05-01T10:00:00+02:00"), true, false),
        (i, "lt", json!("2024-05-02"), true, false),
        (i, "lte", json!("2024-05-01T07:59:59Z"), false, false),
        (i, "between", json!(["2024-05-01", "2024-05-01T08:00:00Z"]), true, false),
        (i, "missing", Value::Null, false, true),
        ("createdAt", "lt", json!("2023-01-02"), true, false),
        ("updatedAt", "exists", Value::Null, true, true),
        ("wellbeing.lastWellbeingAssessmentDate", "withinLastDays", json!(7), true, false),
    ]);
}

#[test]
fn tags() {
    check(vec![
        ("tags", "contains", json!("vip"), true, false),
        // Contains names a whole tag, not part of one.
        ("tags", "contains", json!("night"), false, false),
        ("tags", "hasAny", json!(["new", "NIGHT  shift"]), true, false),
        ("tags", "hasAll", json!(["vip", "night shift"]), true, false),
        ("tags", "hasAll", json!(["vip", "new"]), false, false),
        ("tags", "exists", Value::Null, true, false),
        ("tags", "missing", Value::Null, false, true),
    ]);
}

#[test]
fn custom_fields_compare_by_their_stored_type() {
    let (s, l) = ("customFields.shift", "customFields.level");
    check(vec![
        (s, "eq", json!("night"), true, false),
        (s, "neq", json!("day"), true, true),
        (s, "neq", json!("NIGHT"), false, true),
        (s, "in", json!(["day", 1, "Night"]), true, false),
        (s, "notIn", json!(["night"]), false, true),
        (s, "contains", json!("IGH"), true, false),
        (s, "startsWith", json!("ni"), true, false),
        (s, "exists", Value::Null, true, false),
        (s, "missing", Value::Null, false, true),
        // A string is not a number nor a time: the positive tests fail.
        (s, "gt", json!(1), false, false),
        (s, "withinLastDays", json!(30), false, false),
        (l, "eq", json!(3), true, false),
        (l, "eq", json!(3.0), true, false),
        (l, "eq", json!("3"), false, false),
        (l, "neq", json!("3"), true, true),
        (l, "gt", json!(2), true, false),
        (l, "between", json!([3, 3]), true, false),
        (l, "in", json!([1, 3]), true, false),
        (l, "contains", json!("3"), false, false),
        ("customFields.remote", "eq", json!(true), true, false),
        ("customFields.remote", "eq", json!("true"), false, false),
        ("customFields.skills", "contains", json!("forklift"), true, false),
        ("customFields.skills", "hasAny", json!(["crane", "FIRST aid"]), true, false),
        ("customFields.skills", "hasAll", json!(["forklift", "crane"]), false, false),
        ("customFields.skills", "eq", json!("forklift"), false, false),
        ("customFields.certifiedOn", "eq", json!("2024-06-01"), true, false),
        ("customFields.certifiedOn", "gt", json!("2024-05-31"), true, false),
        ("customFields.certifiedOn", "lt", json!("2024-06-01T00:00:01Z"), true, false),
        ("customFields.certifiedOn", "withinLastDays", json!(30), true, false),
        ("customFields.certifiedOn", "withinLastDays", json!(10), false, false),
        ("customFields.certifiedOn", "olderThanDays", json!(10), true, false),
        ("customFields.empty", "missing", Value::Null, true, true),
        ("customFields.empty", "exists", Value::Null, false, false),
        ("customFields.absent", "neq", json!("x"), true, true),
    ]);
}
