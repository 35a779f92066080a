//! Codes of the `contract` area (see [`crate::issue`]).

crate::define_codes! {
    area = "contract";
}
