//! Closed argument values taken from the core's own lists: body kinds, response endpoints,
//! normalisers, webhook sources and submit triggers. Each is a clap [`ValueEnum`] wrapping
//! the core's enum, so clap rejects a typo (exit 2, naming the possible values), `--help`
//! and the shell completions list them, and nothing here repeats the list: the variants are
//! the core's `ALL` (or `all()`), the names its `name()`.

use clap::builder::PossibleValue;
use clap::ValueEnum;
use rxgate_core::contract::normalize::Field;
use rxgate_core::contract::response::Endpoint;
use rxgate_core::contract::Kind;
use rxgate_core::events::Source;
use rxgate_core::order::submit::Trigger;

/// Declares a newtype over a core enum and its [`ValueEnum`] implementation: `all` yields
/// the core's variants, `name` spells one as the API does, `help` says what it is (triggers
/// carry no description in the core: their names say it).
macro_rules! core_choice {
    ($(#[$doc:meta])* $name:ident($inner:ty) {
        all: $all:expr,
        name: $spell:expr,
        help: $help:expr $(,)?
    }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub(crate) struct $name(pub(crate) $inner);

        impl $name {
            /// The name the core's API takes.
            pub(crate) fn name(self) -> &'static str {
                let spell: fn($inner) -> &'static str = $spell;
                spell(self.0)
            }
        }

        impl ValueEnum for $name {
            fn value_variants<'a>() -> &'a [Self] {
                static VARIANTS: std::sync::OnceLock<Vec<$name>> = std::sync::OnceLock::new();
                VARIANTS.get_or_init(|| $all.into_iter().map($name).collect())
            }

            fn to_possible_value(&self) -> Option<PossibleValue> {
                let help: fn($inner) -> Option<&'static str> = $help;
                let value = PossibleValue::new(self.name());
                Some(match help(self.0) {
                    Some(text) => value.help(text),
                    None => value,
                })
            }
        }
    };
}

core_choice! {
    /// An outbound Beluga body (`validate`), helped by its endpoint path.
    BodyKind(Kind) {
        all: Kind::ALL,
        name: Kind::name,
        help: |kind| Some(kind.endpoint()),
    }
}

core_choice! {
    /// A Beluga endpoint whose answer `parse-response` reads: a body kind or a fetch.
    EndpointArg(Endpoint) {
        all: Endpoint::all(),
        name: Endpoint::name,
        help: |endpoint| Some(endpoint_path(endpoint)),
    }
}

core_choice! {
    /// A normaliser (`normalize`).
    FieldArg(Field) {
        all: Field::ALL,
        name: Field::name,
        help: |field| Some(field.summary()),
    }
}

core_choice! {
    /// The sender of a webhook (`webhook …`).
    SourceArg(Source) {
        all: Source::ALL,
        name: Source::as_str,
        help: |source| Some(source.label()),
    }
}

core_choice! {
    /// The event that may auto-submit an order (`decide-submit --trigger`).
    TriggerArg(Trigger) {
        all: Trigger::ALL,
        name: Trigger::name,
        help: |_| None,
    }
}

/// The path of an endpoint, below Beluga's base URL.
fn endpoint_path(endpoint: Endpoint) -> &'static str {
    match endpoint {
        Endpoint::Request(kind) => kind.endpoint(),
        Endpoint::FetchPatient => "GET /patient/externalFetch/{phone}",
        Endpoint::FetchVisit => "GET /visit/externalFetch/{masterId}",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names<T: ValueEnum>() -> Vec<String> {
        T::value_variants()
            .iter()
            .filter_map(|v| v.to_possible_value())
            .map(|v| v.get_name().to_owned())
            .collect()
    }

    #[test]
    fn every_choice_is_a_name_the_core_parses_back() {
        let kinds = names::<BodyKind>();
        assert_eq!(kinds.len(), Kind::ALL.len());
        assert!(kinds.iter().all(|k| Kind::from_name(k).is_some()));
        let endpoints = names::<EndpointArg>();
        assert_eq!(endpoints.len(), Kind::ALL.len() + 2);
        assert!(endpoints.iter().all(|e| Endpoint::from_name(e).is_some()));
        assert!(names::<FieldArg>()
            .iter()
            .all(|f| Field::from_name(f).is_some()));
        assert!(names::<SourceArg>()
            .iter()
            .all(|s| Source::from_name(s).is_some()));
        assert_eq!(names::<TriggerArg>().len(), Trigger::ALL.len());
        assert!(names::<TriggerArg>()
            .iter()
            .all(|t| Trigger::from_name(t).is_some()));
    }

    #[test]
    fn clap_parses_a_name_and_refuses_a_typo() {
        assert_eq!(
            BodyKind::from_str("cs-message", false),
            Ok(BodyKind(Kind::CsMessage))
        );
        assert!(BodyKind::from_str("cs_message", false).is_err());
        assert_eq!(
            SourceArg::from_str("dispensepro", false),
            Ok(SourceArg(Source::DispensePro))
        );
        assert!(SourceArg::from_str("dispense-pro", false).is_err());
    }
}
