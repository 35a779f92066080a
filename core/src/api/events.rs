//! API operations of the `events` domain.

use super::{ApiError, OpInfo};
use serde_json::Value;

/// Operations of this domain.
pub(super) const OPS: &[OpInfo] = &[];

/// Answers `op` when it belongs to this domain, else `None`.
pub(super) fn dispatch(op: &str, request: &Value) -> Option<Result<Value, ApiError>> {
    let _ = (op, request);
    None
}
