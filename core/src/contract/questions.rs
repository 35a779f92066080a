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

/// One pass over the bytes: comparisons only at the start of a word (a letter after a
/// byte that is not one) whose first letter begins a needle (`p` for the marker, `m`, `a`,
/// `h` for the topics). Eight bytes are tested at once (SWAR: one `u64`, one flag per byte
/// in its high bit); only the rare word that starts with an initial is compared.
fn scan(question: &str) -> Scan {
    let bytes = question.as_bytes();
    let mut found = Scan {
        marker: None,
        misspelt_marker: false,
        topic: None,
    };
    let mut previous_letter = 0u64;
    let mut base = 0usize;
    let mut chunks = bytes.chunks_exact(8);
    for chunk in chunks.by_ref() {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        previous_letter = scan_word(bytes, word, base, previous_letter, &mut found);
        base += 8;
    }
    let mut tail = [b' '; 8];
    for (slot, &b) in tail.iter_mut().zip(chunks.remainder()) {
        *slot = b;
    }
    scan_word(bytes, tail, base, previous_letter, &mut found);
    found
}

/// Every byte of a `u64` set to `b`.
const fn splat(b: u8) -> u64 {
    u64::from_ne_bytes([b; 8])
}

const HIGH: u64 = splat(0x80);
const LOW7: u64 = splat(0x7f);

/// The high bit of each byte of `x` that is zero.
#[inline(always)]
const fn zero_bytes(x: u64) -> u64 {
    !(((x & LOW7) + LOW7) | x) & HIGH
}

/// Scans the eight bytes `word` found at `base` in `bytes`; `previous_letter` is the high
/// bit of byte 7 when the byte before them is a letter. Answers the same for their last byte.
/// Inlined into the loop: a call per eight bytes cost a third of the scan.
#[inline(always)]
fn scan_word(
    bytes: &[u8],
    word: [u8; 8],
    base: usize,
    previous_letter: u64,
    found: &mut Scan,
) -> u64 {
    let lower = u64::from_le_bytes(word) | splat(0x20);
    let low7 = lower & LOW7;
    // `a`..=`z` after folding: at least `a`, below `{`, and ASCII.
    let letters = (low7 + splat(0x80 - b'a')) & !(low7 + splat(0x80 - b'{')) & !lower & HIGH;
    let initials = zero_bytes(lower ^ splat(b'p'))
        | zero_bytes(lower ^ splat(b'm'))
        | zero_bytes(lower ^ splat(b'a'))
        | zero_bytes(lower ^ splat(b'h'));
    let before = (letters << 8) | (previous_letter >> 56);
    let mut hits = letters & !before & initials;
    while hits != 0 {
        let at = (hits.trailing_zeros() / 8) as usize;
        hits &= hits - 1;
        if let Some(&b) = word.get(at) {
            // Every needle's second letter: `po`, `al`, `me`, `he`. Most words that start
            // with an initial fail here, without the call.
            let letter = b | 0x20;
            let second = match letter {
                b'p' => b'o',
                b'a' => b'l',
                _ => b'e',
            };
            if bytes
                .get(base + at + 1)
                .is_some_and(|&c| c | 0x20 == second)
            {
                hit(bytes, base + at, letter, found);
            }
        }
    }
    letters
}

/// A word starting at `start` with the (lower-case) letter `letter`: the marker or a topic?
/// Rare (a few dozen words a form), so kept out of the scan loop.
#[inline(never)]
fn hit(bytes: &[u8], start: usize, letter: u8, found: &mut Scan) {
    if letter == b'p' {
        if starts_ci(bytes, start, b"possible answers") {
            let exact = bytes
                .get(start..)
                .is_some_and(|rest| rest.starts_with(CHOICES_MARKER.as_bytes()));
            if exact && found.marker.is_none() {
                found.marker = Some(start);
            } else if !exact {
                found.misspelt_marker = true;
            }
        }
    } else if found.topic.is_none() {
        found.topic = STANDARD_TOPICS.iter().find(|(needle, _, _)| {
            needle.as_bytes().first() == Some(&letter) && starts_ci(bytes, start, needle.as_bytes())
        });
    }
}

