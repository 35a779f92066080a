//! Normalisers a caller runs before validating: they turn what people type into what Beluga
//! accepts. Each returns the normalised value or a [`NormalizeError`] naming the rule (never
//! the value).

use chrono::NaiveDate;

/// The normalisers, named as the `normalize` operation and the CLI name them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    /// [`phone`]
    Phone,
    /// [`date`]
    Date,
    /// [`state`]
    State,
    /// [`trim`]
    Trim,
    /// [`multiple_choice_question`]
    MultipleChoiceQuestion,
    /// [`multiple_choice_answer`]
    MultipleChoiceAnswer,
}

impl Field {
    /// Every normaliser.
    pub const ALL: [Field; 6] = [
        Field::Phone,
        Field::Date,
        Field::State,
        Field::Trim,
        Field::MultipleChoiceQuestion,
        Field::MultipleChoiceAnswer,
    ];

    /// The name: `phone`, `date`, `state`, `trim`, `multiple_choice_question`,
    /// `multiple_choice_answer`.
    pub fn name(self) -> &'static str {
        match self {
            Field::Phone => "phone",
            Field::Date => "date",
            Field::State => "state",
            Field::Trim => "trim",
            Field::MultipleChoiceQuestion => "multiple_choice_question",
            Field::MultipleChoiceAnswer => "multiple_choice_answer",
        }
    }

    /// Parses a name.
    pub fn from_name(name: &str) -> Option<Field> {
        Field::ALL.into_iter().find(|f| f.name() == name)
    }

    /// What the normaliser does, in a few words (for help texts).
    pub fn summary(self) -> &'static str {
        match self {
            Field::Phone => "10 digits, a leading country code 1 dropped",
            Field::Date => "YYYY-MM-DD or M/D/YYYY to MM/DD/YYYY",
            Field::State => "a two-letter code, upper-cased",
            Field::Trim => "surrounding white space removed, inner runs folded",
            Field::MultipleChoiceQuestion => "a question and its choices in Beluga's form",
            Field::MultipleChoiceAnswer => "chosen answers, each one of the choices, joined",
        }
    }
}

/// Why a value could not be normalised.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NormalizeError {
    /// A phone that does not reduce to 10 digits (after an optional leading country code 1).
    #[error("phone must reduce to 10 digits, optionally after a leading country code 1")]
    PhoneDigits,
    /// A date in none of the accepted forms.
    #[error("date must be an ISO date YYYY-MM-DD or MM/DD/YYYY and a real calendar date")]
    DateFormat,
    /// A state that is not two letters.
    #[error("state must be a two-letter code")]
    StateFormat,
    /// A multiple-choice answer that is not among the offered choices.
    #[error("every chosen answer must be one of the offered choices")]
    ChoiceNotOffered,
    /// A multiple-choice question with no choices or an empty choice.
    #[error("a multiple-choice question needs at least one non-empty choice")]
    NoChoices,
}

impl NormalizeError {
    /// The stable snake_case name of the failure (`phone_digits`, `date_format`, …).
    pub fn code(&self) -> &'static str {
        match self {
            NormalizeError::PhoneDigits => "phone_digits",
            NormalizeError::DateFormat => "date_format",
            NormalizeError::StateFormat => "state_format",
            NormalizeError::ChoiceNotOffered => "choice_not_offered",
            NormalizeError::NoChoices => "no_choices",
        }
    }
}

/// `+1 (555) 456-7890` → `5554567890`: keeps the digits and drops a leading country code 1.
pub fn phone(input: &str) -> Result<String, NormalizeError> {
    let digits: String = input.chars().filter(char::is_ascii_digit).collect();
    let has_letters = input.chars().any(char::is_alphabetic);
    let national = match digits.len() {
        10 => digits,
        11 if digits.starts_with('1') => digits.chars().skip(1).collect(),
        _ => return Err(NormalizeError::PhoneDigits),
    };
    if has_letters {
        return Err(NormalizeError::PhoneDigits);
    }
    Ok(national)
}

/// ISO `1990-04-02` (or an already US `4/2/1990`) → `04/02/1990`.
pub fn date(input: &str) -> Result<String, NormalizeError> {
    let parsed = parse_date(input).ok_or(NormalizeError::DateFormat)?;
    Ok(parsed.format("%m/%d/%Y").to_string())
}

