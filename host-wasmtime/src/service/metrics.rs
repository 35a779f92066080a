//! Prometheus counters in text exposition format, with no PHI in any label (routes are
//! matched templates, never raw paths).

use std::collections::BTreeMap;
use std::sync::Mutex;

/// Counters keyed by metric name and rendered label set.
#[derive(Debug, Default)]
pub struct Metrics {
    counters: Mutex<BTreeMap<(String, String), u64>>,
}

impl Metrics {
    /// Adds one to `name{labels}`; labels are (key, value) pairs.
    pub fn inc(&self, name: &str, labels: &[(&str, &str)]) {
        let rendered = labels
            .iter()
            .map(|(k, v)| format!("{k}=\"{}\"", v.replace(['\\', '"', '\n'], "_")))
            .collect::<Vec<_>>()
            .join(",");
        let mut map = match self.counters.lock() {
            Ok(m) => m,
            Err(p) => p.into_inner(),
        };
        *map.entry((name.to_owned(), rendered)).or_insert(0) += 1;
    }

    /// The exposition text.
    pub fn render(&self) -> String {
        let map = match self.counters.lock() {
            Ok(m) => m,
            Err(p) => p.into_inner(),
        };
        let mut out = String::new();
        let mut last = "";
        for ((name, labels), value) in map.iter() {
            if name != last {
                out.push_str(&format!("# TYPE {name} counter\n"));
                last = name;
            }
            if labels.is_empty() {
                out.push_str(&format!("{name} {value}\n"));
            } else {
                out.push_str(&format!("{name}{{{labels}}} {value}\n"));
            }
        }
        out
    }
}
