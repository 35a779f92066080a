//! # rxgate-py — the native half of the Python module `rxgate`
//!
//! A thin pyo3 adapter over [`rxgate_core::api::call`]: it holds no rules, so Python answers
//! exactly what the CLI, the npm package and the wasmtime guest answer. The public package
//! (`python/rxgate/__init__.py`) wraps this private module `rxgate._core` in typed result
//! classes and Pythonic function names; every new core operation is reachable through
//! [`call`] with no Rust change.
//!
//! ## Design choices
//! - **No JSON round trip through Python.** Requests are walked once from Python objects
//!   straight into [`serde_json::Value`] ([`convert::to_json`]); JSON given as `str` or `bytes`
//!   is parsed in Rust (for `validate`, inside the core's fast path `validate_text`).
//!   `validate` reads a dict into a tape of tokens and borrowed strings ([`de::Tape`]) and
//!   the core reads its typed model from that, detached; its parameters go to the core
//!   typed (`api::ValidateParams`), with no request `Value` built for them. Answers are built
//!   directly as Python dicts and lists ([`convert::to_python`]); `validate`'s report stays
//!   the core's own until something reads more than `valid` ([`answer`]).
//! - **The work runs detached from the interpreter** (`Python::detach`, formerly
//!   `allow_threads`): other Python threads run while the core validates or decides, and
//!   [`check_many`] runs a whole batch in one detached section.
//! - **Misuse raises, verdicts return.** An [`ApiError`] becomes an instance of the exception
//!   class the pure-Python side registers for its code (`rxgate.InvalidInput`,
//!   `rxgate.SchemaError`, …, all subclasses of `rxgate.RxgateError` with `.code` and
//!   `.path`). A panic in the core is caught and raised as an `internal` error, never an
//!   abort. Messages come from the core and never contain input values.

mod answer;
mod convert;
mod de;

use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList, PyString};
use rxgate_core::api::{self, ApiError, ApiErrorCode};
use rxgate_core::issue::Report;
use serde_json::{Map, Value};
use std::borrow::Cow;
use std::panic::{catch_unwind, AssertUnwindSafe};

/// Runs one core operation, turning a panic into an `internal` [`ApiError`].
fn run(op: &str, request: &Value) -> Result<Value, ApiError> {
    catch_unwind(AssertUnwindSafe(|| api::call(op, request))).unwrap_or_else(|_| Err(panicked()))
}

/// The error a panic in the core becomes.
fn panicked() -> ApiError {
    ApiError::new(
        ApiErrorCode::Internal,
        "internal error: the rules engine panicked",
    )
}

/// The snake_case name of an error code (`invalid_request`, …).
fn code_name(code: ApiErrorCode) -> String {
    match serde_json::to_value(code) {
        Ok(Value::String(name)) => name,
        _ => "internal".to_owned(),
    }
}

/// Builds the Python exception for `err`: the class `rxgate._errors.error_class(code)`,
/// constructed as `cls(message, code, path)`.
fn raise(py: Python<'_>, err: &ApiError) -> PyErr {
    let code = code_name(err.code);
    let build = || -> PyResult<PyErr> {
        let module = py.import("rxgate._errors")?;
        let class = module.getattr("error_class")?.call1((code.as_str(),))?;
        let exc = class.call1((err.message.as_str(), code.as_str(), err.path.as_deref()))?;
        Ok(PyErr::from_value(exc))
    };
    build().unwrap_or_else(|e| e)
}

/// Turns a core answer into a Python object, or raises its error.
fn answer(py: Python<'_>, result: Result<Value, ApiError>) -> PyResult<Py<PyAny>> {
    match result {
        Ok(value) => convert::to_python(py, &value),
        Err(err) => Err(raise(py, &err)),
    }
}

/// A request given as `None` (empty), a dict, or JSON text (`str`/`bytes`, parsed in Rust).
fn request_value(request: Option<&Bound<'_, PyAny>>) -> Result<Value, ApiError> {
    match request {
        None => Ok(Value::Object(Map::new())),
        Some(obj) if obj.is_none() => Ok(Value::Object(Map::new())),
        Some(obj) => match text_of(obj)? {
            Some(text) => api::parse_request(&text),
            None => convert::to_json(obj, "request"),
        },
    }
}