/// The offered choices of a multiple-choice question: the text after the marker, split at
/// `;` and trimmed when read (never collected).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Choices<'q>(&'q str);

impl<'q> Choices<'q> {
    /// The choices in order.
    pub fn iter(self) -> impl Iterator<Item = &'q str> {
        Pieces(Some(self.0))
    }

    /// Whether `chosen` is one of them.
    pub fn offers(self, chosen: &str) -> bool {
        self.iter().any(|c| c == chosen)
    }
}

/// The `;`-separated pieces of a text, trimmed as `str::trim` does: `text.split(';')
/// .map(str::trim)` with a byte loop in place of the searcher, and the Unicode trim only
/// where a piece starts or ends with a byte that is not plain ASCII.
struct Pieces<'q>(Option<&'q str>);

impl<'q> Iterator for Pieces<'q> {
    type Item = &'q str;

    fn next(&mut self) -> Option<&'q str> {
        let rest = self.0?;
        let piece = match find_semicolon(rest.as_bytes()) {
            Some(end) => {
                let (piece, after) = rest.split_at(end);
                self.0 = after.get(1..);
                piece
            }
            None => {
                self.0 = None;
                rest
            }
        };
        Some(trim(piece))
    }
}

/// The index of the first `;`, eight bytes at a time (choice lists run to hundreds of bytes,
/// split once to check them and again for every chosen answer).
fn find_semicolon(bytes: &[u8]) -> Option<usize> {
    let mut chunks = bytes.chunks_exact(8);
    let mut base = 0usize;
    for chunk in chunks.by_ref() {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let found = zero_bytes(u64::from_le_bytes(word) ^ splat(b';'));
        if found != 0 {
            return Some(base + (found.trailing_zeros() / 8) as usize);
        }
        base += 8;
    }
    chunks
        .remainder()
        .iter()
        .position(|&b| b == b';')
        .map(|at| base + at)
}

/// `str::trim`, answering at once when both ends are ASCII that is not whitespace.
fn trim(piece: &str) -> &str {
    // Spaces first, byte by byte (the `char` pattern of `trim_matches` decodes each one).
    let bytes = piece.as_bytes();
    let start = bytes.iter().position(|&b| b != b' ').unwrap_or(bytes.len());
    let end = bytes
        .iter()
        .rposition(|&b| b != b' ')
        .map_or(start, |last| last + 1);
    // Both ends sit next to an ASCII space or at an end of the text: char boundaries.
    let piece = piece.get(start..end).unwrap_or_default();
    let bytes = piece.as_bytes();
    let plain =
        |b: Option<&u8>| b.is_some_and(|b| b.is_ascii() && !b.is_ascii_whitespace() && *b != 0x0b);
    if plain(bytes.first()) && plain(bytes.last()) {
        piece
    } else {
        piece.trim()
    }
}

/// The offered choices of a question, when it is multiple choice: `Ok(None)` for a plain
/// question, `Err(rule)` when the marker is misspelt or the list is empty.
pub fn choices(question: &str) -> Result<Option<Choices<'_>>, &'static str> {
    offered(question, &scan(question)).map(|listed| listed.map(|l| l.choices))
}

/// Choice lists kept on the stack up to this many pieces (longer ones are split again
/// for each chosen answer).
const LISTED: usize = 12;

/// A question's choices, split once when the list is checked: each chosen answer is then
/// compared with the pieces, not found by splitting the list again.
struct Listed<'q> {
    choices: Choices<'q>,
    pieces: [&'q str; LISTED],
    /// How many pieces there are; above [`LISTED`], only `choices` answers.
    len: usize,
}

impl Listed<'_> {
    fn offers(&self, chosen: &str) -> bool {
        match self.pieces.get(..self.len) {
            Some(pieces) => pieces.contains(&chosen),
            None => self.choices.offers(chosen),
        }
    }
}

