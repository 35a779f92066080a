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

/// jsonschema 0.60.2's compile-time validator of the same schema. The macro reads the schema
/// when this worker is compiled, from the shared bench data beside the repository (the
/// default `RXGATE_BENCH_DATA`; a schema elsewhere needs this path changed).
#[jsonschema_codegen::validator(
    path = "../../../shared/bench-data/visit.schema.json",
    validate_formats = true
)]
struct CodegenVisit;

/// The pattern rules (names, email, zip, phone) as regular expressions, for issue 17 item 5:
/// the same shapes the core checks by hand in `contract::fields` (a name: letters of any
/// script, combining marks, space and `'` `-` `.` `,` `’`, 1-100 after trimming; an email:
/// one `@`, no spaces or control characters, a dotted domain without empty labels and a
/// top-level domain of 2+ letters, 254 characters at most; a zip: five digits; a phone: ten
/// digits, NANP area code and exchange, no N11, not toll-free, premium-rate or 555-01XX).
struct Patterns {
    name: regex::Regex,
    email: regex::Regex,
    zip: regex::Regex,
    phone: regex::Regex,
    phone_not_mobile: regex::Regex,
}

impl Patterns {
    fn new() -> Result<Self, regex::Error> {
        Ok(Self {
            // The 100-character limit is counted by hand: a bounded repetition of a Unicode class
            // (`{1,100}`) makes a regex 30× slower to match here.
            name: regex::Regex::new(r"^\s*[\p{Alphabetic}\p{M} '.,’-]+\s*$")?,
            email: regex::Regex::new(r"^[^@\s\p{Cc}]+@(?:[^@\s\p{Cc}.]+\.)+\p{Alphabetic}{2,}$")?,
            zip: regex::Regex::new(r"^[0-9]{5}$")?,
            phone: regex::Regex::new(
                r"^[2-9](?:[02-9][0-9]|1[02-9])[2-9](?:[02-9][0-9]|1[02-9])[0-9]{4}$",
            )?,
            phone_not_mobile: regex::Regex::new(
                r"^(?:8(?:00|33|44|55|66|77|88)|900|[0-9]{3}55501)",
            )?,
        })
    }

    /// How many of the values break their rule.
    fn broken(&self, values: &[&str; 5]) -> usize {
        let [first, last, email, zip, phone] = values;
        let name = |n: &str| n.trim().chars().count() > 100 || !self.name.is_match(n);
        usize::from(name(first))
            + usize::from(name(last))
            + usize::from(email.chars().count() > 254 || !self.email.is_match(email))
            + usize::from(!self.zip.is_match(zip))
            + usize::from(!self.phone.is_match(phone) || self.phone_not_mobile.is_match(phone))
    }
}

/// The core's hand-written checks of the same values.
fn hand_broken(values: &[&str; 5]) -> usize {
    use rxgate_core::contract::fields;
    let [first, last, email, zip, phone] = values;
    usize::from(fields::name(first).is_err())
        + usize::from(fields::name(last).is_err())
        + usize::from(fields::email(email).is_err())
        + usize::from(fields::zip(zip).is_err())
        + usize::from(fields::phone(phone).is_err())
}

/// The valid body's values, and broken ones of the same rules.
const PATTERN_VALID: [&str; 5] = [
    "María-José",
    "O'Connor",
    "maria.oconnor@example.com",
    "60614",
    "3126482957",
];
const PATTERN_INVALID: [&str; 5] = [
    "R2-D2",
    "O'Connor 3rd",
    "maria@example",
    "6061",
    "8005550142",
];

struct Data {
    valid: Vec<u8>,
    invalid: Vec<u8>,
    valid_value: Value,
    schema: jsonschema::Validator,
    options: ValidateOptions,
    patterns: Patterns,
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
        patterns: Patterns::new().map_err(|e| e.to_string())?,
    })
}

const ROWS: [&str; 15] = [
    "floor_strict_struct",
    "floor_plain_struct",
    "rxgate_bytes_valid",
    "rxgate_bytes_invalid",
    "rxgate_value_valid",
    "jsonschema_bytes_valid",
    "jsonschema_bytes_invalid",
    "jsonschema_value_valid",
    "codegen_bytes_valid",
    "codegen_value_valid",
    "value_parse_only",
    "patterns_hand_valid",
    "patterns_regex_valid",
    "patterns_hand_invalid",
    "patterns_regex_invalid",
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
        "codegen_bytes_valid" => match serde_json::from_slice::<Value>(black_box(&d.valid)) {
            Ok(v) => CodegenVisit::iter_errors(&v).count(),
            Err(_) => usize::MAX,
        },
        "codegen_value_valid" => CodegenVisit::iter_errors(black_box(&d.valid_value)).count(),
        "patterns_hand_valid" => hand_broken(black_box(&PATTERN_VALID)),
        "patterns_regex_valid" => d.patterns.broken(black_box(&PATTERN_VALID)),
        "patterns_hand_invalid" => hand_broken(black_box(&PATTERN_INVALID)),
        "patterns_regex_invalid" => d.patterns.broken(black_box(&PATTERN_INVALID)),
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