/// The text of a `str` or UTF-8 `bytes` object; `None` for any other type.
fn text_of(obj: &Bound<'_, PyAny>) -> Result<Option<String>, ApiError> {
    Ok(borrowed_text_of(obj)?.map(Cow::into_owned))
}

/// As [`text_of`], borrowing: a `bytes` object's buffer is read in place (it is immutable
/// and the caller holds it), a `str` is borrowed where the ABI allows and copied otherwise.
fn borrowed_text_of<'a>(obj: &'a Bound<'_, PyAny>) -> Result<Option<Cow<'a, str>>, ApiError> {
    if let Ok(s) = obj.cast::<PyString>() {
        return s
            .to_cow()
            .map(Some)
            .map_err(|_| ApiError::new(ApiErrorCode::InvalidJson, "the text is not valid UTF-8"));
    }
    if let Ok(b) = obj.cast::<PyBytes>() {
        return std::str::from_utf8(b.as_bytes())
            .map(|t| Some(Cow::Borrowed(t)))
            .map_err(|e| {
                ApiError::new(
                    ApiErrorCode::InvalidJson,
                    format!(
                        "the bytes are not valid UTF-8 (byte offset {})",
                        e.valid_up_to()
                    ),
                )
            });
    }
    Ok(None)
}

/// `call(op, request=None)`: runs any operation of the core API on a request given as a
/// dict or as JSON text, and answers the plain JSON result (dicts and lists).
#[pyfunction]
#[pyo3(signature = (op, request = None))]
fn call(py: Python<'_>, op: &str, request: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
    let request = request_value(request).map_err(|e| raise(py, &e))?;
    let result = py.detach(|| run(op, &request));
    answer(py, result)
}

/// A document ready for the detached section: already converted, or JSON text to parse
/// there (from `str` or `bytes`).
enum Document {
    Json(Value),
    Text(String),
}

impl Document {
    /// Reads a Python document (attached: it walks Python objects).
    fn from_py(obj: &Bound<'_, PyAny>) -> Result<Self, ApiError> {
        Ok(match text_of(obj)? {
            Some(text) => Document::Text(text),
            None => Document::Json(convert::to_json(obj, "input")?),
        })
    }

    /// Runs `op` with this document as `input` beside `params` (detached: pure Rust).
    fn run(self, op: &str, params: Map<String, Value>) -> Result<Value, ApiError> {
        self.run_labelled(op, params, None).0
    }

    /// As [`Document::run`], also answering the value at JSON Pointer `label` of the
    /// document (e.g. `/order/number`), when asked and present.
    fn run_labelled(
        self,
        op: &str,
        mut params: Map<String, Value>,
        label: Option<&str>,
    ) -> (Result<Value, ApiError>, Option<Value>) {
        let input = match self {
            Document::Json(value) => value,
            Document::Text(text) => match api::parse_request(&text) {
                Ok(value) => value,
                Err(err) => return (Err(err), None),
            },
        };
        let tag = label.and_then(|pointer| input.pointer(pointer)).cloned();
        params.insert("input".to_owned(), input);
        (run(op, &Value::Object(params)), tag)
    }
}

/// `call_document(op, document, params=None)`: runs `op` with `document` (a dict or JSON
/// `str`/`bytes`, parsed in Rust) as the request's `input` and the dict `params` beside it.
#[pyfunction]
#[pyo3(signature = (op, document, params = None))]
fn call_document(
    py: Python<'_>,
    op: &str,
    document: &Bound<'_, PyAny>,
    params: Option<&Bound<'_, PyDict>>,
) -> PyResult<Py<PyAny>> {
    let params = params_map(params).map_err(|e| raise(py, &e))?;
    let document = Document::from_py(document).map_err(|e| raise(py, &e))?;
    let result = py.detach(move || document.run(op, params));
    answer(py, result)
}

/// The parameters dict as a JSON object (empty for `None`).
fn params_map(params: Option<&Bound<'_, PyDict>>) -> Result<Map<String, Value>, ApiError> {
    match params {
        None => Ok(Map::new()),
        Some(dict) => match convert::to_json(dict.as_any(), "params")? {
            Value::Object(map) => Ok(map),
            _ => Err(ApiError::invalid_request("params", "a dict")),
        },
    }
}

