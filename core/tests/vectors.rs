//! Runs every file of `tests/vectors/` through `rxgate_core::api::call`: one test per case
//! (libtest-mimic), named `<area>/<file>::<case>`. The format is in `tests/vectors/README.md`.

use libtest_mimic::{Arguments, Failed, Trial};
use rxgate_core::api::{self, vectors};
use serde_json::{Map, Value};
use std::path::{Path, PathBuf};

fn vectors_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors")
}

fn vector_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        if path.is_dir() {
            vector_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "json") {
            out.push(path);
        }
    }
}

fn run_case(
    op: &str,
    params: &Map<String, Value>,
    case: &Map<String, Value>,
) -> Result<(), Failed> {
    let result = api::call(op, &vectors::request(params, case));
    match (case.get("expect"), case.get("expect_error"), result) {
        (Some(expect), None, Ok(output)) => {
            let actual = if op == "validate" {
                vectors::summarize_report(&output)
            } else {
                output.clone()
            };
            vectors::matches(expect, &actual, "").map_err(|why| {
                Failed::from(format!(
                    "{why}\nexpected: {expect}\nactual:   {actual}\nfull output: {output}"
                ))
            })
        }
        (None, Some(code), Err(err)) => {
            let actual = serde_json::to_value(err.code).unwrap_or(Value::Null);
            if &actual == code {
                Ok(())
            } else {
                Err(format!("expected error {code}, got {actual}: {}", err.message).into())
            }
        }
        (Some(_), None, Err(err)) => Err(format!("unexpected API error: {err}").into()),
        (None, Some(code), Ok(output)) => {
            Err(format!("expected error {code}, got output {output}").into())
        }
        _ => Err("a case needs exactly one of `expect` or `expect_error`".into()),
    }
}

fn load_trials() -> Vec<Trial> {
    let root = vectors_dir();
    let mut files = Vec::new();
    vector_files(&root, &mut files);
    let mut trials = Vec::new();
    for file in files {
        let rel = file
            .strip_prefix(&root)
            .map(|p| p.display().to_string())
            .unwrap_or_default();
        let parsed: Result<Value, String> = std::fs::read_to_string(&file)
            .map_err(|e| e.to_string())
            .and_then(|t| serde_json::from_str(&t).map_err(|e| e.to_string()));
        let doc = match parsed {
            Ok(Value::Object(doc)) => doc,
            Ok(_) => {
                trials.push(Trial::test(rel, || {
                    Err("a vector file must be an object".into())
                }));
                continue;
            }
            Err(e) => {
                trials.push(Trial::test(rel, move || Err(e.clone().into())));
                continue;
            }
        };
        let op = doc
            .get("op")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        let params = doc
            .get("params")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        let cases = doc
            .get("cases")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        if op.is_empty() || cases.is_empty() {
            trials.push(Trial::test(rel, || {
                Err("a vector file needs `op` and `cases`".into())
            }));
            continue;
        }
        for (index, case) in cases.into_iter().enumerate() {
            let name = case
                .get("name")
                .and_then(Value::as_str)
                .map(str::to_owned)
                .unwrap_or_else(|| format!("case {index}"));
            let op = op.clone();
            let params = params.clone();
            trials.push(Trial::test(format!("{rel}::{name}"), move || match case {
                Value::Object(case) => run_case(&op, &params, &case),
                _ => Err("a case must be an object".into()),
            }));
        }
    }
    trials
}

fn main() {
    let args = Arguments::from_args();
    libtest_mimic::run(&args, load_trials()).exit();
}
