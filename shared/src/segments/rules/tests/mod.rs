//! Behaviour of the rule language end to end: parse, compile, match, explain.