/// The report for one outbound body, as what `rxgate.Report` is built from: the core's
/// [`Report`] in an [`answer::Pending`], or the answer dict when only the generic operation
/// could read the document. A `str`/`bytes` payload goes to the core's fast path
/// (`validate_text`, parsed there); a dict is read into a tape and validated from it;
/// anything else is converted and validated (`validate`).
fn validate<'py>(
    py: Python<'py>,
    kind: &str,
    payload: &Bound<'py, PyAny>,
    today: &str,
    allowed_states: Option<Vec<String>>,
    max_image_bytes: Option<u64>,
) -> PyResult<Bound<'py, PyAny>> {
    let pending = |report| Ok(Bound::new(py, answer::Pending::report(report))?.into_any());
    // Typed parameters (`api::ValidateParams`): no request `Value` is built for the fast
    // paths; the fallback below, for a document JSON cannot hold, asks the core for one.
    let params = api::ValidateParams {
        kind,
        today: Some(today),
        allowed_states,
        max_image_bytes,
    };
    if let Some(text) = borrowed_text_of(payload).map_err(|e| raise(py, &e))? {
        // The body is parsed straight from the caller's buffer, detached from the interpreter.
        let text: &str = &text;
        let result = py.detach(|| {
            catch_unwind(AssertUnwindSafe(|| api::validate_text_with(params, text)))
                .unwrap_or_else(|_| Err(panicked()))
        });
        return result.map_err(|err| raise(py, &err)).and_then(pending);
    }
    // Any other document is read into a tape (attached), then straight into the typed model
    // (detached); what JSON cannot hold stops that walk, and the conversion below explains
    // it (type and JSON Pointer).
    match validate_tape(py, params.clone(), payload) {
        Ok(Ok(report)) => return pending(report),
        Ok(Err(de::NotJson)) => {}
        Err(err) => return Err(raise(py, &err)),
    }
    let input = convert::to_json(payload, "input").map_err(|e| raise(py, &e))?;
    let request = params.request(input);
    let result = py.detach(|| run("validate", &request));
    answer(py, result).map(|dict| dict.into_bound(py))
}

/// Validates an outbound Beluga body of `kind` (see `rxgate.KINDS`). `payload` is a dict or
/// JSON `str`/`bytes` (parsed in Rust by the core's fast path). `today` (a date or ISO
/// string, default `default_today()`) drives the 18+ rule. `Report.to_dict()` equals what
/// `rxgate validate` prints.
///
/// This is `rxgate.validate` itself (the text above is its `help()`): no Python frame runs
/// between the call and the `rxgate.Report` it answers, which holds the core's report and
/// builds its answer dict only when read (`answer::Pending`).
#[pyfunction]
#[pyo3(signature = (kind, payload, today = None, *, allowed_states = None, max_image_bytes = None))]
fn validate_report(
    py: Python<'_>,
    kind: &str,
    payload: &Bound<'_, PyAny>,
    today: Option<&Bound<'_, PyAny>>,
    allowed_states: Option<&Bound<'_, PyAny>>,
    max_image_bytes: Option<u64>,
) -> PyResult<Py<PyAny>> {
    let owned;
    let today: &str = match today.map(|t| t.cast::<PyString>()) {
        Some(Ok(text)) => {
            owned = text.to_cow()?;
            &owned
        }
        // A date, a datetime or `None`: the package's own `_today` turns it into text.
        _ => {
            owned = Cow::Owned(
                py.import(pyo3::intern!(py, "rxgate"))?
                    .getattr(pyo3::intern!(py, "_today"))?
                    .call1((today,))?
                    .extract::<String>()?,
            );
            &owned
        }
    };
    // Any iterable of names, as `list(allowed_states)` reads it.
    let states = allowed_states
        .filter(|s| !s.is_none())
        .map(|s| {
            s.try_iter()?
                .map(|name| name?.extract::<String>())
                .collect()
        })
        .transpose()?;
    let answer = validate(py, kind, payload, today, states, max_image_bytes)?;
    let report = REPORT.get_or_try_init(py, || -> PyResult<Py<PyAny>> {
        Ok(py.import("rxgate._results")?.getattr("Report")?.unbind())
    })?;
    Ok(report.bind(py).call1((answer,))?.unbind())
}

