//! Errors as `application/problem+json` (RFC 9457), in axum's `AppError` pattern: every body
//! has `type`, `title` (the status's phrase), `status`, `detail` (what went wrong, naming
//! fields and rules, never values) and a stable `code` (snake case: the status's by default,
//! a specific one where a status has several meanings); a 4xx carries the violation list, a
//! 5xx says only "internal error" while the cause goes to the structured log (never a payload
//! body).

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};
use std::borrow::Cow;

/// The stable code of a status, when a call site names no more specific one.
pub fn status_code_name(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 => "bad_request",
        401 => "unauthorized",
        403 => "forbidden",
        404 => "not_found",
        405 => "method_not_allowed",
        409 => "conflict",
        410 => "gone",
        412 => "precondition_failed",
        413 => "payload_too_large",
        415 => "unsupported_media_type",
        422 => "unprocessable",
        428 => "precondition_required",
        500 => "internal",
        501 => "not_implemented",
        503 => "unavailable",
        s if s >= 500 => "server_error",
        _ => "client_error",
    }
}

/// An HTTP error answer.
#[derive(Debug)]
pub struct Problem {
    status: StatusCode,
    code: Cow<'static, str>,
    title: String,
    violations: Vec<Value>,
    /// Extra members (boxed: the common error path stays small).
    extra: Option<Box<Value>>,
    /// The `WWW-Authenticate` challenge of a 401.
    challenge: Option<&'static str>,
}

impl Problem {
    /// A client error with a title (names fields and rules, never values).
    pub fn client(status: StatusCode, title: impl Into<String>) -> Self {
        Self {
            status,
            code: Cow::Borrowed(status_code_name(status)),
            title: title.into(),
            violations: Vec::new(),
            extra: None,
            challenge: None,
        }
    }

    /// A 422 carrying the rules' violation list.
    pub fn violations(title: impl Into<String>, violations: Vec<Value>) -> Self {
        Self {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            code: Cow::Borrowed("violations"),
            title: title.into(),
            violations,
            extra: None,
            challenge: None,
        }
    }

    /// The same problem with another status (a refusal carrying violations that is not 422).
    pub fn with_status(mut self, status: StatusCode) -> Self {
        self.status = status;
        self
    }

    /// The same problem with a specific stable code (snake case).
    pub fn code(mut self, code: impl Into<Cow<'static, str>>) -> Self {
        self.code = code.into();
        self
    }

    /// The problem's stable code.
    pub fn code_name(&self) -> &str {
        &self.code
    }

    /// Adds a `WWW-Authenticate` challenge (401 answers).
    pub fn with_authenticate(mut self, scheme: &'static str) -> Self {
        self.challenge = Some(scheme);
        self
    }

    /// Adds non-PHI context (codes, classes) to a 4xx.
    pub fn with(mut self, extra: Value) -> Self {
        self.extra = Some(Box::new(extra));
        self
    }

    /// An internal error: `cause` is logged, the client sees "internal error".
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        tracing::error!(cause = %cause, "internal error");
        Self {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            code: Cow::Borrowed("internal"),
            title: "internal error".into(),
            violations: Vec::new(),
            extra: None,
            challenge: None,
        }
    }

    /// 401.
    pub fn unauthorized() -> Self {
        Self::client(StatusCode::UNAUTHORIZED, "authentication required")
            .with_authenticate("Bearer")
    }

    /// 404.
    pub fn not_found(what: &str) -> Self {
        Self::client(StatusCode::NOT_FOUND, format!("{what} not found"))
            .code(format!("{}_not_found", what.replace([' ', '-'], "_")))
    }

    /// The status.
    pub fn status(&self) -> StatusCode {
        self.status
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let mut body = json!({
            "type": "about:blank",
            "title": self.status.canonical_reason().unwrap_or("Error"),
            "status": self.status.as_u16(),
            "detail": self.title,
            "code": self.code,
        });
        if self.status.is_client_error() {
            body["violations"] = Value::Array(self.violations);
            if let (Some(Value::Object(extra)), Some(map)) =
                (self.extra.map(|e| *e), body.as_object_mut())
            {
                for (k, v) in extra {
                    map.entry(k).or_insert(v);
                }
            }
        }
        let mut response = (
            self.status,
            [(header::CONTENT_TYPE, "application/problem+json")],
            body.to_string(),
        )
            .into_response();
        if let Some(scheme) = self.challenge {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                header::HeaderValue::from_static(scheme),
            );
        }
        response
    }
}

impl From<crate::store::StoreError> for Problem {
    fn from(e: crate::store::StoreError) -> Self {
        Self::internal(e)
    }
}

impl From<crate::rules::RulesError> for Problem {
    fn from(e: crate::rules::RulesError) -> Self {
        Self::internal(e)
    }
}

/// A JSON body whose rejection is a problem+json naming no input value (serde's messages can
/// quote values, which may be patient data).
#[derive(Debug)]
pub struct JsonBody<T>(pub T);

impl<S, T> axum::extract::FromRequest<S> for JsonBody<T>
where
    S: Send + Sync,
    T: serde::de::DeserializeOwned,
{
    type Rejection = Problem;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, Problem> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(value)) => Ok(Self(value)),
            Err(rejection) => Err(Problem::client(
                rejection.status(),
                "the body is not valid JSON of the shape this route expects",
            )
            .code(match rejection.status().as_u16() {
                415 => "unsupported_media_type",
                413 => "payload_too_large",
                _ => "invalid_body",
            })),
        }
    }
}

/// Query parameters, with a problem+json rejection (400 `invalid_query`) naming no value.
#[derive(Debug)]
pub struct QueryOf<T>(pub T);

impl<S, T> axum::extract::FromRequestParts<S> for QueryOf<T>
where
    S: Send + Sync,
    T: serde::de::DeserializeOwned,
{
    type Rejection = Problem;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, Problem> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(value)) => Ok(Self(value)),
            Err(_) => Err(Problem::client(
                StatusCode::BAD_REQUEST,
                "the query parameters are not the ones this route takes",
            )
            .code("invalid_query")),
        }
    }
}

/// The raw body bytes, with a problem+json rejection (413 past the route's cap).
#[derive(Debug)]
pub struct RawBody(pub axum::body::Bytes);

impl<S> axum::extract::FromRequest<S> for RawBody
where
    S: Send + Sync,
{
    type Rejection = Problem;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, Problem> {
        match axum::body::Bytes::from_request(req, state).await {
            Ok(bytes) => Ok(Self(bytes)),
            Err(rejection) => Err(Problem::client(
                rejection.status(),
                "the body cannot be read (too large for this route?)",
            )),
        }
    }
}

/// The fallback for unknown routes.
pub async fn not_found() -> Problem {
    Problem::not_found("route")
}
