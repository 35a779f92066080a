//! The native base of the package's result classes (`rxgate._results.Result`) and of their
//! declared fields.
//!
//! Every call of the package answers with a result object over the core's answer dict, and
//! most callers read one field of it (`report.valid`). Written in Python, building that
//! object ran an `__init__` frame and reading the field ran a descriptor's `__get__` frame:
//! together about as long as the core's work on a small body (issue 17). Here both are
//! type slots: [`Answer`] holds the answer dict and the cache of converted fields (`_data`,
//! `_converted`), and a [`Field`] answers a plain field present in the dict with one lookup.
//! Everything else a result class does (violation tuples, nested results, optional fields,
//! `to_dict`, `repr`) stays in Python, reached through the class's `__getattr__`.

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString};

/// The state of a result object: the core's answer, and the fields converted from it on
/// first access (`None` until one is).
#[pyclass(subclass, module = "rxgate._core")]
pub(crate) struct Answer {
    data: Py<PyDict>,
    converted: Option<Py<PyDict>>,
}

#[pymethods]
impl Answer {
    #[new]
    fn new(data: Bound<'_, PyDict>) -> Self {
        Answer {
            data: data.unbind(),
            converted: None,
        }
    }

    /// The core's answer (the dict itself: `to_dict()` copies it).
    #[getter(_data)]
    fn data(&self, py: Python<'_>) -> Py<PyDict> {
        self.data.clone_ref(py)
    }

    /// The fields converted so far, or `None`.
    #[getter(_converted)]
    fn converted(&self, py: Python<'_>) -> Option<Py<PyDict>> {
        self.converted.as_ref().map(|c| c.clone_ref(py))
    }

    #[setter(_converted)]
    fn set_converted(&mut self, converted: Option<Py<PyDict>>) {
        self.converted = converted;
    }
}

/// A declared field of a result class. A plain field present in the answer is read straight
/// from it; anything else (an absent or converted field) is the class's `__getattr__`.
#[pyclass(frozen, module = "rxgate._core")]
pub(crate) struct Field {
    name: Py<PyString>,
    plain: bool,
}

#[pymethods]
impl Field {
    #[new]
    fn new(name: Bound<'_, PyString>, plain: bool) -> Self {
        Field {
            name: name.unbind(),
            plain,
        }
    }

    /// The field's name.
    #[getter]
    fn name(&self, py: Python<'_>) -> Py<PyString> {
        self.name.clone_ref(py)
    }

    /// Whether the answer's value is returned as it is.
    #[getter]
    fn plain(&self) -> bool {
        self.plain
    }

    fn __get__<'py>(
        slf: &Bound<'py, Self>,
        obj: Option<Bound<'py, PyAny>>,
        _owner: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let Some(obj) = obj.filter(|o| !o.is_none()) else {
            return Ok(slf.clone().into_any());
        };
        let py = slf.py();
        let field = slf.get();
        let name = field.name.bind(py);
        if field.plain {
            if let Ok(answer) = obj.cast::<Answer>() {
                let data = answer.borrow().data.clone_ref(py);
                if let Some(value) = data.bind(py).get_item(name)? {
                    return Ok(value);
                }
            }
        }
        obj.call_method1(pyo3::intern!(py, "__getattr__"), (name,))
    }
}
