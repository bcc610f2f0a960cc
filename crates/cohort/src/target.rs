//! What a `[[variability]]` row may set: any catalogue parameter, a patient covariate
//! (every number of `[patient]`) or a product attribute, and how each is read from and
//! written into a patient's scenario.

use crate::arm::Arm;
use immunosim_model::Parameters;
use immunosim_model::car::{Dose, Product};
use immunosim_scenario::Scenario;
use immunosim_scenario::fields::RUN_FIELDS;
use immunosim_scenario::schema::{self, FieldKind, Slot};

/// A product attribute a row may vary.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProductAttribute {
    /// Dose in cells/kg (products dosed per kg).
    DosePerKg,
    /// Flat dose in cells (products dosed flat).
    DoseCells,
    /// CD4+ share.
    Cd4Share,
    /// Leukapheresis-to-release time: sets both ends of the range.
    ManufacturingDays,
    /// Shortest leukapheresis-to-release time.
    ManufacturingDaysMin,
    /// Longest leukapheresis-to-release time.
    ManufacturingDaysMax,
    /// Manufacturing failure probability.
    ManufacturingFailure,
}

/// The attributes by name, with the `[[products]]` field whose range they take.
const ATTRIBUTES: &[(&str, ProductAttribute, &str)] = &[
    (
        "dose_cells_per_kg",
        ProductAttribute::DosePerKg,
        "dose_cells_per_kg",
    ),
    ("dose_cells", ProductAttribute::DoseCells, "dose_cells"),
    ("cd4_share", ProductAttribute::Cd4Share, "cd4_share"),
    (
        "manufacturing_days",
        ProductAttribute::ManufacturingDays,
        "manufacturing_days_min",
    ),
    (
        "manufacturing_days_min",
        ProductAttribute::ManufacturingDaysMin,
        "manufacturing_days_min",
    ),
    (
        "manufacturing_days_max",
        ProductAttribute::ManufacturingDaysMax,
        "manufacturing_days_max",
    ),
    (
        "manufacturing_failure_probability",
        ProductAttribute::ManufacturingFailure,
        "manufacturing_failure_probability",
    ),
];

/// What a row sets.
#[derive(Clone, Debug)]
pub enum Target {
    /// `parameters.GROUP.NAME`.
    Parameter {
        /// Group.
        group: String,
        /// Name.
        name: String,
    },
    /// `patient.NAME`: read and written through the field's slot.
    Patient {
        /// Reads it.
        get: fn(&Scenario) -> f64,
        /// Writes it.
        set: fn(&mut Scenario, f64),
    },
    /// `products.NAME`, of every product or of the one named.
    Product {
        /// Which attribute.
        attribute: ProductAttribute,
        /// Only this product.
        product: Option<String>,
    },
}

impl Target {
    /// Whether it is a product attribute (drawn per product, around each arm's value).
    pub fn is_product(&self) -> bool {
        matches!(self, Target::Product { .. })
    }

    /// The patient-level value in `s` (not for product attributes).
    pub fn get(&self, s: &Scenario) -> f64 {
        match self {
            Target::Parameter { group, name } => {
                s.config.params.get(group, name).expect("resolved at load")
            }
            Target::Patient { get, .. } => get(s),
            Target::Product { .. } => f64::NAN,
        }
    }

    /// Sets the patient-level value in `s`.
    pub fn set(&self, s: &mut Scenario, value: f64) {
        match self {
            Target::Parameter { group, name } => {
                s.config.params.set(group, name, value);
            }
            Target::Patient { set, .. } => set(s, value),
            Target::Product { .. } => {}
        }
    }

    /// Whether the row applies to `p`, and `p`'s value of it.
    pub fn product_value(&self, p: &Product) -> Option<f64> {
        let Target::Product { attribute, product } = self else {
            return None;
        };
        if product.as_ref().is_some_and(|name| *name != p.name) {
            return None;
        }
        let m = p.manufacturing.as_ref();
        match (attribute, p.dose) {
            (ProductAttribute::DosePerKg, Dose::PerKg(x)) => Some(x),
            (ProductAttribute::DoseCells, Dose::Flat(x)) => Some(x),
            (ProductAttribute::DosePerKg | ProductAttribute::DoseCells, _) => None,
            (ProductAttribute::Cd4Share, _) => Some(p.cd4_share),
            (ProductAttribute::ManufacturingDays, _) => m.map(|m| 0.5 * (m.days_min + m.days_max)),
            (ProductAttribute::ManufacturingDaysMin, _) => m.map(|m| m.days_min),
            (ProductAttribute::ManufacturingDaysMax, _) => m.map(|m| m.days_max),
            (ProductAttribute::ManufacturingFailure, _) => m.map(|m| m.failure_probability),
        }
    }

