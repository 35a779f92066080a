//! A serde [`Deserializer`] over Python objects: `validate(kind, dict)` walks the dict
//! straight into the core's typed request model (`contract::validate_deserializer`), with
//! no `serde_json::Value` built first. It accepts exactly what [`crate::convert::to_json`]
//! accepts; on anything else it stops with an error and the caller converts the document
//! the old way, so the error the user sees (type and JSON Pointer) is the same one.

use crate::convert::MAX_DEPTH;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use std::fmt;

/// Why a Python object could not be read as JSON (the caller re-walks it for the message).
#[derive(Debug)]
pub(crate) struct NotJson;

impl fmt::Display for NotJson {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("not a JSON-compatible value")
    }
}

impl std::error::Error for NotJson {}

impl de::Error for NotJson {
    fn custom<T: fmt::Display>(_msg: T) -> Self {
        NotJson
    }
}

/// One Python object at a nesting depth.
pub(crate) struct PyDe<'a, 'py> {
    obj: &'a Bound<'py, PyAny>,
    depth: usize,
}

impl<'a, 'py> PyDe<'a, 'py> {
    /// The deserializer of a top-level document.
    pub(crate) fn new(obj: &'a Bound<'py, PyAny>) -> Self {
        Self { obj, depth: 0 }
    }
}

impl<'de> Deserializer<'de> for PyDe<'_, '_> {
    type Error = NotJson;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, NotJson> {
        let obj = self.obj;
        if self.depth > MAX_DEPTH {
            return Err(NotJson);
        }
        if obj.is_none() {
            return visitor.visit_unit();
        }
        if let Ok(s) = obj.cast::<PyString>() {
            let text = s.to_cow().map_err(|_| NotJson)?;
            return visitor.visit_str(&text);
        }
        if let Ok(b) = obj.cast::<PyBool>() {
            return visitor.visit_bool(b.is_true());
        }
        if let Ok(dict) = obj.cast::<PyDict>() {
            let mut entries = Entries {
                iter: dict.iter(),
                value: None,
                depth: self.depth + 1,
            };
            return visitor.visit_map(&mut entries);
        }
        if let Ok(list) = obj.cast::<PyList>() {
            let items: Vec<Bound<'_, PyAny>> = list.iter().collect();
            return visitor.visit_seq(Items::new(items, self.depth + 1));
        }
        if let Ok(tuple) = obj.cast::<PyTuple>() {
            let items: Vec<Bound<'_, PyAny>> = tuple.iter().collect();
            return visitor.visit_seq(Items::new(items, self.depth + 1));
        }
        if let Ok(int) = obj.cast::<PyInt>() {
            if let Ok(n) = int.extract::<i64>() {
                return visitor.visit_i64(n);
            }
            return visitor.visit_u64(int.extract::<u64>().map_err(|_| NotJson)?);
        }
        if let Ok(float) = obj.cast::<PyFloat>() {
            let value = float.value();
            if value.is_finite() {
                return visitor.visit_f64(value);
            }
        }
        Err(NotJson)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf option unit unit_struct newtype_struct seq tuple
        tuple_struct map struct enum identifier ignored_any
    }
}

/// The members of a dict; keys must be `str`.
struct Entries<'py> {
    iter: pyo3::types::iter::BoundDictIterator<'py>,
    value: Option<Bound<'py, PyAny>>,
    depth: usize,
}

impl<'de> MapAccess<'de> for &mut Entries<'_> {
    type Error = NotJson;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, NotJson> {
        let Some((key, value)) = self.iter.next() else {
            return Ok(None);
        };
        if key.cast::<PyString>().is_err() {
            return Err(NotJson);
        }
        self.value = Some(value);
        seed.deserialize(PyDe {
            obj: &key,
            depth: self.depth,
        })
        .map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, NotJson> {
        let value = self.value.take().ok_or(NotJson)?;
        seed.deserialize(PyDe {
            obj: &value,
            depth: self.depth,
        })
    }
}

/// The items of a list or tuple.
struct Items<'py> {
    items: std::vec::IntoIter<Bound<'py, PyAny>>,
    len: usize,
    depth: usize,
}

impl<'py> Items<'py> {
    fn new(items: Vec<Bound<'py, PyAny>>, depth: usize) -> Self {
        Self {
            len: items.len(),
            items: items.into_iter(),
            depth,
        }
    }
}

impl<'de> SeqAccess<'de> for Items<'_> {
    type Error = NotJson;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, NotJson> {
        match self.items.next() {
            None => Ok(None),
            Some(item) => seed
                .deserialize(PyDe {
                    obj: &item,
                    depth: self.depth,
                })
                .map(Some),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.len)
    }
}
