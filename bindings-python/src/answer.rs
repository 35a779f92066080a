//! The native base of the package's result classes (`rxgate._results.Result`) and of their
//! declared fields.
//!
//! Every call of the package answers with a result object over the core's answer dict, and
//! most callers read one field of it (`report.valid`). Written in Python, building that
//! object ran an `__init__` frame and reading the field ran a descriptor's `__get__` frame;
//! with the `validate` wrapper's own frame, about a fifth of a call from a dict (issue 17).
//! Here both are type slots: [`Answer`] holds the answer dict and the cache of converted
//! fields (`_data`, `_converted`), and a [`Field`] answers a plain field present in the dict
//! with one lookup and turns a violation list into its tuple of `Violation`s once.
//! Everything else a result class does (nested results, optional and list defaults,
//! `to_dict`, `repr`, refusing writes) stays in Python, reached through the class's
//! `__getattr__`.

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString, PyTuple};

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
/// from it; a list field with an item class (the violations) becomes, on first access, a
/// tuple of that class's objects, kept in `_converted`; anything else (an absent or nested
/// field) is the class's `__getattr__`.
#[pyclass(frozen, module = "rxgate._core")]
pub(crate) struct Field {
    name: Py<PyString>,
    plain: bool,
    items: Option<Py<PyAny>>,
}

#[pymethods]
impl Field {
    #[new]
    #[pyo3(signature = (name, plain, items = None))]
    fn new(name: Bound<'_, PyString>, plain: bool, items: Option<Bound<'_, PyAny>>) -> Self {
        Field {
            name: name.unbind(),
            plain,
            items: items.map(Bound::unbind),
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
        if let Ok(answer) = obj.cast::<Answer>() {
            if let Some(value) = field.read(answer, name)? {
                return Ok(value);
            }
        }
        obj.call_method1(pyo3::intern!(py, "__getattr__"), (name,))
    }
}

impl Field {
    /// The field read natively, or `None` for the class's `__getattr__` to answer.
    fn read<'py>(
        &self,
        answer: &Bound<'py, Answer>,
        name: &Bound<'py, PyString>,
    ) -> PyResult<Option<Bound<'py, PyAny>>> {
        let py = answer.py();
        let (data, converted) = {
            let state = answer.borrow();
            let converted = state.converted.as_ref().map(|c| c.clone_ref(py));
            (state.data.clone_ref(py).into_bound(py), converted)
        };
        if self.plain {
            return data.get_item(name);
        }
        let Some(items) = &self.items else {
            return Ok(None);
        };
        if let Some(kept) = converted.as_ref().map(|c| c.bind(py).get_item(name)) {
            if let Some(kept) = kept? {
                return Ok(Some(kept));
            }
        }
        let Some(list) = data.get_item(name)? else {
            return Ok(None);
        };
        let Ok(list) = list.cast::<PyList>() else {
            return Ok(None);
        };
        let items = items.bind(py);
        let objects = list
            .iter()
            .map(|item| items.call1((item,)))
            .collect::<PyResult<Vec<_>>>()?;
        let tuple = PyTuple::new(py, objects)?.into_any();
        let converted = match converted {
            Some(kept) => kept.into_bound(py),
            None => {
                let kept = PyDict::new(py);
                answer.borrow_mut().converted = Some(kept.clone().unbind());
                kept
            }
        };
        converted.set_item(name, &tuple)?;
        Ok(Some(tuple))
    }
}