    /// Sets `p`'s value (when [`Target::product_value`] gave one).
    pub fn set_product(&self, p: &mut Product, value: f64) {
        let Target::Product { attribute, .. } = self else {
            return;
        };
        match attribute {
            ProductAttribute::DosePerKg => p.dose = Dose::PerKg(value),
            ProductAttribute::DoseCells => p.dose = Dose::Flat(value),
            ProductAttribute::Cd4Share => p.cd4_share = value,
            ProductAttribute::ManufacturingDays => {
                if let Some(m) = p.manufacturing.as_mut() {
                    m.days_min = value;
                    m.days_max = value;
                }
            }
            ProductAttribute::ManufacturingDaysMin => {
                if let Some(m) = p.manufacturing.as_mut() {
                    m.days_min = value;
                    m.days_max = m.days_max.max(value);
                }
            }
            ProductAttribute::ManufacturingDaysMax => {
                if let Some(m) = p.manufacturing.as_mut() {
                    m.days_max = value;
                    m.days_min = m.days_min.min(value);
                }
            }
            ProductAttribute::ManufacturingFailure => {
                if let Some(m) = p.manufacturing.as_mut() {
                    m.failure_probability = value;
                }
            }
        }
    }
}

/// A covariate: name, its slot's reader and writer, and its allowed range.
type Covariate = (
    &'static str,
    fn(&Scenario) -> f64,
    fn(&mut Scenario, f64),
    f64,
    f64,
);

/// The numbers of `[patient]` a row may vary, with their slots and ranges.
fn covariates() -> Vec<Covariate> {
    RUN_FIELDS
        .iter()
        .filter(|f| f.table == "patient")
        .filter_map(|f| match (f.slot, f.kind) {
            (Some(Slot::Number(get, set)), FieldKind::Number { min, max, .. }) => {
                Some((f.name, get, set, min, max))
            }
            _ => None,
        })
        .collect()
}

/// Every target name a row may give, for messages.
pub fn allowed_names() -> String {
    let mut names = vec![
        "parameters.GROUP.NAME (any catalogue parameter; `immunosim help scenario`)".to_string(),
    ];
    names.extend(covariates().iter().map(|c| format!("patient.{}", c.0)));
    names.extend(ATTRIBUTES.iter().map(|a| format!("products.{}", a.0)));
    names.join(", ")
}

/// Resolves a row's target text, with the range its values must keep; an error says
/// what is allowed.
pub fn resolve(
    text: &str,
    product: Option<String>,
    arms: &[Arm],
) -> Result<(Target, (f64, f64)), String> {
    if product.is_some() && !text.starts_with("products.") {
        return Err(format!(
            "`product` restricts a products.* target, not `{text}`"
        ));
    }
    if let Some(rest) = text.strip_prefix("parameters.") {
        let (group, name) = rest.split_once('.').unwrap_or((rest, ""));
        if let Some(spec) = Parameters::spec(group, name) {
            return Ok((
                Target::Parameter {
                    group: group.into(),
                    name: name.into(),
                },
                (spec.min, spec.max),
            ));
        }
        if !Parameters::GROUPS.contains(&group) {
            let groups: Vec<String> = Parameters::GROUPS.iter().map(|g| g.to_string()).collect();
            let hint = schema::suggest(group, &groups)
                .map(|s| format!("; did you mean `parameters.{s}`?"))
                .unwrap_or_default();
            return Err(format!(
                "= \"{text}\": unknown parameter group `{group}` (allowed groups: {}){hint}",
                groups.join(", ")
            ));
        }
        let names: Vec<String> = Parameters::catalogue()
            .filter(|s| s.group == group)
            .map(|s| s.name.to_string())
            .collect();
        let hint = schema::suggest(name, &names)
            .map(|s| format!("; did you mean `parameters.{group}.{s}`?"))
            .unwrap_or_default();
        return Err(format!(
            "= \"{text}\": unknown parameter `{name}` of group {group}{hint} (allowed: {})",
            names.join(", ")
        ));
    }
    if let Some(name) = text.strip_prefix("patient.")
        && let Some(&(_, get, set, min, max)) = covariates().iter().find(|c| c.0 == name)
    {
        return Ok((Target::Patient { get, set }, (min, max)));
    }
    if let Some(name) = text.strip_prefix("products.")
        && let Some(&(_, attribute, field)) = ATTRIBUTES.iter().find(|a| a.0 == name)
    {
        let (min, max) = match schema::field("products", field).map(|f| f.kind) {
            Some(FieldKind::Number { min, max, .. }) => (min, max),
            _ => (f64::MIN, f64::MAX),
        };
        let target = Target::Product { attribute, product };
        let applies = arms
            .iter()
            .flat_map(|a| &a.scenario.config.products)
            .any(|p| target.product_value(p).is_some());
        if !applies {
            return Err(format!(
                "= \"{text}\" applies to no product of any arm (a product named as given, with that kind of dose or with manufacturing)"
            ));
        }
        return Ok((target, (min, max)));
    }
    let candidates: Vec<String> = covariates()
        .iter()
        .map(|c| format!("patient.{}", c.0))
        .chain(ATTRIBUTES.iter().map(|a| format!("products.{}", a.0)))
        .collect();
    let hint = schema::suggest(text, &candidates)
        .map(|s| format!("; did you mean `{s}`?"))
        .unwrap_or_default();
    Err(format!(
        "= \"{text}\" is not a target{hint} (allowed: {})",
        allowed_names()
    ))
}
