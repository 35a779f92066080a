//! API operations of the `contract` domain: validation of the nine outbound bodies (from a
//! JSON value or from JSON text), the normalisers, and response parsing.

use super::params::{evaluation_date, input, iso_date, opt_now, opt_str, req_str, typed, ISO_DATE};
use super::wire::{one_of, Instant};
use super::{ApiError, ApiErrorCode, Request};
use crate::contract::normalize::{self, Field, NormalizeError};
use crate::contract::response::{parse_response, Endpoint, HttpAnswer, ParsedResponse};
use crate::contract::{validate_deserializer, validate_str, validate_value, Kind, ValidateOptions};
use crate::issue::Report;
use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::{Map, Value};

fn kinds() -> String {
    one_of(Kind::ALL.iter().map(|k| k.name()))
}

fn kind(request: &Value) -> Result<Kind, ApiError> {
    let name = req_str(request, "kind").map_err(|_| ApiError::invalid_request("kind", &kinds()))?;
    Kind::from_name(name).ok_or_else(|| ApiError::invalid_request("kind", &kinds()))
}

/// The options of `validate` and `validate_text`, read from the request.
fn options(request: &Value) -> Result<ValidateOptions, ApiError> {
    let allowed_states = match request.get("allowed_states") {
        None | Some(Value::Null) => None,
        Some(v) => Some(typed::<Vec<String>>(v, "allowed_states")?),
    };
    let max_image_bytes = match request.get("max_image_bytes") {
        None | Some(Value::Null) => None,
        Some(v) => Some(typed::<usize>(v, "max_image_bytes")?),
    };
    Ok(ValidateOptions {
        today: evaluation_date(request)?,
        allowed_states,
        max_image_bytes,
    })
}

/// The request of `validate`.
#[derive(JsonSchema)]
pub struct ValidateRequest<'a> {
    /// The body kind.
    pub kind: Kind,
    /// The body to validate (any JSON: a body that is not an object is a violation).
    pub input: &'a Value,
    /// The date rules are evaluated on; else the date of `now` at UTC−10.
    pub today: Option<NaiveDate>,
    /// The current instant (gives `today` when `today` is absent).
    pub now: Option<Instant>,
    /// The states the clinic serves (two-letter codes).
    pub allowed_states: Option<Vec<String>>,
    /// The largest image accepted, in bytes.
    pub max_image_bytes: Option<usize>,
    #[schemars(skip)]
    options: ValidateOptions,
}

impl<'a> Request<'a> for ValidateRequest<'a> {
    fn read(request: &'a Value) -> Result<Self, ApiError> {
        let kind = kind(request)?;
        let options = options(request)?;
        Ok(Self {
            kind,
            input: input(request)?,
            today: options.today,
            now: opt_now(request)?,
            allowed_states: options.allowed_states.clone(),
            max_image_bytes: options.max_image_bytes,
            options,
        })
    }
}

/// `validate`: the report of a body.
pub(super) fn validate(r: ValidateRequest<'_>) -> Result<Report, ApiError> {
    Ok(validate_value(r.kind, r.input, &r.options))
}

/// The request of `validate_text`.
#[derive(JsonSchema)]
pub struct ValidateTextRequest<'a> {
    /// The body kind.
    pub kind: Kind,
    /// The body as JSON text, parsed inside the core.
    pub text: &'a str,
    /// The date rules are evaluated on; else the date of `now` at UTC−10.
    pub today: Option<NaiveDate>,
    /// The current instant (gives `today` when `today` is absent).
    pub now: Option<Instant>,
    /// The states the clinic serves (two-letter codes).
    pub allowed_states: Option<Vec<String>>,
    /// The largest image accepted, in bytes.
    pub max_image_bytes: Option<usize>,
    #[schemars(skip)]
    options: ValidateOptions,
}

impl<'a> Request<'a> for ValidateTextRequest<'a> {
    fn read(request: &'a Value) -> Result<Self, ApiError> {
        let kind = kind(request)?;
        let options = options(request)?;
        Ok(Self {
            kind,
            text: req_str(request, "text")?,
            today: options.today,
            now: opt_now(request)?,
            allowed_states: options.allowed_states.clone(),
            max_image_bytes: options.max_image_bytes,
            options,
        })
    }
}

