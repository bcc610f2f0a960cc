//! The parameter catalogue: every number of the model with name, unit, default, allowed
//! range and source.
//!
//! Parameters come in groups (one per process or organ); a scenario overrides them as
//! `[parameters.GROUP] NAME = value`. The same catalogue validates scenarios, fills
//! `run.toml`, and is walked by a test that checks every default lies in its range and
//! every entry names a unit and a source.

mod anti_cd20;
mod car_t;
mod crs;
mod groups;
mod lymphodepletion;
mod tumour;

pub use anti_cd20::AntiCd20;
pub use car_t::CarT;
pub use crs::Crs;
pub use groups::{Activation, BCells, Disease, Physiology, PlasmaCells, TCells};
pub use lymphodepletion::Lymphodepletion;
pub use tumour::Tumour;

/// One entry of the catalogue.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ParameterSpec {
    /// Group (TOML table under `[parameters]`).
    pub group: &'static str,
    /// Name within the group (TOML key).
    pub name: &'static str,
    /// Unit, e.g. `1/day`, `cells/uL`, `fraction`.
    pub unit: &'static str,
    /// Default value.
    pub default: f64,
    /// Smallest allowed value (inclusive).
    pub min: f64,
    /// Largest allowed value (inclusive).
    pub max: f64,
    /// Where the default comes from (paper, dataset, derivation or stated choice).
    pub source: &'static str,
    /// What the parameter means.
    pub doc: &'static str,
}

impl ParameterSpec {
    /// `group.name`, as written in error messages.
    pub fn path(&self) -> String {
        format!("parameters.{}.{}", self.group, self.name)
    }

    /// Whether `value` is allowed.
    pub fn allows(&self, value: f64) -> bool {
        value.is_finite() && value >= self.min && value <= self.max
    }
}

/// Defines a parameter group: a struct of `f64` fields with docs, its `Default`, and its
/// slice of the catalogue. One place per number: the doc comment, unit, default, range
/// and source are written once and reach the rustdoc, the catalogue and validation.
macro_rules! parameter_group {
    (
        $(#[$group_meta:meta])*
        $group:ident = $group_name:literal {
            $(
                #[doc = $doc:literal]
                $name:ident: $unit:literal = $default:expr, [$min:expr, $max:expr], $source:literal;
            )*
        }
    ) => {
        $(#[$group_meta])*
        #[derive(Clone, Debug, PartialEq)]
        pub struct $group {
            $(
                #[doc = $doc]
                #[doc = ""]
                #[doc = concat!("Unit: `", $unit, "`. Default: `", stringify!($default),
                    "`. Allowed: `", stringify!($min), "` to `", stringify!($max), "`.")]
                #[doc = ""]
                #[doc = concat!("Source: ", $source)]
                pub $name: f64,
            )*
        }

        impl Default for $group {
            fn default() -> Self {
                Self { $($name: $default,)* }
            }
        }

        impl $group {
            /// Name of the group in scenario files.
            pub const GROUP: &'static str = $group_name;

            /// This group's entries of the catalogue.
            pub const SPECS: &'static [$crate::parameters::ParameterSpec] = &[
                $($crate::parameters::ParameterSpec {
                    group: $group_name,
                    name: stringify!($name),
                    unit: $unit,
                    default: $default,
                    min: $min,
                    max: $max,
                    source: $source,
                    doc: $doc,
                },)*
            ];

            /// Value of the parameter `name`.
            pub fn get(&self, name: &str) -> Option<f64> {
                match name {
                    $(stringify!($name) => Some(self.$name),)*
                    _ => None,
                }
            }

            /// Sets the parameter `name`; `false` if there is none of that name.
            pub fn set(&mut self, name: &str, value: f64) -> bool {
                match name {
                    $(stringify!($name) => { self.$name = value; true })*
                    _ => false,
                }
            }
        }
    };
}
pub(crate) use parameter_group;

/// All parameters of the model.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Parameters {
    /// Body, blood and recirculation.
    pub physiology: Physiology,
    /// B lymphopoiesis, repertoire, turnover and BAFF.
    pub b_cells: BCells,
    /// Activation, extrafollicular responses and germinal centres.
    pub activation: Activation,
    /// Plasmablasts, long-lived plasma cells, niches and secretion.
    pub plasma_cells: PlasmaCells,
    /// CD4 (helper, Tfh, Treg) and CD8 T cells.
    pub t_cells: TCells,
    /// Autoantigen, immune complexes, organ inflammation and the activity score.
    pub disease: Disease,
    /// CAR-T kinetics and killing.
    pub car_t: CarT,
    /// Lymphodepleting chemotherapy.
    pub lymphodepletion: Lymphodepletion,
    /// IL-6, CRS and its management.
    pub crs: Crs,
    /// A large B-cell lymphoma's burden and growth (none by default).
    pub tumour: Tumour,
    /// Residual anti-CD20 antibody from earlier therapy (none by default).
    pub anti_cd20: AntiCd20,
}

