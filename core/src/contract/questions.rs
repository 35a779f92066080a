//! Custom questions (`Qn`/`An`): pairing, numbering, the `POSSIBLE ANSWERS:` form of
//! multiple-choice questions, and the warning for questions that repeat a standard field.

use super::check::{Beluga, Checker, Loc, Req, CATCH_ALL};
use super::codes;
use super::model::{QaEntry, QaSide};

/// The marker of a multiple-choice question, exactly as the reference writes it.
pub const CHOICES_MARKER: &str = "POSSIBLE ANSWERS:";

/// What one pass over a question's text finds: where the exact marker is, whether a
/// misspelt marker appears, and which standard field the question seems to repeat.
struct Scan {
    marker: Option<usize>,
    misspelt_marker: bool,
    topic: Option<&'static (&'static str, &'static str, &'static str)>,
}

/// True when `bytes[at..]` starts with `needle` (lower case), ignoring ASCII case.
fn starts_ci(bytes: &[u8], at: usize, needle: &[u8]) -> bool {
    bytes
        .get(at..at + needle.len())
        .is_some_and(|w| w.eq_ignore_ascii_case(needle))
}

/// One pass over the bytes: comparisons only at the start of a word whose first letter
/// begins a needle (`p` for the marker, `m`, `a`, `h` for the topics).
fn scan(question: &str) -> Scan {
    let bytes = question.as_bytes();
    let mut found = Scan {
        marker: None,
        misspelt_marker: false,
        topic: None,
    };
    let mut previous = b' ';
    for (start, &b) in bytes.iter().enumerate() {
        let word_start = !previous.is_ascii_alphabetic();
        previous = b;
        if !word_start || !matches!(b, b'p' | b'P' | b'm' | b'M' | b'a' | b'A' | b'h' | b'H') {
            continue;
        }
        let letter = b.to_ascii_lowercase();
        if letter == b'p' && starts_ci(bytes, start, b"possible answers") {
            let exact = bytes
                .get(start..)
                .is_some_and(|rest| rest.starts_with(CHOICES_MARKER.as_bytes()));
            if exact && found.marker.is_none() {
                found.marker = Some(start);
            } else if !exact {
                found.misspelt_marker = true;
            }
        } else if found.topic.is_none() {
            found.topic = STANDARD_TOPICS.iter().find(|(needle, _, _)| {
                needle.as_bytes().first() == Some(&letter)
                    && starts_ci(bytes, start, needle.as_bytes())
            });
        }
    }
    found
}

/// The offered choices of a question, when it is multiple choice: `Ok(None)` for a plain
/// question, `Err(rule)` when the marker is misspelt or the list is empty.
pub fn choices(question: &str) -> Result<Option<Vec<&str>>, &'static str> {
    offered(question, &scan(question))
}

fn offered<'q>(question: &'q str, found: &Scan) -> Result<Option<Vec<&'q str>>, &'static str> {
    let Some(index) = found.marker else {
        if found.misspelt_marker {
            return Err("write the marker exactly `POSSIBLE ANSWERS:`");
        }
        return Ok(None);
    };
    let list = question
        .get(index + CHOICES_MARKER.len()..)
        .unwrap_or_default();
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
    for (index, entry) in entries.iter().enumerate() {
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
        let other_side = match entry.side {
            QaSide::Question => QaSide::Answer,
            QaSide::Answer => QaSide::Question,
        };
        let partner = partner(entries, index, other_side, entry.number);
        if partner.is_none() {
            let other = format!("{}{}", other_side.letter(), entry.number);
            c.report(codes::QA_UNPAIRED, &at, &[("other", &other)], Beluga::Code);
        }
        let Some(text) = c.text(&entry.text, &at, text_req) else {
            continue;
        };
        // A multiple-choice answer is checked with its question, which is scanned once.
        if entry.side == QaSide::Question {
            let offered = question_rules(c, text, &at);
            let answer = partner.and_then(|a| a.text.value().map(|t| (a, &**t)));
            if let (Some(offered), Some((answer, answer_text))) = (offered, answer) {
                if !answer_text.trim().is_empty() {
                    let answer_at = form.qa(answer.side.letter(), answer.number);
                    answer_rules(c, answer_text, &offered, &answer_at, entry.number);
                }
            }
        }
    }
    // Numbers run from 1 to the highest without gaps: one violation per gap, however wide.
    let mut numbers: Vec<u32> = entries
        .iter()
        .filter(|e| e.raw_key.is_none())
        .map(|e| e.number)
        .collect();
    numbers.sort_unstable();
    numbers.dedup();
    let mut expected = 1u32;
    for number in numbers {
        if number > expected {
            let key = format!("Q{expected}");
            let rule = if number - expected == 1 {
                format!("number {expected} is missing")
            } else {
                format!("numbers {expected} to {} are missing", number - 1)
            };
            c.report(
                codes::QA_NUMBERING,
                &form.key(&key),
                &[("rule", &rule)],
                Beluga::Code,
            );
        }
        expected = number.saturating_add(1);
    }
}

fn find<'e, 'a>(entries: &'e [QaEntry<'a>], side: QaSide, number: u32) -> Option<&'e QaEntry<'a>> {
    entries
        .iter()
        .find(|e| e.side == side && e.number == number && e.raw_key.is_none())
}

/// The partner of entry `index`: its neighbours first (pairs usually come `Qn`, `An`), then
/// the whole list.
fn partner<'e, 'a>(
    entries: &'e [QaEntry<'a>],
    index: usize,
    side: QaSide,
    number: u32,
) -> Option<&'e QaEntry<'a>> {
    let hit = |e: &&QaEntry| e.side == side && e.number == number && e.raw_key.is_none();
    [index.checked_add(1), index.checked_sub(1)]
        .into_iter()
        .flatten()
        .filter_map(|i| entries.get(i))
        .find(hit)
        .or_else(|| find(entries, side, number))
}

static STANDARD_TOPICS: [(&str, &str, &str); 4] = [
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

/// The question's own rules; answers its offered choices when it is multiple choice.
fn question_rules<'q>(c: &mut Checker, text: &'q str, at: &Loc) -> Option<Vec<&'q str>> {
    let found = scan(text);
    if let Some((_, topic, standard)) = found.topic {
        c.warn(
            codes::QUESTION_REPEATS_STANDARD_FIELD,
            at,
            &[("topic", topic), ("standard", standard)],
        );
    }
    match offered(text, &found) {
        Ok(choices) => choices,
        Err(rule) => {
            c.report(
                codes::CHOICES_MALFORMED,
                at,
                &[("rule", rule)],
                Beluga::Code,
            );
            None
        }
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
