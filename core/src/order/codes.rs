//! Codes of the `order` area (see [`crate::issue`]).

crate::define_codes! {
    area = "order";
}