/// The package's `Report` class, looked up once.
static REPORT: pyo3::sync::PyOnceLock<Py<PyAny>> = pyo3::sync::PyOnceLock::new();

/// Validates a Python document read into a [`de::Tape`] (attached), the rules detached:
/// `Ok(Err(NotJson))` when the document holds what JSON cannot.
fn validate_tape(
    py: Python<'_>,
    params: api::ValidateParams<'_>,
    payload: &Bound<'_, PyAny>,
) -> Result<Result<Report, de::NotJson>, ApiError> {
    let tape = match de::Tape::read(payload) {
        Ok(tape) => tape,
        Err(not_json) => return Ok(Err(not_json)),
    };
    let texts = match tape.texts() {
        Ok(texts) => texts,
        Err(not_json) => return Ok(Err(not_json)),
    };
    let tokens = tape.tokens();
    py.detach(|| {
        catch_unwind(AssertUnwindSafe(|| {
            api::validate_document_with(params, &mut de::Cursor::new(tokens, &texts))
        }))
        .unwrap_or_else(|_| Err(panicked()))
    })
}

/// `check_many(op, documents, params=None, label=None)`: runs `op` on every document of an
/// iterable (dicts or JSON `str`/`bytes`) in one section detached from the interpreter.
/// Answers a list with one entry per document, in order: `(True, output, tag)` or
/// `(False, (code, message, path), tag)`, where `tag` is the value at JSON Pointer `label`
/// of the document (`None` when not asked or absent). A document that cannot be converted
/// or parsed is an error entry, never an exception for the whole batch.
#[pyfunction]
#[pyo3(signature = (op, documents, params = None, label = None))]
fn check_many(
    py: Python<'_>,
    op: &str,
    documents: &Bound<'_, PyAny>,
    params: Option<&Bound<'_, PyDict>>,
    label: Option<&str>,
) -> PyResult<Py<PyAny>> {
    let params = params_map(params).map_err(|e| raise(py, &e))?;
    let mut prepared = Vec::new();
    for item in documents.try_iter()? {
        prepared.push(Document::from_py(&item?));
    }
    let results: Vec<(Result<Value, ApiError>, Option<Value>)> = py.detach(move || {
        prepared
            .into_iter()
            .map(|doc| match doc {
                Ok(doc) => doc.run_labelled(op, params.clone(), label),
                Err(err) => (Err(err), None),
            })
            .collect()
    });
    let list = PyList::empty(py);
    for (result, tag) in results {
        let tag = match tag {
            Some(value) => convert::to_python(py, &value)?,
            None => py.None(),
        };
        let entry = match result {
            Ok(value) => (true, convert::to_python(py, &value)?, tag).into_pyobject(py)?,
            Err(err) => {
                let detail = (code_name(err.code), err.message, err.path);
                (false, detail.into_pyobject(py)?.into_any().unbind(), tag).into_pyobject(py)?
            }
        };
        list.append(entry)?;
    }
    Ok(list.into_any().unbind())
}

/// `default_today()`: today's business date (`YYYY-MM-DD` at UTC−10) by the system clock; the
/// rule is the core's, only the clock is read here.
#[pyfunction]
fn default_today() -> PyResult<String> {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .ok()
        .and_then(|d| i64::try_from(d.as_millis()).ok())
        .and_then(rxgate_core::calendar::business_date_of_unix_ms);
    now.ok_or_else(|| pyo3::exceptions::PyRuntimeError::new_err("the system clock is out of range"))
}

/// The native module `rxgate._core`. It keeps no state of its own, but free-threaded
/// support is declared only after review (`gil_used = true` until then).
#[pymodule(gil_used = true)]
fn _core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(call, m)?)?;
    m.add_function(wrap_pyfunction!(call_document, m)?)?;
    m.add_function(wrap_pyfunction!(validate_report, m)?)?;
    m.add_function(wrap_pyfunction!(check_many, m)?)?;
    m.add_function(wrap_pyfunction!(default_today, m)?)?;
    m.add_class::<answer::Answer>()?;
    m.add_class::<answer::Field>()?;
    m.add("CORE_VERSION", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