impl Parameters {
    /// The whole catalogue, group by group, in a fixed order.
    pub fn catalogue() -> impl Iterator<Item = &'static ParameterSpec> {
        [
            Physiology::SPECS,
            BCells::SPECS,
            Activation::SPECS,
            PlasmaCells::SPECS,
            TCells::SPECS,
            Disease::SPECS,
            CarT::SPECS,
            Lymphodepletion::SPECS,
            Crs::SPECS,
            Tumour::SPECS,
            AntiCd20::SPECS,
        ]
        .into_iter()
        .flatten()
    }

    /// Names of the groups, in catalogue order.
    pub const GROUPS: [&'static str; 11] = [
        Physiology::GROUP,
        BCells::GROUP,
        Activation::GROUP,
        PlasmaCells::GROUP,
        TCells::GROUP,
        Disease::GROUP,
        CarT::GROUP,
        Lymphodepletion::GROUP,
        Crs::GROUP,
        Tumour::GROUP,
        AntiCd20::GROUP,
    ];

    /// Value of `group.name`.
    pub fn get(&self, group: &str, name: &str) -> Option<f64> {
        match group {
            Physiology::GROUP => self.physiology.get(name),
            BCells::GROUP => self.b_cells.get(name),
            Activation::GROUP => self.activation.get(name),
            PlasmaCells::GROUP => self.plasma_cells.get(name),
            TCells::GROUP => self.t_cells.get(name),
            Disease::GROUP => self.disease.get(name),
            CarT::GROUP => self.car_t.get(name),
            Lymphodepletion::GROUP => self.lymphodepletion.get(name),
            Crs::GROUP => self.crs.get(name),
            Tumour::GROUP => self.tumour.get(name),
            AntiCd20::GROUP => self.anti_cd20.get(name),
            _ => None,
        }
    }

    /// Sets `group.name`; `false` if no such parameter exists.
    pub fn set(&mut self, group: &str, name: &str, value: f64) -> bool {
        match group {
            Physiology::GROUP => self.physiology.set(name, value),
            BCells::GROUP => self.b_cells.set(name, value),
            Activation::GROUP => self.activation.set(name, value),
            PlasmaCells::GROUP => self.plasma_cells.set(name, value),
            TCells::GROUP => self.t_cells.set(name, value),
            Disease::GROUP => self.disease.set(name, value),
            CarT::GROUP => self.car_t.set(name, value),
            Lymphodepletion::GROUP => self.lymphodepletion.set(name, value),
            Crs::GROUP => self.crs.set(name, value),
            Tumour::GROUP => self.tumour.set(name, value),
            AntiCd20::GROUP => self.anti_cd20.set(name, value),
            _ => false,
        }
    }

    /// The catalogue entry for `group.name`.
    pub fn spec(group: &str, name: &str) -> Option<&'static ParameterSpec> {
        Self::catalogue().find(|s| s.group == group && s.name == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_default_is_in_range_with_unit_and_source() {
        let params = Parameters::default();
        let mut count = 0;
        for spec in Parameters::catalogue() {
            count += 1;
            assert!(spec.min <= spec.max, "{}", spec.path());
            assert!(
                spec.allows(spec.default),
                "{} default out of range",
                spec.path()
            );
            assert!(!spec.unit.is_empty(), "{} has no unit", spec.path());
            assert!(spec.source.len() > 8, "{} has no source", spec.path());
            assert!(spec.doc.len() > 8, "{} has no doc", spec.path());
            assert_eq!(params.get(spec.group, spec.name), Some(spec.default));
        }
        assert!(count > 40, "catalogue unexpectedly small: {count}");
    }

    #[test]
    fn names_are_unique_and_settable() {
        let mut seen = std::collections::BTreeSet::new();
        let mut params = Parameters::default();
        for spec in Parameters::catalogue() {
            assert!(seen.insert(spec.path()), "duplicate {}", spec.path());
            assert!(params.set(spec.group, spec.name, spec.max));
            assert_eq!(params.get(spec.group, spec.name), Some(spec.max));
        }
        assert!(!params.set("b_cells", "no_such_parameter", 1.0));
    }
}
