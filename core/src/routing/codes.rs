//! Codes of the `routing` area (see [`crate::issue`]).

crate::define_codes! {
    area = "routing";
}