/// `validate_text`: the report of a body given as text.
pub(super) fn validate_text(r: ValidateTextRequest<'_>) -> Result<Report, ApiError> {
    validate_str(r.kind, r.text, &r.options).map_err(|e| ApiError::invalid_json(&e, r.text))
}

/// The `validate_text` operation with the body beside the request instead of inside it:
/// `params` holds what the op reads besides `text` (`kind`, `today` or `now`,
/// `allowed_states`, `max_image_bytes`). Same answers and errors as
/// `api::call("validate_text", …)`; the bindings call it so a body is parsed straight from
/// the caller's buffer, never copied into a request `Value` first.
pub fn validate_text_parts(params: &Value, text: &str) -> Result<Report, ApiError> {
    let kind = kind(params)?;
    let options = options(params)?;
    opt_now(params)?;
    validate_str(kind, text, &options).map_err(|e| ApiError::invalid_json(&e, text))
}

/// The `validate` operation with the document read from a serde deserializer beside the
/// request (`params` as for [`validate_text_parts`]): `Err` is misuse in `params`, `Ok(Err)`
/// the deserializer's own error (the binding then explains the document its own way).
pub fn validate_document_parts<'de, D: serde::Deserializer<'de>>(
    params: &Value,
    document: D,
) -> Result<Result<Report, D::Error>, ApiError> {
    let kind = kind(params)?;
    let options = options(params)?;
    opt_now(params)?;
    Ok(validate_deserializer(kind, document, &options))
}

/// The parameters of `validate` and `validate_text` as a binding holds them, typed: read
/// as the request's members are, with the same errors in the same order (`kind`, then
/// `max_image_bytes`, then `today`), without building a request `Value` to read them from.
/// No `now`: a binding that has none passes `today`.
#[derive(Debug, Clone, Default)]
pub struct ValidateParams<'a> {
    /// The body kind's name.
    pub kind: &'a str,
    /// The date rules are evaluated on, `YYYY-MM-DD`.
    pub today: Option<&'a str>,
    /// The states the clinic serves (two-letter codes).
    pub allowed_states: Option<Vec<String>>,
    /// The largest image accepted, in bytes.
    pub max_image_bytes: Option<u64>,
}

impl ValidateParams<'_> {
    /// The request form of these parameters with `input` as its document: what `validate`
    /// reads through `call`. For a binding whose document reaches it only as a [`Value`] (one
    /// the typed walks could not read); the typed forms above answer the same.
    pub fn request(self, input: Value) -> Value {
        let mut request = Map::new();
        request.insert("kind".to_owned(), Value::String(self.kind.to_owned()));
        if let Some(today) = self.today {
            request.insert("today".to_owned(), Value::String(today.to_owned()));
        }
        if let Some(states) = self.allowed_states {
            let states = states.into_iter().map(Value::String).collect();
            request.insert("allowed_states".to_owned(), Value::Array(states));
        }
        if let Some(limit) = self.max_image_bytes {
            request.insert("max_image_bytes".to_owned(), Value::from(limit));
        }
        request.insert("input".to_owned(), input);
        Value::Object(request)
    }

    fn read(self) -> Result<(Kind, ValidateOptions), ApiError> {
        let kind = Kind::from_name(self.kind)
            .ok_or_else(|| ApiError::invalid_request("kind", &kinds()))?;
        let max_image_bytes = match self.max_image_bytes {
            None => None,
            Some(n) => Some(typed::<usize>(&Value::from(n), "max_image_bytes")?),
        };
        let today = match self.today {
            None => None,
            Some(s) => {
                Some(iso_date(s).ok_or_else(|| ApiError::invalid_request("today", ISO_DATE))?)
            }
        };
        Ok((
            kind,
            ValidateOptions {
                today: crate::calendar::evaluation_date(today, None),
                allowed_states: self.allowed_states,
                max_image_bytes,
            },
        ))
    }
}

