//! Errors as `application/problem+json` (RFC 9457), in axum's `AppError` pattern: a 4xx
//! carries the violation list, a 5xx says only "internal error" while the cause goes to the
//! structured log (never a payload body).

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

/// An HTTP error answer.
#[derive(Debug)]
pub struct Problem {
    status: StatusCode,
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
            "title": self.title,
            "status": self.status.as_u16(),
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
            )),
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
