//! Codes of the `boundary` area (see [`crate::issue`]).

crate::define_codes! {
    area = "boundary";
}