/// [`validate_text_parts`] with typed parameters.
pub fn validate_text_with(params: ValidateParams<'_>, text: &str) -> Result<Report, ApiError> {
    let (kind, options) = params.read()?;
    validate_str(kind, text, &options).map_err(|e| ApiError::invalid_json(&e, text))
}

/// [`validate_document_parts`] with typed parameters.
pub fn validate_document_with<'de, D: serde::Deserializer<'de>>(
    params: ValidateParams<'_>,
    document: D,
) -> Result<Result<Report, D::Error>, ApiError> {
    let (kind, options) = params.read()?;
    Ok(validate_deserializer(kind, document, &options))
}

/// The request of `normalize`.
#[derive(JsonSchema)]
pub struct NormalizeRequest {
    /// The normaliser.
    pub field: Field,
    /// The value: a string, or for `multiple_choice_answer` the chosen answers.
    pub input: NormalizeInput,
    /// The allowed choices (`multiple_choice_question`, `multiple_choice_answer`).
    pub choices: Option<Vec<String>>,
}

/// What `normalize` reads under `input`.
#[derive(Debug, Clone, PartialEq, Eq, JsonSchema)]
#[schemars(untagged)]
pub enum NormalizeInput {
    /// One value.
    Text(String),
    /// Chosen answers (`multiple_choice_answer`).
    Answers(Vec<String>),
}

impl Request<'_> for NormalizeRequest {
    fn read(request: &Value) -> Result<Self, ApiError> {
        let fields = || one_of(Field::ALL.iter().map(|f| f.name()));
        let name =
            req_str(request, "field").map_err(|_| ApiError::invalid_request("field", &fields()))?;
        let field =
            Field::from_name(name).ok_or_else(|| ApiError::invalid_request("field", &fields()))?;
        let text = || req_str(request, "input").map(|t| NormalizeInput::Text(t.to_owned()));
        let choices = || strings(request.get("choices"), "choices");
        let (input, choices) = match field {
            Field::MultipleChoiceQuestion => (text()?, Some(choices()?)),
            Field::MultipleChoiceAnswer => {
                let choices = choices()?;
                let answers = strings(request.get("input"), "input")?;
                (NormalizeInput::Answers(answers), Some(choices))
            }
            Field::Phone | Field::Date | Field::State | Field::Trim => (text()?, None),
        };
        Ok(Self {
            field,
            input,
            choices,
        })
    }
}

/// The answer of `normalize`: the normalised value, or the rule it breaks.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize, JsonSchema)]
pub struct NormalizeAnswer {
    /// The value could be normalised.
    pub valid: bool,
    /// The normalised value, when valid.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub value: Option<String>,
    /// The rule's code, when not valid.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub code: Option<String>,
    /// The rule's message (never the value), when not valid.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub message: Option<String>,
}

fn strings(value: Option<&Value>, name: &str) -> Result<Vec<String>, ApiError> {
    match value {
        Some(v) => typed::<Vec<String>>(v, name),
        None => Err(ApiError::invalid_request(name, "an array of strings")),
    }
}

/// `normalize`: one normaliser on one value.
pub(super) fn normalize_op(r: NormalizeRequest) -> Result<NormalizeAnswer, ApiError> {
    let choices = r.choices.unwrap_or_default();
    let result: Result<String, NormalizeError> = match (r.field, &r.input) {
        (Field::MultipleChoiceAnswer, NormalizeInput::Answers(answers)) => {
            normalize::multiple_choice_answer(&choices, answers)
        }
        (Field::MultipleChoiceAnswer, NormalizeInput::Text(_)) => {
            return Err(ApiError::invalid_request("input", "an array of strings"))
        }
        (_, NormalizeInput::Answers(_)) => {
            return Err(ApiError::invalid_request("input", "a string"))
        }
        (Field::Phone, NormalizeInput::Text(t)) => normalize::phone(t),
        (Field::Date, NormalizeInput::Text(t)) => normalize::date(t),
        (Field::State, NormalizeInput::Text(t)) => normalize::state(t),
        (Field::Trim, NormalizeInput::Text(t)) => Ok(normalize::trim(t)),
        (Field::MultipleChoiceQuestion, NormalizeInput::Text(t)) => {
            normalize::multiple_choice_question(t, &choices)
        }
    };
    Ok(match result {
        Ok(value) => NormalizeAnswer {
            valid: true,
            value: Some(value),
            code: None,
            message: None,
        },
        Err(e) => NormalizeAnswer {
            valid: false,
            value: None,
            code: Some(e.code().to_string()),
            message: Some(e.to_string()),
        },
    })
}

