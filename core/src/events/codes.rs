//! Codes of the `events` area (see [`crate::issue`]).

crate::define_codes! {
    area = "events";
}
