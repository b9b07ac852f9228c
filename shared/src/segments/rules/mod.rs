//! The segment rule language: a typed JSON condition tree over worker fields.
