//! Python objects to [`serde_json::Value`] and back, without a JSON text round trip.
//!
//! Accepted on the way in: `None`, `bool`, `int` (within i64/u64), finite `float`, `str`,
//! `list`/`tuple`, and `dict` with `str` keys, nested at most [`MAX_DEPTH`] deep. Anything
//! else is an `invalid_request` error naming the Python type and the JSON Pointer where it
//! sits, never the value (payloads are patient data).

use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};
use rxgate_core::api::{ApiError, ApiErrorCode};
use rxgate_core::issue::Report;
use serde_json::{Map, Number, Value};

/// Deepest nesting accepted (serde_json's own parser stops at 128).
pub(crate) const MAX_DEPTH: usize = 128;

/// Converts a Python object into JSON; `name` is the argument name used in errors.
pub(crate) fn to_json(obj: &Bound<'_, PyAny>, name: &str) -> Result<Value, ApiError> {
    let mut path = String::new();
    walk(obj, 0, &mut path).map_err(|why| {
        ApiError::new(
            ApiErrorCode::InvalidRequest,
            format!("`{name}` cannot be converted to JSON at `{path}`: {why}"),
        )
        .at(format!("/{name}{path}"))
    })
}

/// JSON Pointer escaping of one key.
fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "?".to_owned())
}

/// Walks `obj`; on error `path` is left pointing at the offending value.
fn walk(obj: &Bound<'_, PyAny>, depth: usize, path: &mut String) -> Result<Value, String> {
    if depth > MAX_DEPTH {
        return Err(format!("nested deeper than {MAX_DEPTH} levels"));
    }
    if obj.is_none() {
        return Ok(Value::Null);
    }
    if let Ok(s) = obj.cast::<PyString>() {
        return s
            .to_cow()
            .map(|t| Value::String(t.into_owned()))
            .map_err(|_| "a str that is not valid Unicode".to_owned());
    }
    if let Ok(b) = obj.cast::<PyBool>() {
        return Ok(Value::Bool(b.is_true()));
    }
    if let Ok(dict) = obj.cast::<PyDict>() {
        let mut map = Map::new();
        for (key, value) in dict.iter() {
            let Ok(key) = key.cast::<PyString>() else {
                return Err(format!("a dict key of type {}", type_name(&key)));
            };
            let key = key
                .to_cow()
                .map_err(|_| "a dict key that is not valid Unicode".to_owned())?;
            let len = path.len();
            path.push('/');
            path.push_str(&escape(&key));
            let value = walk(&value, depth + 1, path)?;
            path.truncate(len);
            map.insert(key.into_owned(), value);
        }
        return Ok(Value::Object(map));
    }
    if let Ok(list) = obj.cast::<PyList>() {
        return items(list.iter(), depth, path);
    }
    if let Ok(tuple) = obj.cast::<PyTuple>() {
        return items(tuple.iter(), depth, path);
    }
    if let Ok(int) = obj.cast::<PyInt>() {
        if let Ok(n) = int.extract::<i64>() {
            return Ok(Value::from(n));
        }
        return int
            .extract::<u64>()
            .map(Value::from)
            .map_err(|_| "an int outside the 64-bit range".to_owned());
    }
    if let Ok(float) = obj.cast::<PyFloat>() {
        return Number::from_f64(float.value())
            .map(Value::Number)
            .ok_or_else(|| "a float that is NaN or infinite".to_owned());
    }
    Err(format!("a value of type {}", type_name(obj)))
}

fn items<'py>(
    iter: impl Iterator<Item = Bound<'py, PyAny>>,
    depth: usize,
    path: &mut String,
) -> Result<Value, String> {
    let mut out = Vec::new();
    for (index, item) in iter.enumerate() {
        let len = path.len();
        path.push('/');
        path.push_str(&index.to_string());
        out.push(walk(&item, depth + 1, path)?);
        path.truncate(len);
    }
    Ok(Value::Array(out))
}

/// Builds the Python form of a JSON value: dicts, lists, str, int, float, bool, None.
pub(crate) fn to_python(py: Python<'_>, value: &Value) -> PyResult<Py<PyAny>> {
    Ok(match value {
        Value::Null => py.None(),
        Value::Bool(b) => PyBool::new(py, *b).to_owned().into_any().unbind(),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                i.into_pyobject(py)?.into_any().unbind()
            } else if let Some(u) = n.as_u64() {
                u.into_pyobject(py)?.into_any().unbind()
            } else {
                n.as_f64()
                    .unwrap_or(f64::NAN)
                    .into_pyobject(py)?
                    .into_any()
                    .unbind()
            }
        }
        Value::String(s) => PyString::new(py, s).into_any().unbind(),
        Value::Array(items) => {
            let list = PyList::empty(py);
            for item in items {
                list.append(to_python(py, item)?)?;
            }
            list.into_any().unbind()
        }
        Value::Object(map) => {
            let dict = PyDict::new(py);
            for (key, item) in map {
                dict.set_item(key, to_python(py, item)?)?;
            }
            dict.into_any().unbind()
        }
    })
}

/// A validation report as the dict `validate` answers (`{valid, violations, warnings}`),
/// built from the typed report with no intermediate JSON value, when a result object first
/// needs it (`answer::Answer`).
pub(crate) fn report_to_python<'py>(
    py: Python<'py>,
    report: &Report,
) -> PyResult<Bound<'py, PyDict>> {
    let dict = PyDict::new(py);
    dict.set_item(pyo3::intern!(py, "valid"), report.valid)?;
    for (key, list) in [
        (pyo3::intern!(py, "violations"), &report.violations),
        (pyo3::intern!(py, "warnings"), &report.warnings),
    ] {
        let items = PyList::empty(py);
        for violation in list {
            items.append(violation_to_python(py, violation)?)?;
        }
        dict.set_item(key, items)?;
    }
    Ok(dict)
}

/// `{code, path, message, beluga_error}` built straight from the violation (what
/// `serde_json::to_value` of it gives, with no `Value` in between), keys interned.
pub(crate) fn violation_to_python<'py>(
    py: Python<'py>,
    violation: &rxgate_core::issue::Violation,
) -> PyResult<Bound<'py, PyDict>> {
    let dict = PyDict::new(py);
    dict.set_item(pyo3::intern!(py, "code"), violation.code.as_str())?;
    dict.set_item(pyo3::intern!(py, "path"), violation.path.as_str())?;
    dict.set_item(pyo3::intern!(py, "message"), violation.message.as_str())?;
    dict.set_item(
        pyo3::intern!(py, "beluga_error"),
        violation.beluga_error.as_deref(),
    )?;
    Ok(dict)
}
