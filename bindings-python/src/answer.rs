//! The native base of the package's result classes (`rxgate._results.Result`) and of their
//! declared fields.
//!
//! Every call of the package answers with a result object over the core's answer dict, and
//! most callers read one field of it (`report.valid`). Written in Python, building that
//! object ran an `__init__` frame and reading the field ran a descriptor's `__get__` frame;
//! with the `validate` wrapper's own frame, about a fifth of a call from a dict (issue 17).
//! Here both are type slots: [`Answer`] holds the answer and the cache of converted fields
//! (`_data`, `_converted`), and a [`Field`] answers a plain field present in the answer with
//! one lookup and turns a violation list into its tuple of `Violation`s once.
//!
//! A validation report is kept as the core's own [`Report`] until something needs its dict:
//! building the dict and its two lists, then freeing them, cost a valid report more than the
//! result object itself. `report.valid` reads the Rust field, an empty violation list is the
//! empty tuple, and anything else (`_data`, a non-empty list, an undeclared key) builds the
//! dict once, exactly the one [`crate::convert::report_to_python`] always built.
//! Everything else a result class does (nested results, optional and list defaults,
//! `to_dict`, `repr`, refusing writes) stays in Python, reached through the class's
//! `__getattr__`.

use crate::convert::report_to_python;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyList, PyString, PyTuple};
use rxgate_core::issue::Report;

/// The core's answer held by a result object: its dict, or a report not yet turned into one.
enum Data {
    Dict(Py<PyDict>),
    Report(Report),
}

/// A report on its way into a result object: what `Report(pending)` is built from, so the
/// report is moved, never converted (see the module's opening). Only the binding makes one.
#[pyclass(module = "rxgate._core")]
pub(crate) struct Pending(Option<Report>);

impl Pending {
    pub(crate) fn new(report: Report) -> Self {
        Pending(Some(report))
    }
}

/// The state of a result object: the core's answer, and the fields converted from it on
/// first access (`None` until one is).
#[pyclass(subclass, module = "rxgate._core")]
pub(crate) struct Answer {
    data: Data,
    converted: Option<Py<PyDict>>,
}

#[pymethods]
impl Answer {
    #[new]
    fn new(data: &Bound<'_, PyAny>) -> PyResult<Self> {
        let data = if let Ok(dict) = data.cast::<PyDict>() {
            Data::Dict(dict.clone().unbind())
        } else if let Some(report) = data
            .cast::<Pending>()
            .ok()
            .and_then(|pending| pending.borrow_mut().0.take())
        {
            Data::Report(report)
        } else {
            return Err(PyTypeError::new_err(
                "a result is built from its answer dict",
            ));
        };
        Ok(Answer {
            data,
            converted: None,
        })
    }

    /// The core's answer (the dict itself: `to_dict()` copies it).
    #[getter(_data)]
    fn data(slf: &Bound<'_, Self>) -> PyResult<Py<PyDict>> {
        Answer::dict(slf).map(Bound::unbind)
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

impl Answer {
    /// The answer as its dict, built from the report (once) if it is still one.
    fn dict<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyDict>> {
        let py = slf.py();
        let dict = match &slf.borrow().data {
            Data::Dict(dict) => return Ok(dict.bind(py).clone()),
            Data::Report(report) => report_to_python(py, report)?,
        };
        // Building the dict runs no Python code of ours, but a collection could run someone
        // else's; a result borrowed meanwhile answers this dict and builds it again next time.
        if let Ok(mut state) = slf.try_borrow_mut() {
            state.data = Data::Dict(dict.clone().unbind());
        }
        Ok(dict)
    }

    /// What a still unconverted report answers for `name` without its dict: `valid`, and an
    /// empty violation list as the empty tuple. `None` when the dict is needed.
    fn read_report<'py>(
        &self,
        name: &Bound<'py, PyString>,
        listed: bool,
    ) -> PyResult<Option<Bound<'py, PyAny>>> {
        let py = name.py();
        let Data::Report(report) = &self.data else {
            return Ok(None);
        };
        let empty = |list: &Vec<_>| listed && list.is_empty();
        Ok(match &*name.to_cow()? {
            "valid" if !listed => Some(PyBool::new(py, report.valid).to_owned().into_any()),
            "violations" if empty(&report.violations) => Some(PyTuple::empty(py).into_any()),
            "warnings" if empty(&report.warnings) => Some(PyTuple::empty(py).into_any()),
            _ => None,
        })
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
        if let Some(value) = answer.borrow().read_report(name, self.items.is_some())? {
            return Ok(Some(value));
        }
        let data = Answer::dict(answer)?;
        let converted = answer.borrow().converted.as_ref().map(|c| c.clone_ref(py));
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
