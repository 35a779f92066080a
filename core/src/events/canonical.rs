//! RFC 8785 JSON Canonicalization Scheme (JCS), for Beluga's content-hash dedupe key.
//!
//! Object members are sorted by the UTF-16 code units of their names, no white space is
//! written, strings use the minimal JSON escapes (`\b \t \n \f \r \" \\` and `\u00xx` for
//! other control characters, everything else literal), and numbers are written the way
//! ECMAScript's `Number.prototype.toString` writes the IEEE 754 double they denote.

use serde_json::Value;

/// The canonical (RFC 8785) text of a JSON value.
pub fn canonical_json(value: &Value) -> String {
    let mut out = String::new();
    write_value(value, &mut out);
    out
}

fn write_value(value: &Value, out: &mut String) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&number(n)),
        Value::String(s) => write_string(s, out),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_value(item, out);
            }
            out.push(']');
        }
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort_by(|a, b| a.encode_utf16().cmp(b.encode_utf16()));
            out.push('{');
            for (i, key) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_string(key, out);
                out.push(':');
                if let Some(v) = map.get(key) {
                    write_value(v, out);
                }
            }
            out.push('}');
        }
    }
}

fn write_string(s: &str, out: &mut String) {
    out.push('"');
    for ch in s.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{08}' => out.push_str("\\b"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\u{0C}' => out.push_str("\\f"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// ECMAScript number serialization of the double a JSON number denotes.
fn number(n: &serde_json::Number) -> String {
    let Some(x) = n.as_f64() else {
        return n.to_string();
    };
    es_number(x)
}

/// `Number.prototype.toString()` for a finite double (ECMA-262 Number::toString).
pub fn es_number(x: f64) -> String {
    if x == 0.0 || !x.is_finite() {
        return "0".to_owned();
    }
    let sign = if x < 0.0 { "-" } else { "" };
    // Rust's `{:e}` prints the shortest round-trip digits: `d.ddde±x`.
    let sci = format!("{:e}", x.abs());
    let (mantissa, exp) = sci.split_once('e').unwrap_or((sci.as_str(), "0"));
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let exp: i64 = exp.parse().unwrap_or(0);
    let k = i64::try_from(digits.len()).unwrap_or(i64::MAX);
    let n = exp + 1; // position of the decimal point relative to the digits
    let body = if k <= n && n <= 21 {
        let zeros = usize::try_from(n - k).unwrap_or(0);
        format!("{digits}{}", "0".repeat(zeros))
    } else if 0 < n && n <= 21 {
        let split = usize::try_from(n).unwrap_or(0);
        let (int, frac) = digits.split_at(split.min(digits.len()));
        format!("{int}.{frac}")
    } else if -6 < n && n <= 0 {
        let zeros = usize::try_from(-n).unwrap_or(0);
        format!("0.{}{digits}", "0".repeat(zeros))
    } else {
        let e = n - 1;
        let exp_sign = if e < 0 { "-" } else { "+" };
        let mut chars = digits.chars();
        let first: String = chars.next().map(String::from).unwrap_or_default();
        let rest: String = chars.collect();
        if rest.is_empty() {
            format!("{first}e{exp_sign}{}", e.abs())
        } else {
            format!("{first}.{rest}e{exp_sign}{}", e.abs())
        }
    };
    format!("{sign}{body}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn numbers_follow_ecmascript() {
        assert_eq!(es_number(1.0), "1");
        assert_eq!(es_number(-0.0), "0");
        assert_eq!(es_number(1e21), "1e+21");
        assert_eq!(es_number(1e20), "100000000000000000000");
        assert_eq!(es_number(0.000001), "0.000001");
        assert_eq!(es_number(1e-7), "1e-7");
        assert_eq!(es_number(123.456), "123.456");
        assert_eq!(es_number(-1.5e-9), "-1.5e-9");
        assert_eq!(es_number(4.5), "4.5");
        assert_eq!(es_number(2432232314.0), "2432232314");
        assert_eq!(es_number(333333333.3333333), "333333333.3333333");
    }

    #[test]
    fn rfc8785_example_orders_keys_by_utf16() {
        // The sorting example of RFC 8785 §3.2.3.
        let value = json!({
            "\u{20ac}": "Euro Sign",
            "\r": "Carriage Return",
            "\u{fb33}": "Hebrew Letter Dalet With Dagesh",
            "1": "One",
            "\u{1f600}": "Emoji: Grinning Face",
            "\u{80}": "Control",
            "\u{f6}": "Latin Small Letter O With Diaeresis"
        });
        let text = canonical_json(&value);
        let order: Vec<&str> = [
            "Carriage Return",
            "One",
            "Control",
            "Latin Small",
            "Euro Sign",
            "Emoji",
            "Hebrew",
        ]
        .to_vec();
        let positions: Vec<usize> = order.iter().filter_map(|w| text.find(w)).collect();
        assert_eq!(positions.len(), order.len(), "{text}");
        assert!(positions.windows(2).all(|w| w.first() < w.get(1)), "{text}");
    }

    #[test]
    fn strings_and_nesting_are_minimal() {
        let value = json!({"b": [1, "x\u{1}\n", null, true], "a": {"z": 1.5, "y": "é"}});
        assert_eq!(
            canonical_json(&value),
            "{\"a\":{\"y\":\"é\",\"z\":1.5},\"b\":[1,\"x\\u0001\\n\",null,true]}"
        );
    }
}
