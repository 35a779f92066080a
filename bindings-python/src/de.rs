//! A Python document read as a tape: `validate(kind, dict)` walks the dict once, attached to
//! the interpreter, into a flat list of tokens ([`Tape`]) that keeps a reference to each
//! `str` it met; the core then reads the tape through a serde [`Deserializer`] detached
//! from the interpreter, straight into its typed request model
//! (`contract::validate_deserializer`), with no `serde_json::Value` built first.
//!
//! Why a tape rather than a deserializer over the Python objects themselves:
//! - **Strings are borrowed, never copied.** The tape holds a strong reference to every
//!   `str`, so their UTF-8 views (`PyUnicode_AsUTF8AndSize`, cached by the object) live as
//!   long as the tape. The core's model borrows them (`visit_borrowed_str`); walking the
//!   Python objects directly could only lend each string for one call, and the model copied
//!   every one (a third of the dict path was `malloc`, `memcpy` and `free`).
//! - **The rules run detached**, as on the bytes path: other Python threads run meanwhile,
//!   and they cannot change what is validated (the tape owns its strings, which are
//!   immutable; the containers are not read again).
//!
//! It accepts exactly what [`crate::convert::to_json`] accepts; on anything else the walk
//! stops ([`NotJson`]) and the caller converts the document the old way, so the error the
//! user sees (type and JSON Pointer) is the same one.

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

/// The tokens (and strings) room is made for at first: a 2 KB visit body has about 110
/// tokens, 70 of them strings, so it is read with no reallocation.
const TOKENS: usize = 128;

/// One token. Containers give their member count and the index just past their last token,
/// so a reader that stops early still resumes at the right place.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Tok {
    Null,
    Bool(bool),
    I64(i64),
    U64(u64),
    F64(f64),
    /// Index into the tape's strings.
    Str(usize),
    /// An object: this many members, each a `Str` key then a value.
    Map {
        len: usize,
        end: usize,
    },
    /// An array: this many values.
    Seq {
        len: usize,
        end: usize,
    },
}

/// A document read from Python objects: its tokens and the `str` objects they point at.
pub(crate) struct Tape<'py> {
    toks: Vec<Tok>,
    strings: Vec<Bound<'py, PyString>>,
}

impl<'py> Tape<'py> {
    /// Walks `obj` (attached). `NotJson` for anything [`crate::convert::to_json`] refuses.
    pub(crate) fn read(obj: &Bound<'py, PyAny>) -> Result<Self, NotJson> {
        let mut tape = Tape {
            toks: Vec::with_capacity(TOKENS),
            strings: Vec::with_capacity(TOKENS),
        };
        tape.walk(obj.clone(), 0)?;
        Ok(tape)
    }

    /// The UTF-8 view of every string, borrowed from the objects the tape holds. `NotJson`
    /// for a `str` with a lone surrogate (it has no UTF-8 form).
    pub(crate) fn texts(&self) -> Result<Vec<&str>, NotJson> {
        self.strings
            .iter()
            .map(|s| s.to_str().map_err(|_| NotJson))
            .collect()
    }

    /// The tokens (read with [`Cursor`] and the strings from [`Tape::texts`]).
    pub(crate) fn tokens(&self) -> &[Tok] {
        &self.toks
    }

    /// Keeps the string (the reference the walk was handed: no count taken per string).
    fn string(&mut self, s: Bound<'py, PyString>) {
        self.toks.push(Tok::Str(self.strings.len()));
        self.strings.push(s);
    }

    /// The exact built-in `str` and `dict` first (one pointer comparison each), then the
    /// rest; `obj` is moved along, so a string is kept without another reference count.
    fn walk(&mut self, obj: Bound<'py, PyAny>, depth: usize) -> Result<(), NotJson> {
        if depth > MAX_DEPTH {
            return Err(NotJson);
        }
        let obj = match obj.cast_into_exact::<PyString>() {
            Ok(s) => {
                self.string(s);
                return Ok(());
            }
            Err(e) => e.into_inner(),
        };
        if let Ok(dict) = obj.cast_exact::<PyDict>() {
            self.dict(dict, depth)
        } else {
            self.other(obj, depth)
        }
    }

    /// Lists, `None`, booleans, subclasses of `str`, `dict`, `list`, tuples and numbers.
    fn other(&mut self, obj: Bound<'py, PyAny>, depth: usize) -> Result<(), NotJson> {
        if let Ok(list) = obj.cast_exact::<PyList>() {
            self.seq(list.iter(), depth)?;
        } else if obj.is_none() {
            self.toks.push(Tok::Null);
        } else if let Ok(b) = obj.cast::<PyBool>() {
            self.toks.push(Tok::Bool(b.is_true()));
        } else if let Ok(dict) = obj.cast::<PyDict>() {
            self.dict(dict, depth)?;
        } else if let Ok(list) = obj.cast::<PyList>() {
            self.seq(list.iter(), depth)?;
        } else if let Ok(tuple) = obj.cast::<PyTuple>() {
            self.seq(tuple.iter(), depth)?;
        } else {
            match obj.cast_into::<PyString>() {
                Ok(s) => self.string(s),
                Err(e) => self.toks.push(number(&e.into_inner())?),
            }
        }
        Ok(())
    }

