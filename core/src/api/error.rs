//! [`ApiError`]: misuse of the API, as opposed to a verdict.

use serde::Serialize;

/// What kind of misuse an [`ApiError`] reports. Serialized as snake_case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ApiErrorCode {
    /// The operation name is not one of [`super::OPS`].
    UnknownOp,
    /// Text that should be JSON is not.
    InvalidJson,
    /// The request envelope is malformed (a missing or wrong-typed parameter).
    InvalidRequest,
    /// A document does not match rxgate's own schema (order snapshot, configuration).
    SchemaError,
    /// A fault inside rxgate; a bug, never the caller's fault.
    Internal,
}

/// Misuse of the API: unknown operation, bad envelope, text that is not JSON.
/// Messages name fields and positions, never input values.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error, schemars::JsonSchema)]
#[error("{code:?}: {message}")]
pub struct ApiError {
    /// The kind of misuse.
    pub code: ApiErrorCode,
    /// What is wrong, without input values.
    pub message: String,
    /// JSON Pointer of the offending part of the request, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
}

impl ApiError {
    /// A new error.
    pub fn new(code: ApiErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            path: None,
        }
    }

    /// Sets the JSON Pointer of the offending part.
    #[must_use]
    pub fn at(mut self, path: impl Into<String>) -> Self {
        self.path = Some(path.into());
        self
    }

    /// Prefixes the message with the operation name.
    #[must_use]
    pub(crate) fn with_op(mut self, op: &str) -> Self {
        if self.code != ApiErrorCode::UnknownOp {
            self.message = format!("{op}: {}", self.message);
        }
        self
    }

    /// A JSON syntax error, with line, column and byte offset; never the text itself.
    pub fn invalid_json(err: &serde_json::Error, text: &str) -> Self {
        let offset = byte_offset(text, err.line(), err.column());
        let what = match err.classify() {
            serde_json::error::Category::Eof => "unexpected end of input",
            serde_json::error::Category::Syntax => "syntax error",
            serde_json::error::Category::Data => "data error",
            serde_json::error::Category::Io => "read error",
        };
        Self::new(
            ApiErrorCode::InvalidJson,
            format!(
                "input is not valid JSON: {what} at line {}, column {} (byte offset {offset})",
                err.line(),
                err.column()
            ),
        )
    }

    /// A missing or wrong-typed request parameter.
    pub fn invalid_request(param: &str, expected: &str) -> Self {
        Self::new(
            ApiErrorCode::InvalidRequest,
            format!("request parameter `{param}` must be {expected}"),
        )
        .at(format!("/{param}"))
    }
}

/// Byte offset of a 1-based line and column (as serde_json reports them) in `text`.
pub(crate) fn byte_offset(text: &str, line: usize, column: usize) -> usize {
    let mut offset = 0usize;
    for (index, l) in text.split_inclusive('\n').enumerate() {
        if index + 1 == line {
            return offset + column.saturating_sub(1).min(l.len());
        }
        offset += l.len();
    }
    text.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_json_names_position_not_content() {
        let text = "{\n  \"a\": PHI-SENTINEL }";
        let err = serde_json::from_str::<serde_json::Value>(text).err();
        assert!(err.is_some(), "the text must not parse");
        if let Some(err) = err {
            let api = ApiError::invalid_json(&err, text);
            assert_eq!(api.code, ApiErrorCode::InvalidJson);
            assert!(api.message.contains("line 2"), "{}", api.message);
            assert!(api.message.contains("byte offset 9"), "{}", api.message);
            assert!(!api.message.contains("PHI-SENTINEL"));
        }
    }
}
