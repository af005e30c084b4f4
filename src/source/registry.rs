//! The machinery behind the one list of sources (`super`'s `sources!` line per source): the
//! macro that turns the list into [`super::Kind`], [`super::Target`] and their dispatch, and
//! the generic steps each source's share of a run goes through.

use crate::error::Error;
use crate::model::Entry;

use super::contract::{Grant, Needs, Reach, Source};

/// Each source's targets with the index of the SPEC that named them: one source's share of a
/// run, fetched; results keep their index.
pub async fn fetch_indexed<S: Source>(
    reach: &Reach<'_>,
    indexed: Vec<(usize, S::Target)>,
) -> Vec<(usize, Result<Vec<Entry>, Error>)> {
    if indexed.is_empty() {
        return Vec::new();
    }
    let (indexes, targets): (Vec<usize>, Vec<S::Target>) = indexed.into_iter().unzip();
    indexes
        .into_iter()
        .zip(S::fetch(reach, targets).await)
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

        /// Fetches every SPEC's values, all sources concurrently; results in `specs` order.
        pub async fn fetch_all(reach: &Reach<'_>, specs: &[Spec]) -> Vec<Result<Vec<Entry>, Error>> {
            $(
                #[allow(non_snake_case)]
                let mut $kind = Vec::new();
            )+
            for (index, spec) in specs.iter().enumerate() {
                match &spec.target {
                    $(Target::$kind(target) => $kind.push((index, target.clone())),)+
                }
            }
            #[allow(non_snake_case)]
            let ($($kind,)+) = tokio::join!(
                $(registry::fetch_indexed::<$module::$source>(reach, $kind),)+
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
            let mut keys = Keys::default();
            $(
                let targets: Vec<_> = specs
                    .iter()
                    .filter_map(|spec| match &spec.target {
                        Target::$kind(target) => Some(target.clone()),
                        #[allow(unreachable_patterns)]
                        _ => None,
                    })
                    .collect();
                if !targets.is_empty() {
                    keys = keys.and(<$module::$source as Source>::encryption_keys(reach, targets).await);
                }
            )+
            keys
        }

        /// What fetching every SPEC needs to be allowed, source by source.
        pub fn needs(specs: &[Spec], grant: &Grant<'_>) -> Result<Needs, Error> {
            let mut needs = Needs::default();
            $(
                let targets: Vec<_> = specs
                    .iter()
                    .filter_map(|spec| match &spec.target {
                        Target::$kind(target) => Some(target.clone()),
                        #[allow(unreachable_patterns)]
                        _ => None,
                    })
                    .collect();
                needs = needs.and(registry::needs_of::<$module::$source>(&targets, grant)?);
            )+
            Ok(needs)
        }
    };
}

pub(crate) use sources;
