//! Runs every file of `tests/vectors/` through `rxgate_core::api::call`: one test per case
//! (libtest-mimic), named `<area>/<file>::<case>`. The format is in `tests/vectors/README.md`.

use libtest_mimic::{Arguments, Failed, Trial};
use rxgate_core::api::{self, vectors};
use serde_json::Value;

mod support;

/// The string entry points answer exactly the envelope of [`api::call`]'s answer: the
/// request as text (`call_json_str`), and its `input` beside the other members
/// (`call_document_json_str`, the guest's `call-document`).
fn check_text_entry_points(
    case: &vectors::Case,
    result: &Result<Value, api::ApiError>,
) -> Result<(), Failed> {
    let expected = api::envelope(result.clone());
    let text = api::call_json_str(&case.op, &case.request.to_string());
    if text != expected {
        return Err(format!("call_json_str answered {text}\nnot {expected}").into());
    }
    let Value::Object(request) = &case.request else {
        return Ok(());
    };
    let Some(input) = request.get("input") else {
        return Ok(());
    };
    let mut params = request.clone();
    params.remove("input");
    let document = api::call_document_json_str(
        &case.op,
        &Value::Object(params).to_string(),
        &input.to_string(),
    );
    if document != expected {
        return Err(format!("call_document_json_str answered {document}\nnot {expected}").into());
    }
    Ok(())
}

fn run_case(case: &vectors::Case) -> Result<(), Failed> {
    let result = api::call(&case.op, &case.request);
    check_text_entry_points(case, &result)?;
    let code = result
        .as_ref()
        .err()
        .map(|err| serde_json::to_value(err.code).unwrap_or(Value::Null));
    let answer = match (&result, &code) {
        (Ok(output), _) => Ok(output),
        (Err(_), Some(code)) => Err(code),
        (Err(_), None) => return Err("no error code".into()),
    };
    vectors::check(case, answer).map_err(|why| {
        let detail = match &result {
            Ok(output) => format!("full output: {output}"),
            Err(err) => format!("error: {err}"),
        };
        Failed::from(format!(
            "{why}\nexpected: {}\n{detail}",
            case.expect
                .as_ref()
                .or(case.expect_error.as_ref())
                .unwrap_or(&Value::Null)
        ))
    })
}

fn load_trials() -> Vec<Trial> {
    let mut trials = Vec::new();
    for (rel, parsed) in support::all_files() {
        match parsed {
            Ok(file) => trials.extend(
                file.cases
                    .into_iter()
                    .map(|case| Trial::test(case.id.clone(), move || run_case(&case))),
            ),
            Err(why) => trials.push(Trial::test(rel, move || Err(why.clone().into()))),
        }
    }
    trials
}

fn main() {
    let args = Arguments::from_args();
    libtest_mimic::run(&args, load_trials()).exit();
}