    fn dict(&mut self, dict: &Bound<'py, PyDict>, depth: usize) -> Result<(), NotJson> {
        let at = self.open();
        let mut len = 0;
        for (key, value) in dict.iter() {
            let key = key.cast_into::<PyString>().map_err(|_| NotJson)?;
            self.string(key);
            self.walk(value, depth + 1)?;
            len += 1;
        }
        self.close(at, |end| Tok::Map { len, end });
        Ok(())
    }

    fn seq(
        &mut self,
        items: impl Iterator<Item = Bound<'py, PyAny>>,
        depth: usize,
    ) -> Result<(), NotJson> {
        let at = self.open();
        let mut len = 0;
        for item in items {
            self.walk(item, depth + 1)?;
            len += 1;
        }
        self.close(at, |end| Tok::Seq { len, end });
        Ok(())
    }

    /// Reserves a container's token; [`Tape::close`] fills it in once its members are read.
    fn open(&mut self) -> usize {
        self.toks.push(Tok::Null);
        self.toks.len() - 1
    }

    fn close(&mut self, at: usize, tok: impl FnOnce(usize) -> Tok) {
        let end = self.toks.len();
        if let Some(slot) = self.toks.get_mut(at) {
            *slot = tok(end);
        }
    }
}

/// An `int` (within i64/u64) or a finite `float`.
fn number(obj: &Bound<'_, PyAny>) -> Result<Tok, NotJson> {
    if let Ok(int) = obj.cast::<PyInt>() {
        if let Ok(n) = int.extract::<i64>() {
            return Ok(Tok::I64(n));
        }
        return int.extract::<u64>().map(Tok::U64).map_err(|_| NotJson);
    }
    if let Ok(float) = obj.cast::<PyFloat>() {
        let value = float.value();
        if value.is_finite() {
            return Ok(Tok::F64(value));
        }
    }
    Err(NotJson)
}

/// Reads a tape; `'s` is the life of the strings, which the core may keep borrowed.
pub(crate) struct Cursor<'t, 's> {
    toks: &'t [Tok],
    texts: &'t [&'s str],
    pos: usize,
}

impl<'t, 's> Cursor<'t, 's> {
    /// A cursor at the start of `toks`, whose `Str` tokens index `texts`.
    pub(crate) fn new(toks: &'t [Tok], texts: &'t [&'s str]) -> Self {
        Self {
            toks,
            texts,
            pos: 0,
        }
    }

    /// Hands a container's `len` members to `visit`, then resumes at `end` whatever the
    /// visitor left unread.
    fn members<R>(
        &mut self,
        len: usize,
        end: usize,
        visit: impl FnOnce(Members<'_, 't, 's>) -> Result<R, NotJson>,
    ) -> Result<R, NotJson> {
        let value = visit(Members {
            cursor: &mut *self,
            left: len,
        })?;
        self.pos = end;
        Ok(value)
    }

    fn next(&mut self) -> Result<Tok, NotJson> {
        let tok = *self.toks.get(self.pos).ok_or(NotJson)?;
        self.pos += 1;
        Ok(tok)
    }
}

impl<'de> Deserializer<'de> for &mut Cursor<'_, 'de> {
    type Error = NotJson;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, NotJson> {
        match self.next()? {
            Tok::Null => visitor.visit_unit(),
            Tok::Bool(b) => visitor.visit_bool(b),
            Tok::I64(n) => visitor.visit_i64(n),
            Tok::U64(n) => visitor.visit_u64(n),
            Tok::F64(x) => visitor.visit_f64(x),
            Tok::Str(i) => visitor.visit_borrowed_str(self.texts.get(i).ok_or(NotJson)?),
            Tok::Map { len, end } => self.members(len, end, |m| visitor.visit_map(m)),
            Tok::Seq { len, end } => self.members(len, end, |m| visitor.visit_seq(m)),
        }
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf option unit unit_struct newtype_struct seq tuple
        tuple_struct map struct enum identifier ignored_any
    }
}

/// The members of an object or the items of an array still to read.
struct Members<'c, 't, 'de> {
    cursor: &'c mut Cursor<'t, 'de>,
    left: usize,
}

impl<'de> MapAccess<'de> for Members<'_, '_, 'de> {
    type Error = NotJson;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, NotJson> {
        if self.left == 0 {
            return Ok(None);
        }
        self.left -= 1;
        seed.deserialize(&mut *self.cursor).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, NotJson> {
        seed.deserialize(&mut *self.cursor)
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.left)
    }
}

impl<'de> SeqAccess<'de> for Members<'_, '_, 'de> {
    type Error = NotJson;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, NotJson> {
        if self.left == 0 {
            return Ok(None);
        }
        self.left -= 1;
        seed.deserialize(&mut *self.cursor).map(Some)
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.left)
    }
}