/// A date the app stores, ISO `YYYY-MM-DD` or US `MM/DD/YYYY` (surrounding space ignored).
pub fn parse_date(input: &str) -> Option<NaiveDate> {
    let trimmed = input.trim();
    NaiveDate::parse_from_str(trimmed, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(trimmed, "%m/%d/%Y"))
        .ok()
}

/// `ca` → `CA`: trims and upper-cases a two-letter code.
pub fn state(input: &str) -> Result<String, NormalizeError> {
    let trimmed = input.trim();
    if trimmed.chars().count() == 2 && trimmed.chars().all(|c| c.is_ascii_alphabetic()) {
        Ok(trimmed.to_ascii_uppercase())
    } else {
        Err(NormalizeError::StateFormat)
    }
}

/// Trims surrounding white space and folds inner runs of white space to one space.
pub fn trim(input: &str) -> String {
    input.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A multiple-choice question in Beluga's form:
/// `"Have you …? POSSIBLE ANSWERS: a; b; c"`.
pub fn multiple_choice_question(
    question: &str,
    choices: &[String],
) -> Result<String, NormalizeError> {
    let choices: Vec<String> = choices.iter().map(|c| trim(c)).collect();
    if choices.is_empty() || choices.iter().any(String::is_empty) {
        return Err(NormalizeError::NoChoices);
    }
    Ok(format!(
        "{} POSSIBLE ANSWERS: {}",
        trim(question),
        choices.join("; ")
    ))
}

/// The answer to a multiple-choice question: chosen choices joined with `; `, each one of the
/// offered `choices`.
pub fn multiple_choice_answer(
    choices: &[String],
    chosen: &[String],
) -> Result<String, NormalizeError> {
    let offered: Vec<String> = choices.iter().map(|c| trim(c)).collect();
    let chosen: Vec<String> = chosen.iter().map(|c| trim(c)).collect();
    if chosen.is_empty() || chosen.iter().any(|c| !offered.contains(c)) {
        return Err(NormalizeError::ChoiceNotOffered);
    }
    Ok(chosen.join("; "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_field_name_parses_back() {
        let mut names: Vec<&str> = Field::ALL.iter().map(|f| f.name()).collect();
        for field in Field::ALL {
            assert_eq!(Field::from_name(field.name()), Some(field));
            assert!(!field.summary().is_empty());
        }
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), Field::ALL.len());
        assert_eq!(Field::from_name("telephone"), None);
    }

    #[test]
    fn phone_forms() {
        assert_eq!(phone("+1 (555) 456-7890"), Ok("5554567890".to_owned()));
        assert_eq!(phone("555.456.7890"), Ok("5554567890".to_owned()));
        assert_eq!(phone("456-7890"), Err(NormalizeError::PhoneDigits));
        assert_eq!(phone("2 (555) 456-7890"), Err(NormalizeError::PhoneDigits));
        assert_eq!(phone("555-CALL-NOW1"), Err(NormalizeError::PhoneDigits));
    }

    #[test]
    fn date_forms() {
        assert_eq!(date("1990-04-02"), Ok("04/02/1990".to_owned()));
        assert_eq!(date("4/2/1990"), Ok("04/02/1990".to_owned()));
        assert_eq!(date("1990-02-30"), Err(NormalizeError::DateFormat));
    }

    #[test]
    fn state_and_trim() {
        assert_eq!(state(" ca "), Ok("CA".to_owned()));
        assert_eq!(state("Cal"), Err(NormalizeError::StateFormat));
        assert_eq!(trim("  Ada   Lovelace "), "Ada Lovelace");
    }

    #[test]
    fn multiple_choice() {
        let choices = vec![
            "answer1".to_owned(),
            "answer2".to_owned(),
            "answer3".to_owned(),
        ];
        assert_eq!(
            multiple_choice_question("Have you experienced any of these things?", &choices),
            Ok("Have you experienced any of these things? POSSIBLE ANSWERS: answer1; answer2; answer3".to_owned())
        );
        let chosen = vec!["answer2".to_owned(), "answer3".to_owned()];
        assert_eq!(
            multiple_choice_answer(&choices, &chosen),
            Ok("answer2; answer3".to_owned())
        );
        assert_eq!(
            multiple_choice_answer(&choices, &["other".to_owned()]),
            Err(NormalizeError::ChoiceNotOffered)
        );
    }
}
