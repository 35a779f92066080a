//! Lab `results[]`: required members, dates, status indicator (and its agreement with a
//! numeric result and range), sample source.

use super::check::{Beluga, Checker, Loc, Req, MISSING_VALUES};
use super::model::LabResult;
use super::wire::{JsonType, Slot};
use super::{codes, fields};

/// The status indicators the reference allows.
pub const STATUS_INDICATORS: [&str; 4] = ["H", "L", "N", "N/A"];
/// The sample sources the reference allows.
pub const SAMPLE_SOURCES: [&str; 6] = ["URINE", "BLOOD", "SALIVA", "VAGINAL", "RECTAL", "SEMEN"];

/// Checks `results` at `at`.
pub(crate) fn results(c: &mut Checker, slot: &Slot<Vec<Slot<LabResult>>>, at: &Loc) {
    let req = Req::required(Some(MISSING_VALUES));
    let empty = (codes::ARRAY_EMPTY, Beluga::Code);
    let Some(items) = c.list(slot, at, req, empty) else {
        return;
    };
    for (index, item) in items.iter().enumerate() {
        let item_at = at.index(index);
        if let Some(item) = c.present(item, &item_at, req, JsonType::Object) {
            result(c, item, &item_at);
        }
    }
}

fn result(c: &mut Checker, item: &LabResult, at: &Loc) {
    let req = Req::required(Some(MISSING_VALUES));
    for (slot, name) in [
        (&item.screening_date, "screeningDate"),
        (&item.report_date, "reportDate"),
    ] {
        let member = at.key(name);
        if let Some(value) = c.text(slot, &member, req) {
            if fields::us_date(value).is_err() {
                c.report(codes::LAB_DATE_FORMAT, &member, &[], Beluga::Code);
            }
        }
    }
    c.text(&item.test_name, &at.key("testName"), req);
    let value = c.text(&item.test_result, &at.key("testResult"), req);
    c.text(&item.test_result_units, &at.key("testResultUnits"), req);
    let range = c.text(&item.ref_range, &at.key("refRange"), req);
    let status_at = at.key("statusIndicator");
    if let Some(status) = c.text(&item.status_indicator, &status_at, req) {
        if !STATUS_INDICATORS.contains(&status) {
            c.report(
                codes::LAB_STATUS_INDICATOR_INVALID,
                &status_at,
                &[],
                Beluga::Code,
            );
        } else if let (Some(value), Some(range)) = (value, range) {
            if let Some(expected) = expected_indicator(value, range) {
                if status != "N/A" && status != expected {
                    c.report(
                        codes::LAB_STATUS_INDICATOR_DISAGREES,
                        &status_at,
                        &[("found", status), ("expected", expected)],
                        Beluga::Code,
                    );
                }
            }
        }
    }
    let source_at = at.key("sampleSource");
    if let Some(source) = c.text(&item.sample_source, &source_at, req) {
        if !SAMPLE_SOURCES.contains(&source) {
            c.report(
                codes::LAB_SAMPLE_SOURCE_INVALID,
                &source_at,
                &[],
                Beluga::Code,
            );
        }
    }
}

fn number(text: &str) -> Option<f64> {
    let n: f64 = text.trim().parse().ok()?;
    n.is_finite().then_some(n)
}

/// The indicator a numeric result implies against `low-high`, `<x` or `>x`; `None` when
/// either is not numeric (then agreement is not checked).
pub fn expected_indicator(result: &str, range: &str) -> Option<&'static str> {
    let value = number(result)?;
    let range = range.trim();
    if let Some(bound) = range.strip_prefix('<') {
        let bound = number(bound.trim_start_matches('='))?;
        return Some(
            if value < bound || (range.starts_with("<=") && value <= bound) {
                "N"
            } else {
                "H"
            },
        );
    }
    if let Some(bound) = range.strip_prefix('>') {
        let bound = number(bound.trim_start_matches('='))?;
        return Some(
            if value > bound || (range.starts_with(">=") && value >= bound) {
                "N"
            } else {
                "L"
            },
        );
    }
    // `low-high`; the split is at a '-' that is not a leading minus sign.
    let split = range
        .char_indices()
        .skip(1)
        .find(|(_, ch)| *ch == '-')
        .map(|(i, _)| i)?;
    let (low, high) = range.split_at(split);
    let (low, high) = (number(low)?, number(high.get(1..)?)?);
    Some(if value < low {
        "L"
    } else if value > high {
        "H"
    } else {
        "N"
    })
}

#[cfg(test)]
mod tests {
    use super::expected_indicator;

    #[test]
    fn indicators_follow_the_range() {
        assert_eq!(expected_indicator("5.5", "4.0-6.0"), Some("N"));
        assert_eq!(expected_indicator("7", "4.0-6.0"), Some("H"));
        assert_eq!(expected_indicator("3", "4.0 - 6.0"), Some("L"));
        assert_eq!(expected_indicator("150", "<200"), Some("N"));
        assert_eq!(expected_indicator("250", "<200"), Some("H"));
        assert_eq!(expected_indicator("30", ">40"), Some("L"));
        assert_eq!(expected_indicator("40", ">=40"), Some("N"));
        assert_eq!(expected_indicator("Negative", "Negative"), None);
        assert_eq!(expected_indicator("5", "N/A"), None);
    }
}
