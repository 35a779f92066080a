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
//! A validation report is kept as the core's own [`Report`], and each violation read from
//! it as the core's [`Violation`], until something needs the answer dict: building the dicts
//! and lists, then freeing them, cost more than the result objects themselves.
//! `report.valid`, `len(report.violations)` and a violation's fields read the Rust values;
//! anything else (`_data`, `to_dict()`, an undeclared key) builds the dict once, exactly the
//! one [`crate::convert::report_to_python`] always built.
//!
//! Everything else a result class does (nested results, optional and list defaults,
//! `to_dict`, `repr`, refusing writes) stays in Python, reached through the class's
//! `__getattr__`.

use crate::convert::{report_to_python, violation_to_python};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyList, PyString, PyTuple};
use rxgate_core::issue::{Report, Violation};

/// The core's answer held by a result object: its dict, or a report or one of its
/// violations not yet turned into one.
enum Data {
    Dict(Py<PyDict>),
    Report(Report),
    Violation(Violation),
}

/// A core value on its way into a result object: what `Report(pending)` and
/// `Violation(pending)` are built from, so the value is moved, never converted (see the
/// module's opening). Only the binding makes one.
#[pyclass(module = "rxgate._core")]
pub(crate) struct Pending(Option<Data>);

impl Pending {
    pub(crate) fn report(report: Report) -> Self {
        Pending(Some(Data::Report(report)))
    }

    fn violation(violation: Violation) -> Self {
        Pending(Some(Data::Violation(violation)))
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
        } else if let Some(held) = data
            .cast::<Pending>()
            .ok()
            .and_then(|pending| pending.borrow_mut().0.take())
        {
            held
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

    /// Keeps `value`, converted for `name` (a nested result), and answers it: the one way
    /// anything enters `_converted`, for the native fields and the class's `__getattr__`.
    #[pyo3(name = "_keep")]
    fn keep_converted<'py>(
        slf: &Bound<'py, Self>,
        name: &Bound<'py, PyString>,
        value: Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        Answer::keep(slf, name, &value)?;
        Ok(value)
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
    /// The answer as its dict, built (once) from the core value it still holds.
    fn dict<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyDict>> {
        let py = slf.py();
        let dict = match &slf.borrow().data {
            Data::Dict(dict) => return Ok(dict.bind(py).clone()),
            Data::Report(report) => report_to_python(py, report)?,
            Data::Violation(violation) => violation_to_python(py, violation)?,
        };
        // Building the dict runs no Python code of ours, but a collection could run someone
        // else's; a result borrowed meanwhile answers this dict and builds it again next time.
        if let Ok(mut state) = slf.try_borrow_mut() {
            state.data = Data::Dict(dict.clone().unbind());
        }
        Ok(dict)
    }

    /// What a result still holding a core value answers for `name` without its dict.
    fn read_native<'py>(&self, name: &Bound<'py, PyString>, listed: bool) -> PyResult<Native<'py>> {
        if let Data::Dict(_) = self.data {
            return Ok(Native::Dict);
        }
        let py = name.py();
        let text = |t: &str| Native::Value(PyString::new(py, t).into_any());
        Ok(match (&self.data, &*name.to_cow()?, listed) {
            (Data::Report(report), "valid", false) => {
                Native::Value(PyBool::new(py, report.valid).to_owned().into_any())
            }
            (Data::Report(report), "violations", true) => Native::listed(py, &report.violations),
            (Data::Report(report), "warnings", true) => Native::listed(py, &report.warnings),
            (Data::Violation(v), "code", false) => text(v.code.as_str()),
            (Data::Violation(v), "path", false) => text(&v.path),
            (Data::Violation(v), "message", false) => text(&v.message),
            (Data::Violation(v), "beluga_error", false) => match &v.beluga_error {
                Some(error) => text(error),
                None => Native::Value(py.None().into_bound(py)),
            },
            _ => Native::Dict,
        })
    }

    /// Keeps `value`, converted for `name`, in `_converted`.
    fn keep(
        slf: &Bound<'_, Self>,
        name: &Bound<'_, PyString>,
        value: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        let py = slf.py();
        let kept = slf.borrow().converted.as_ref().map(|c| c.clone_ref(py));
        let kept = match kept {
            Some(kept) => kept.into_bound(py),
            None => {
                let kept = PyDict::new(py);
                slf.borrow_mut().converted = Some(kept.clone().unbind());
                kept
            }
        };
        kept.set_item(name, value)
    }
}

/// What [`Answer::read_native`] found.
enum Native<'py> {
    /// The field's value.
    Value(Bound<'py, PyAny>),
    /// A violation list to turn into result objects (a copy: the report keeps its own).
    Violations(Vec<Violation>),
    /// Only the answer dict can say.
    Dict,
}

impl<'py> Native<'py> {
    /// A violation list: the empty tuple when empty, else the violations to convert.
    fn listed(py: Python<'py>, list: &[Violation]) -> Self {
        if list.is_empty() {
            Native::Value(PyTuple::empty(py).into_any())
        } else {
            Native::Violations(list.to_vec())
        }
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
        let listed = self.items.is_some();
        if listed {
            let kept = answer.borrow().converted.as_ref().map(|c| c.clone_ref(py));
            if let Some(kept) = kept
                .map(|c| c.bind(py).get_item(name))
                .transpose()?
                .flatten()
            {
                return Ok(Some(kept));
            }
        }
        let native = answer.borrow().read_native(name, listed)?;
        let objects = match (native, &self.items) {
            (Native::Value(value), _) => return Ok(Some(value)),
            (Native::Violations(list), Some(items)) => list
                .into_iter()
                .map(|v| {
                    let pending = Bound::new(py, Pending::violation(v))?;
                    items.bind(py).call1((pending,))
                })
                .collect::<PyResult<Vec<_>>>()?,
            (Native::Dict, items) | (Native::Violations(_), items @ None) => {
                let data = Answer::dict(answer)?;
                if self.plain {
                    return data.get_item(name);
                }
                let Some(list) = data.get_item(name)? else {
                    return Ok(None);
                };
                match (list.cast::<PyList>(), items) {
                    (Ok(list), Some(items)) => list
                        .iter()
                        .map(|item| items.bind(py).call1((item,)))
                        .collect::<PyResult<Vec<_>>>()?,
                    _ => return Ok(None),
                }
            }
        };
        let tuple = PyTuple::new(py, objects)?.into_any();
        Answer::keep(answer, name, &tuple)?;
        Ok(Some(tuple))
    }
}