fn offered<'q>(question: &'q str, found: &Scan) -> Result<Option<Listed<'q>>, &'static str> {
    let Some(index) = found.marker else {
        if found.misspelt_marker {
            return Err("write the marker exactly `POSSIBLE ANSWERS:`");
        }
        return Ok(None);
    };
    let choices = Choices(
        question
            .get(index + CHOICES_MARKER.len()..)
            .unwrap_or_default(),
    );
    let mut listed = Listed {
        choices,
        pieces: [""; LISTED],
        len: 0,
    };
    let (mut empty, mut filled) = (false, false);
    for choice in choices.iter() {
        if choice.is_empty() {
            empty = true;
        } else {
            filled = true;
        }
        if let Some(slot) = listed.pieces.get_mut(listed.len) {
            *slot = choice;
        }
        listed.len += 1;
    }
    if !filled {
        return Err("no choices follow `POSSIBLE ANSWERS:`");
    }
    if empty {
        return Err("a choice between semicolons is empty");
    }
    Ok(Some(listed))
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
    numbering(c, entries, form);
}

/// Numbers run from 1 to the highest without gaps: one violation per gap, however wide.
/// Numbers up to 64 (every real form) are a bit set; higher ones are sorted.
fn numbering(c: &mut Checker, entries: &[QaEntry], form: &Loc) {
    let numbers = entries
        .iter()
        .filter(|e| e.raw_key.is_none())
        .map(|e| e.number);
    let mut bits = 0u64;
    for number in numbers.clone() {
        match number
            .checked_sub(1)
            .and_then(|shift| 1u64.checked_shl(shift))
        {
            Some(bit) => bits |= bit,
            None => return numbering_sorted(c, numbers.collect(), form),
        }
    }
    // Every number 1..=highest present: the bits are all ones from bit 0.
    if bits & bits.wrapping_add(1) == 0 {
        return;
    }
    let present = (1..=64u32).filter(|n| bits & (1u64 << (n - 1)) != 0);
    numbering_sorted(c, present.collect(), form);
}

fn numbering_sorted(c: &mut Checker, mut numbers: Vec<u32>, form: &Loc) {
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
fn question_rules<'q>(c: &mut Checker, text: &'q str, at: &Loc) -> Option<Listed<'q>> {
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

