//! The machinery behind the one list of sources (`super`'s `sources!` line per source): the
//! macro that turns the list into [`super::Kind`], [`super::Target`] and their dispatch, and
//! the generic steps each source's share of a run goes through.

use crate::error::Error;
use crate::model::Entry;

use super::contract::{Grant, Needs, Reach, Source};

/// One source's targets, in the order of the SPECs, and the index of the SPEC that named each.
#[derive(Debug)]
pub struct Indexed<T> {
    pub indexes: Vec<usize>,
    pub targets: Vec<T>,
}

impl<T> Default for Indexed<T> {
    fn default() -> Self {
        Indexed {
            indexes: Vec::new(),
            targets: Vec::new(),
        }
    }
}

impl<T> Indexed<T> {
    /// Adds the target of SPEC number `index`.
    pub fn push(&mut self, index: usize, target: T) {
        self.indexes.push(index);
        self.targets.push(target);
    }
}

/// One source's share of a run, fetched; results keep their SPEC's index.
pub async fn fetch_indexed<S: Source>(
    reach: &Reach<'_>,
    indexed: Indexed<S::Target>,
) -> Vec<(usize, Result<Vec<Entry>, Error>)> {
    if indexed.targets.is_empty() {
        return Vec::new();
    }
    indexed
        .indexes
        .into_iter()
        .zip(S::fetch(reach, indexed.targets).await)
        .collect()
}

/// One source's share of a policy.
pub fn needs_of<S: Source>(targets: &[S::Target], grant: &Grant<'_>) -> Result<Needs, Error> {
    if targets.is_empty() {
        return Ok(Needs::default());
    }
    S::needs(targets, grant)
}

/// Declares the sources, one line each (`Kind => module::Type,`): their modules, [`Kind`],
/// [`Target`], and every dispatch over them (parsing a selector, fetching all SPECs, the
/// needs of a policy). A new source is its folder and one line. (rustfmt does not expand
/// macros, so `scripts/test` formats the modules declared here by their paths.)
macro_rules! sources {
    ($($(#[$doc:meta])* $kind:ident => $module:ident :: $source:ident,)+) => {
        $(pub mod $module;)+

        /// The sources, for what is said of each (help, tests, policies).
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Kind {
            $($(#[$doc])* $kind,)+
        }

        impl Kind {
            /// Every source.
            pub const ALL: &'static [Kind] = &[$(Kind::$kind),+];

            /// What its SPECs start with (`ssm:`); one source's SPECs start with nothing.
            pub fn marker(self) -> &'static str {
                match self {
                    $(Kind::$kind => <$module::$source as Source>::MARKER,)+
                }
            }
        }

        /// Which source a SPEC names, and what it selects there.
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub enum Target {
            $($kind(<$module::$source as Source>::Target),)+
        }

        impl Target {
            /// The target of the source whose marker starts `selector` (the source with no
            /// marker takes the rest), its shape checked.
            fn parse(selector: &str, shape: &Shape) -> Result<Target, String> {
                $(
                    let marker = <$module::$source as Source>::MARKER;
                    if !marker.is_empty()
                        && let Some(rest) = selector.strip_prefix(marker)
                    {
                        let target = <$module::$source as Source>::parse(rest)?;
                        <$module::$source as Source>::check_shape(&target, shape)?;
                        return Ok(Target::$kind(target));
                    }
                )+
                $(
                    if <$module::$source as Source>::MARKER.is_empty() {
                        let target = <$module::$source as Source>::parse(selector)?;
                        <$module::$source as Source>::check_shape(&target, shape)?;
                        return Ok(Target::$kind(target));
                    }
                )+
                Err("no source takes it".into())
            }

            /// What the target is, for messages.
            pub fn subject(&self) -> String {
                match self {
                    $(Target::$kind(target) => <$module::$source as Source>::subject(target),)+
                }
            }

            /// Which source it belongs to.
            pub fn kind(&self) -> Kind {
                match self {
                    $(Target::$kind(_) => Kind::$kind,)+
                }
            }
        }

        /// The SPECs' targets, split by source (each with its SPEC's index).
        #[allow(non_snake_case)]
        #[derive(Default)]
        struct BySource {
            $($kind: registry::Indexed<<$module::$source as Source>::Target>,)+
        }

        impl BySource {
            fn of(specs: &[Spec]) -> BySource {
                let mut by_source = BySource::default();
                for (index, spec) in specs.iter().enumerate() {
                    match &spec.target {
                        $(Target::$kind(target) => by_source.$kind.push(index, target.clone()),)+
                    }
                }
                by_source
            }
        }

        /// Fetches every SPEC's values, all sources concurrently; results in `specs` order.
        pub async fn fetch_all(reach: &Reach<'_>, specs: &[Spec]) -> Vec<Result<Vec<Entry>, Error>> {
            let by_source = BySource::of(specs);
            #[allow(non_snake_case)]
            let ($($kind,)+) = tokio::join!(
                $(registry::fetch_indexed::<$module::$source>(reach, by_source.$kind),)+
            );
            let mut results: Vec<Option<Result<Vec<Entry>, Error>>> =
                specs.iter().map(|_| None).collect();
            for (index, result) in std::iter::empty()$(.chain($kind))+ {
                results[index] = Some(result);
            }
            results
                .into_iter()
                .map(|result| result.expect("every SPEC has a result"))
                .collect()
        }

        /// The customer managed KMS keys every SPEC's values are encrypted with, source by
        /// source, as far as the caller may look them up.
        pub async fn encryption_keys(reach: &Reach<'_>, specs: &[Spec]) -> Keys {
            let by_source = BySource::of(specs);
            let mut keys = Keys::default();
            $(
                let targets = by_source.$kind.targets;
                if !targets.is_empty() {
                    keys = keys.and(<$module::$source as Source>::encryption_keys(reach, targets).await);
                }
            )+
            keys
        }

        /// What fetching every SPEC needs to be allowed, source by source.
        pub fn needs(specs: &[Spec], grant: &Grant<'_>) -> Result<Needs, Error> {
            let by_source = BySource::of(specs);
            let mut needs = Needs::default();
            $(
                needs = needs.and(registry::needs_of::<$module::$source>(&by_source.$kind.targets, grant)?);
            )+
            Ok(needs)
        }
    };
}

pub(crate) use sources;