/// The request of `parse_response`.
#[derive(JsonSchema)]
pub struct ParseResponseRequest {
    /// The request kind or fetch the answer belongs to (`endpoint` is accepted too).
    pub kind: Endpoint,
    /// The HTTP answer as received.
    pub input: HttpAnswer,
}

impl Request<'_> for ParseResponseRequest {
    fn read(request: &Value) -> Result<Self, ApiError> {
        let endpoints = || one_of(Endpoint::all().map(Endpoint::name));
        let name = opt_str(request, "kind")?
            .or(opt_str(request, "endpoint")?)
            .ok_or_else(|| ApiError::invalid_request("kind", &endpoints()))?;
        let kind = Endpoint::from_name(name)
            .ok_or_else(|| ApiError::invalid_request("kind", &endpoints()))?;
        let http: HttpAnswer = typed(input(request)?, "input")?;
        if http.status.is_none() && http.network_error.is_none() {
            return Err(ApiError::new(
                ApiErrorCode::InvalidRequest,
                "`input` needs `status` (the HTTP status) or `network_error`",
            )
            .at("/input/status"));
        }
        Ok(Self { kind, input: http })
    }
}

/// `parse_response`: the typed, classified answer.
pub(super) fn parse(r: ParseResponseRequest) -> Result<ParsedResponse, ApiError> {
    Ok(parse_response(r.kind, &r.input))
}

#[cfg(test)]
mod tests {
    use super::{
        validate_document_parts, validate_document_with, validate_text_parts, validate_text_with,
        ValidateParams,
    };
    use serde_json::{json, Map, Value};

    /// The typed parameters answer what the same members of a request answer, errors
    /// included, whichever member is wrong first.
    #[test]
    fn typed_parameters_read_as_the_requests_members() {
        let body = json!({"visitType": "x", "formObj": {"dob": "01/02/1990", "state": "CA"}});
        let text = body.to_string();
        for kind in ["visit", "photos", "no-such-kind"] {
            for today in [
                None,
                Some("2026-11-22"),
                Some("2026-02-30"),
                Some("23/11/2026"),
            ] {
                for states in [None, Some(vec!["CA".to_owned()]), Some(vec![])] {
                    for limit in [None, Some(10u64), Some(u64::MAX)] {
                        let mut request = Map::new();
                        request.insert("kind".into(), json!(kind));
                        if let Some(today) = today {
                            request.insert("today".into(), json!(today));
                        }
                        if let Some(states) = &states {
                            request.insert("allowed_states".into(), json!(states));
                        }
                        if let Some(limit) = limit {
                            request.insert("max_image_bytes".into(), json!(limit));
                        }
                        let request = Value::Object(request);
                        let typed = ValidateParams {
                            kind,
                            today,
                            allowed_states: states.clone(),
                            max_image_bytes: limit,
                        };
                        let case = format!("{request}");
                        let mut with_input = request.clone();
                        if let Value::Object(members) = &mut with_input {
                            members.insert("input".into(), body.clone());
                        }
                        assert_eq!(typed.clone().request(body.clone()), with_input, "{case}");
                        for text in [text.as_str(), "{not json"] {
                            assert_eq!(
                                validate_text_with(typed.clone(), text),
                                validate_text_parts(&request, text),
                                "{case} {text}"
                            );
                        }
                        assert_eq!(
                            validate_document_with(typed, &body).map(Result::ok),
                            validate_document_parts(&request, &body).map(Result::ok),
                            "{case}"
                        );
                    }
                }
            }
        }
    }
}
