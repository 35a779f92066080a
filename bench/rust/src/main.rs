//! The Rust worker of the side-by-side benchmark (`bench/run.py`).
//!
//! `rxgate-bench serve DATA_DIR`: reads lines `ROW N` on stdin, runs row `ROW` `N` times and
//! answers the elapsed nanoseconds; `rows` answers the row names. `rxgate-bench count DATA_DIR
//! ROW N` runs a row `N` times and exits (run under callgrind for instruction counts).
//! `rxgate-bench check DATA_DIR` prints what each row answers once (error counts), so a row
//! that silently does nothing shows.

use rxgate_core::contract::{validate_slice, validate_value, Kind, ValidateOptions};
use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeMap;
use std::hint::black_box;
use std::io::{BufRead, Write};
use std::path::Path;
use std::time::Instant;

/// What a hand-written client derives: every member typed, owned strings, the custom
/// question/answer pairs in a map beside the named fields, unknown members refused.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[allow(dead_code)]
struct StrictVisit {
    form_obj: StrictForm,
    pharmacy_id: String,
    master_id: String,
    company: String,
    visit_type: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)]
struct StrictForm {
    consents_signed: bool,
    first_name: String,
    last_name: String,
    dob: String,
    phone: String,
    email: String,
    address: String,
    city: String,
    state: String,
    zip: String,
    sex: String,
    self_reported_meds: String,
    allergies: String,
    medical_conditions: String,
    patient_preference: Vec<StrictPreference>,
    #[serde(flatten)]
    questions: BTreeMap<String, String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[allow(dead_code)]
struct StrictPreference {
    name: String,
    strength: String,
    quantity: String,
    refills: String,
    days_supply: Option<String>,
    med_id: String,
}

/// The same client without the flatten map: the pairs as named optional fields (Q1..A7).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[allow(dead_code)]
struct PlainVisit {
    form_obj: PlainForm,
    pharmacy_id: String,
    master_id: String,
    company: String,
    visit_type: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[allow(dead_code, non_snake_case)]
struct PlainForm {
    consents_signed: bool,
    first_name: String,
    last_name: String,
    dob: String,
    phone: String,
    email: String,
    address: String,
    city: String,
    state: String,
    zip: String,
    sex: String,
    self_reported_meds: String,
    allergies: String,
    medical_conditions: String,
    patient_preference: Vec<StrictPreference>,
    #[serde(rename = "Q1")]
    q1: Option<String>,
    #[serde(rename = "A1")]
    a1: Option<String>,
    #[serde(rename = "Q2")]
    q2: Option<String>,
    #[serde(rename = "A2")]
    a2: Option<String>,
    #[serde(rename = "Q3")]
    q3: Option<String>,
    #[serde(rename = "A3")]
    a3: Option<String>,
    #[serde(rename = "Q4")]
    q4: Option<String>,
    #[serde(rename = "A4")]
    a4: Option<String>,
    #[serde(rename = "Q5")]
    q5: Option<String>,
    #[serde(rename = "A5")]
    a5: Option<String>,
    #[serde(rename = "Q6")]
    q6: Option<String>,
    #[serde(rename = "A6")]
    a6: Option<String>,
    #[serde(rename = "Q7")]
    q7: Option<String>,
    #[serde(rename = "A7")]
    a7: Option<String>,
}

struct Data {
    valid: Vec<u8>,
    invalid: Vec<u8>,
    valid_value: Value,
    schema: jsonschema::Validator,
    options: ValidateOptions,
}

fn load(dir: &Path) -> Result<Data, String> {
    let read = |name: &str| std::fs::read(dir.join(name)).map_err(|e| format!("{name}: {e}"));
    let valid = read("visit-valid.json")?;
    let invalid = read("visit-invalid.json")?;
    let schema: Value =
        serde_json::from_slice(&read("visit.schema.json")?).map_err(|e| e.to_string())?;
    let schema = jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .map_err(|e| e.to_string())?;
    let valid_value = serde_json::from_slice(&valid).map_err(|e| e.to_string())?;
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 22).ok_or("date")?;
    Ok(Data {
        valid,
        invalid,
        valid_value,
        schema,
        options: ValidateOptions::new(today),
    })
}

const ROWS: [&str; 9] = [
    "floor_strict_struct",
    "floor_plain_struct",
    "rxgate_bytes_valid",
    "rxgate_bytes_invalid",
    "rxgate_value_valid",
    "jsonschema_bytes_valid",
    "jsonschema_bytes_invalid",
    "jsonschema_value_valid",
    "value_parse_only",
];

/// One call of a row; answers how many errors it found (or 0/1 for the parses).
fn once(d: &Data, row: &str) -> usize {
    match row {
        "floor_strict_struct" => {
            usize::from(serde_json::from_slice::<StrictVisit>(black_box(&d.valid)).is_err())
        }
        "floor_plain_struct" => {
            usize::from(serde_json::from_slice::<PlainVisit>(black_box(&d.valid)).is_err())
        }
        "rxgate_bytes_valid" => validate_slice(Kind::Visit, black_box(&d.valid), &d.options)
            .map_or(usize::MAX, |r| r.violations.len()),
        "rxgate_bytes_invalid" => validate_slice(Kind::Visit, black_box(&d.invalid), &d.options)
            .map_or(usize::MAX, |r| r.violations.len()),
        "rxgate_value_valid" => validate_value(Kind::Visit, black_box(&d.valid_value), &d.options)
            .violations
            .len(),
        "jsonschema_bytes_valid" => schema_errors(d, &d.valid),
        "jsonschema_bytes_invalid" => schema_errors(d, &d.invalid),
        "jsonschema_value_valid" => d.schema.iter_errors(black_box(&d.valid_value)).count(),
        "value_parse_only" => {
            usize::from(serde_json::from_slice::<Value>(black_box(&d.valid)).is_err())
        }
        _ => usize::MAX,
    }
}

fn schema_errors(d: &Data, bytes: &[u8]) -> usize {
    match serde_json::from_slice::<Value>(black_box(bytes)) {
        Ok(v) => d.schema.iter_errors(&v).count(),
        Err(_) => usize::MAX,
    }
}

fn run(d: &Data, row: &str, n: u64) -> u128 {
    let start = Instant::now();
    for _ in 0..n {
        black_box(once(d, row));
    }
    start.elapsed().as_nanos()
}

fn main() -> Result<(), String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg = |i: usize| args.get(i).map(String::as_str).unwrap_or("");
    let data = load(Path::new(arg(1)))?;
    match arg(0) {
        "check" => {
            for row in ROWS {
                println!("{row} {}", once(&data, row));
            }
        }
        "count" => {
            let n: u64 = arg(3).parse().map_err(|_| "count DATA ROW N")?;
            run(&data, arg(2), n);
        }
        "serve" => {
            let stdout = std::io::stdout();
            for line in std::io::stdin().lock().lines() {
                let line = line.map_err(|e| e.to_string())?;
                let mut parts = line.split_whitespace();
                let answer = match (parts.next(), parts.next()) {
                    (Some("rows"), _) => ROWS.join(" "),
                    (Some(row), Some(n)) => {
                        let n: u64 = n.parse().map_err(|_| "ROW N")?;
                        run(&data, row, n).to_string()
                    }
                    _ => "?".to_owned(),
                };
                let mut out = stdout.lock();
                writeln!(out, "{answer}").map_err(|e| e.to_string())?;
                out.flush().map_err(|e| e.to_string())?;
            }
        }
        _ => return Err("usage: rxgate-bench serve|check|count DATA_DIR [ROW N]".to_owned()),
    }
    Ok(())
}
