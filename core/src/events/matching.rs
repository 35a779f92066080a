//! The keys a stored event is matched to an order by (webhooks.md): the rule the service uses
//! to find an event's order and to index an event no order matches yet, so the event is
//! applied when a matching order appears, with no scan of every unmatched event.
//!
//! A key is `m:<value>` (a Beluga master id) or `o:<value>` (an order id):
//!
//! | source | keys, in the order they are tried |
//! | --- | --- |
//! | Beluga | `m:<masterId>` |
//! | LifeFile | per line: `referenceId`, `foreignOrderId`, `orderId`, each `o:` then `m:` |
//! | DispensePro | `order.externalId`, `o:` then `m:` |
//! | OWN pharmacy | `order.externalOrderId`, `o:` then `m:` |
//!
//! Empty or non-string members give no key; a key is listed once.

use super::Source;
use serde_json::Value;

/// The prefix of an order-id key.
pub const ORDER_ID: &str = "o:";
/// The prefix of a master-id key.
pub const MASTER_ID: &str = "m:";

fn text<'a>(body: &'a Value, pointer: &str) -> Option<&'a str> {
    body.pointer(pointer)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
}

/// The ids a LifeFile push names: one line, or an array of lines.
fn lifefile_ids(body: &Value) -> Vec<&str> {
    let lines: Vec<&Value> = match body {
        Value::Array(lines) => lines.iter().collect(),
        Value::Object(_) => vec![body],
        _ => Vec::new(),
    };
    lines
        .into_iter()
        .flat_map(|line| {
            ["/referenceId", "/foreignOrderId", "/orderId"]
                .into_iter()
                .filter_map(move |p| text(line, p))
        })
        .collect()
}

/// The match keys of a stored event body from `source`.
pub fn match_keys(source: Source, body: &Value) -> Vec<String> {
    let ids: Vec<&str> = match source {
        Source::Beluga => {
            return text(body, "/masterId")
                .map(|m| format!("{MASTER_ID}{m}"))
                .into_iter()
                .collect();
        }
        Source::Lifefile => lifefile_ids(body),
        Source::DispensePro => text(body, "/order/externalId").into_iter().collect(),
        Source::Own => text(body, "/order/externalOrderId").into_iter().collect(),
    };
    let mut keys: Vec<String> = Vec::new();
    for id in ids {
        for key in [format!("{ORDER_ID}{id}"), format!("{MASTER_ID}{id}")] {
            if !keys.contains(&key) {
                keys.push(key);
            }
        }
    }
    keys
}
