//! Spreadsheet formula guard for CSV cells (OWASP "CSV injection"). A text cell that a spreadsheet would
//! read as a formula (it starts with `=`, `+`, `-`, `@`, a tab or a carriage return) is written with a
//! leading `'`, which spreadsheets show as plain text. To stay reversible, a cell that already is
//! `'`s followed by such a character gets one more `'`. The import strips exactly one, so an exported file
//! re-imports to the same values. Pure.

const TRIGGERS: &[char] = &['=', '+', '-', '@', '\t', '\r'];

fn guarded_shape(text: &str) -> bool {
    text.trim_start_matches('\'').starts_with(TRIGGERS)
}

/// The cell as the export writes it.
pub(crate) fn guard(text: &str) -> std::borrow::Cow<'_, str> {
    if guarded_shape(text) { format!("'{text}").into() } else { text.into() }
}

/// The value an exported cell stands for: one leading `'` removed where [`guard`] added it.
pub(crate) fn unguard(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if guarded_shape(rest) => rest,
        _ => cell,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_guarded_and_everything_round_trips() {
        assert_eq!(guard("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(guard("+442079461001"), "'+442079461001");
        assert_eq!(guard("Ana"), "Ana");
        assert_eq!(guard("'quoted"), "'quoted");
        assert_eq!(guard("'=x"), "''=x");
        for value in ["", "Ana", "=1+2", "-5", "@cmd", "'", "'a", "'=a", "''+a", "\tx", "a=b", "'''"] {
            assert_eq!(unguard(&guard(value)), value, "{value:?}");
        }
        // Cells the export did not write keep their text unless they have the guarded shape.
        assert_eq!(unguard("'plain"), "'plain");
        assert_eq!(unguard("plain"), "plain");
    }
}
