//! Custom questions (`Qn`/`An`): pairing, numbering, the `POSSIBLE ANSWERS:` form of
//! multiple-choice questions, and the warning for questions that repeat a standard field.

use super::check::{Beluga, Checker, Loc, Req, CATCH_ALL};
use super::model::{QaEntry, QaSide};
use super::wire::Slot;
use super::{codes, fields};

/// The marker of a multiple-choice question, exactly as the reference writes it.
pub const CHOICES_MARKER: &str = "POSSIBLE ANSWERS:";

/// The offered choices of a question, when it is multiple choice: `Ok(None)` for a plain
/// question, `Err(rule)` when the marker is misspelt or the list is empty.
pub fn choices(question: &str) -> Result<Option<Vec<&str>>, &'static str> {
    let Some(index) = question.find(CHOICES_MARKER) else {
        if fields::contains_ignore_case(question, "possible answers") {
            return Err("write the marker exactly `POSSIBLE ANSWERS:`");
        }
        return Ok(None);
    };
    let (_, tail) = question.split_at(index);
    let list = tail.get(CHOICES_MARKER.len()..).unwrap_or_default();
    let offered: Vec<&str> = list.split(';').map(str::trim).collect();
    if offered.iter().all(|c| c.is_empty()) {
        return Err("no choices follow `POSSIBLE ANSWERS:`");
    }
    if offered.iter().any(|c| c.is_empty()) {
        return Err("a choice between semicolons is empty");
    }
    Ok(Some(offered))
}

/// Checks every pair of a form at `form`.
pub(crate) fn check(c: &mut Checker, entries: &[QaEntry], form: &Loc) {
    let text_req = Req::required(Some(CATCH_ALL));
    let mut max = 0;
    for entry in entries {
        let at = match &entry.raw_key {
            Some(raw) => form.key(raw),
            None => form.qa(entry.side.letter(), entry.number),
        };
        if entry.raw_key.is_some() {
            c.report(
                codes::QA_NUMBERING,
                &at,
                &[("rule", "no number 0 and no leading zeros")],
                Beluga::Code,
            );
            continue;
        }
        max = max.max(entry.number);
        let other_side = match entry.side {
            QaSide::Question => QaSide::Answer,
            QaSide::Answer => QaSide::Question,
        };
        let partner = find(entries, other_side, entry.number);
        if partner.is_none() {
            let other = format!("{}{}", other_side.letter(), entry.number);
            c.report(codes::QA_UNPAIRED, &at, &[("other", &other)], Beluga::Code);
        }
        let Some(text) = c.text(&entry.text, &at, text_req) else {
            continue;
        };
        match entry.side {
            QaSide::Question => question_rules(c, text, &at),
            QaSide::Answer => {
                let question = partner.and_then(|q| q.text.value());
                if let Some(Ok(Some(offered))) = question.map(|q| choices(q)) {
                    answer_rules(c, text, &offered, &at, entry.number);
                }
            }
        }
    }
    // Numbers run from 1 to the highest without gaps.
    for number in 1..max {
        if find(entries, QaSide::Question, number).is_none()
            && find(entries, QaSide::Answer, number).is_none()
        {
            let key = format!("Q{number}");
            let rule = format!("number {number} is missing");
            c.report(
                codes::QA_NUMBERING,
                &form.key(&key),
                &[("rule", &rule)],
                Beluga::Code,
            );
        }
    }
}

fn find(entries: &[QaEntry], side: QaSide, number: u32) -> Option<&QaEntry> {
    entries.iter().find(|e| {
        e.side == side
            && e.number == number
            && e.raw_key.is_none()
            && !matches!(e.text, Slot::Absent)
    })
}

const STANDARD_TOPICS: [(&str, &str, &str); 4] = [
    ("medication", "current medications", "selfReportedMeds"),
    ("allerg", "allergies", "allergies"),
    (
        "medical condition",
        "medical conditions",
        "medicalConditions",
    ),
    (
        "health condition",
        "medical conditions",
        "medicalConditions",
    ),
];

fn question_rules(c: &mut Checker, text: &str, at: &Loc) {
    if let Err(rule) = choices(text) {
        c.report(
            codes::CHOICES_MALFORMED,
            at,
            &[("rule", rule)],
            Beluga::Code,
        );
    }
    let topic = STANDARD_TOPICS
        .iter()
        .find(|(needle, _, _)| fields::contains_ignore_case(text, needle));
    if let Some((_, topic, standard)) = topic {
        c.warn(
            codes::QUESTION_REPEATS_STANDARD_FIELD,
            at,
            &[("topic", topic), ("standard", standard)],
        );
    }
}

fn answer_rules(c: &mut Checker, text: &str, offered: &[&str], at: &Loc, number: u32) {
    for (position, chosen) in text.split(';').map(str::trim).enumerate() {
        if !offered.contains(&chosen) {
            let question = format!("Q{number}");
            let position = (position + 1).to_string();
            c.report(
                codes::ANSWER_NOT_OFFERED,
                at,
                &[("position", &position), ("question", &question)],
                Beluga::Code,
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::choices;

    #[test]
    fn choices_are_read_from_the_question() {
        assert_eq!(
            choices("How? POSSIBLE ANSWERS: a; b ;c"),
            Ok(Some(vec!["a", "b", "c"]))
        );
        assert_eq!(choices("How old are you?"), Ok(None));
        assert!(choices("How? Possible answers: a; b").is_err());
        assert!(choices("How? POSSIBLE ANSWERS:   ").is_err());
        assert!(choices("How? POSSIBLE ANSWERS: a;; b").is_err());
    }
}