fn answer_rules(c: &mut Checker, text: &str, offered: &Listed<'_>, at: &Loc, number: u32) {
    for (position, chosen) in Pieces(Some(text)).enumerate() {
        if !offered.offers(chosen) {
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
    use super::{choices, offered, scan, LISTED};

    /// The scan as it was written byte by byte: the SWAR scan must find the same.
    fn reference(question: &str) -> (Option<usize>, bool, Option<&'static str>) {
        let bytes = question.as_bytes();
        let (mut marker, mut misspelt, mut topic) = (None, false, None);
        let mut previous = b' ';
        for (start, &b) in bytes.iter().enumerate() {
            let word_start = !previous.is_ascii_alphabetic() && b.is_ascii_alphabetic();
            previous = b;
            if !word_start {
                continue;
            }
            let rest = bytes.get(start..).unwrap_or_default();
            let ci = |needle: &str| {
                rest.get(..needle.len())
                    .is_some_and(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
            };
            if ci("possible answers") {
                let exact = rest.starts_with(super::CHOICES_MARKER.as_bytes());
                if exact && marker.is_none() {
                    marker = Some(start);
                } else if !exact {
                    misspelt = true;
                }
            } else if topic.is_none() {
                topic = super::STANDARD_TOPICS
                    .iter()
                    .find(|(needle, _, _)| ci(needle))
                    .map(|(needle, _, _)| *needle);
            }
        }
        (marker, misspelt, topic)
    }

    #[test]
    fn the_word_scan_matches_the_byte_by_byte_reference() {
        let texts = [
            "Which weight-loss approaches? POSSIBLE ANSWERS: Diet; Prescription medication",
            "MEDICATIONS you take (ALLERGIES too) — possible answers: a",
            "éMedication Ümedical condition health Condition",
            "xallergy 1allergy _allergy medicatio",
            "POSSIBLE ANSWERS: a; b POSSIBLE ANSWERS: c possible ANSWERS",
            "12345678medication",
            "1234567medication",
            "abcdefg allergic",
            "\u{0}\u{80}\u{ff} Health condition",
            "",
            "a",
            "h",
        ];
        for text in texts {
            for cut in 0..text.len() {
                let Some(text) = text.get(cut..) else {
                    continue;
                };
                let found = scan(text);
                let topic = found.topic.map(|(needle, _, _)| *needle);
                assert_eq!(
                    (found.marker, found.misspelt_marker, topic),
                    reference(text),
                    "{text:?}"
                );
            }
        }
    }

    #[test]
    fn pieces_split_and_trim_as_the_standard_library() {
        for text in [
            "Under 5 ft; 5 ft to 5 ft 5 in; 5 ft 6 in to 5 ft 11 in; 6 ft or taller",
            "0123456;89abcdef;;01234567;",
            "01234567;x",
            "no semicolon at all, longer than eight bytes",
            "a; b ;c",
            " ; ;",
            "",
            ";",
            "\u{a0}x\u{2003}; \u{b}y\t;\u{85}",
            "é ; ü",
            "  lots   of  space  ",
        ] {
            let ours: Vec<&str> = super::Pieces(Some(text)).collect();
            let std: Vec<&str> = text.split(';').map(str::trim).collect();
            assert_eq!(ours, std, "{text:?}");
        }
    }

    #[test]
    fn choices_are_read_from_the_question() {
        let offered = choices("How? POSSIBLE ANSWERS: a; b ;c")
            .map(|c| c.map(|c| c.iter().collect::<Vec<_>>()));
        assert_eq!(offered, Ok(Some(vec!["a", "b", "c"])));
        assert!(choices("x POSSIBLE ANSWERS: yes; no")
            .is_ok_and(|c| c.is_some_and(|c| c.offers("no") && !c.offers("n"))));
        assert_eq!(choices("How old are you?"), Ok(None));
        // Word starts only: `happy` is a word, `perhaps` holds no word starting with `h`.
        assert!(scan("Are you happy? Medications?").topic.is_some());
        assert!(scan("pharmacy medication").topic.is_some());
        assert!(scan("premedication, hallergy").topic.is_none());
        assert!(scan("(ALLERGIES)").topic.is_some());
        assert!(scan("x possible Answers: a").misspelt_marker);
        assert!(choices("How? Possible answers: a; b").is_err());
        assert!(choices("How? POSSIBLE ANSWERS:   ").is_err());
        assert!(choices("How? POSSIBLE ANSWERS: a;; b").is_err());
    }

    #[test]
    fn listed_choices_answer_as_the_list_does_on_and_past_the_stack() -> Result<(), String> {
        // Lists of 1 to 40 choices (the stack holds 12), each asked for every choice, for
        // a choice with other spacing, and for text that is not one of them.
        for count in 1..=40usize {
            let list: Vec<String> = (1..=count).map(|n| format!(" choice {n} ")).collect();
            let question = format!("Which? POSSIBLE ANSWERS:{}", list.join(";"));
            let Ok(Some(listed)) = offered(&question, &scan(&question)) else {
                return Err(format!("{count} choices: not read as multiple choice"));
            };
            assert_eq!(listed.len, count);
            assert_eq!(listed.pieces.get(..count).is_some(), count <= LISTED);
            let mut asked: Vec<String> = (1..=count).map(|n| format!("choice {n}")).collect();
            asked.extend(["choice 0".into(), " choice 1".into(), String::new()]);
            for chosen in &asked {
                assert_eq!(
                    listed.offers(chosen),
                    listed.choices.offers(chosen),
                    "{count} choices, asked {chosen:?}"
                );
            }
            assert!(listed.offers(&format!("choice {count}")));
            assert!(!listed.offers("choice 0"));
        }
        Ok(())
    }
}
