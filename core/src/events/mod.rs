//! Inbound partner events: parsing, authentication, deduplication, application, redaction.

pub mod codes;
