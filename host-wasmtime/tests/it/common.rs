//! What several test modules share.

use serde_json::Value;
use std::path::Path;

/// The paid DispensePro order of `tests/fixtures/`, ready for Beluga.
pub(crate) fn ready_order() -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures/order-dispensepro-ready.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap_or_default()).unwrap_or(Value::Null)
}
