//! CAR constructs and products: what a CAR recognises and how its binders combine.
//!
//! A construct is a set of binders (target antigens) and a logic:
//! * `or` — tandem/bispecific CAR, compound CAR or two CARs in one cell: activated by any
//!   of its antigens (the strongest binder counts);
//! * `and` — split signalling: activated only as strongly as its weakest antigen;
//! * `not` — an inhibitory CAR: the activating binders as for `or`, damped by the
//!   inhibitory antigen.
//!
//! Activation by one antigen is a Hill function of its density around the threshold
//! (docs/model.md §4), so antigen-low and antigen-negative cells escape.

use crate::cell::{Antigen, Cell};

crate::named_enum! {
    /// How binders combine.
    pub enum Logic {
        /// Any binder activates.
        Or = "or",
        /// All binders must be engaged.
        And = "and",
        /// Activating binders as `or`, vetoed by the inhibitory antigen.
        Not = "not",
    }
}

/// A CAR construct.
#[derive(Clone, Debug, PartialEq)]
pub struct Construct {
    /// Activating binders (at least one).
    pub targets: Vec<Antigen>,
    /// How they combine.
    pub logic: Logic,
    /// Inhibitory antigen (`not` logic only).
    pub inhibitory: Option<Antigen>,
}

impl Construct {
    /// Activation (0-1) of this construct by a cell with the surface densities
    /// `antigen` ([`Cell::antigen`]), with half-activation at `threshold` molecules and
    /// Hill coefficient `hill`.
    pub fn activation(&self, antigen: &[u16; Antigen::SLOTS], threshold: f64, hill: f64) -> f64 {
        let one = |a: Antigen| {
            crate::hill::hill(
                crate::cell::antigen_molecules(antigen[a.slot()]),
                threshold,
                hill,
            )
        };
        let activating = self.targets.iter().map(|&a| one(a));
        let base = match self.logic {
            Logic::Or | Logic::Not => activating.fold(0.0, f64::max),
            Logic::And => activating.fold(1.0, f64::min),
        };
        match (self.logic, self.inhibitory) {
            (Logic::Not, Some(veto)) => base * (1.0 - one(veto)),
            _ => base,
        }
    }

    /// Whether `cell` carries any activating antigen at all (a potential target).
    pub fn may_target(&self, cell: &Cell) -> bool {
        self.targets.iter().any(|&a| cell.antigen[a.slot()] > 0)
    }
}

/// The antigen slots some construct of `products` binds with an activating binder: a
/// cell can be a target only with an antigen there ([`Construct::may_target`]).
pub fn activating_slots(products: &[Product]) -> [bool; Antigen::SLOTS] {
    slots_bound(products, false)
}

/// The antigen slots some construct of `products` binds, activating or inhibitory:
/// the only densities a CAR reads ([`Construct::activation`]).
pub fn bound_slots(products: &[Product]) -> [bool; Antigen::SLOTS] {
    slots_bound(products, true)
}

/// The union over `products` of their constructs' activating binders' slots, and of
/// their inhibitory ones' with `inhibitory`.
fn slots_bound(products: &[Product], inhibitory: bool) -> [bool; Antigen::SLOTS] {
    let mut slots = [false; Antigen::SLOTS];
    for construct in products.iter().map(|p| &p.construct) {
        let veto = construct.inhibitory.filter(|_| inhibitory);
        for antigen in construct.targets.iter().copied().chain(veto) {
            slots[antigen.slot()] = true;
        }
    }
    slots
}

crate::named_enum! {
    /// Where a product's T cells come from.
    pub enum Source {
        /// The patient's own T cells: leukapheresis, then manufacturing.
        Autologous = "autologous",
        /// Off-the-shelf donor T cells: no manufacturing wait; the recovering host T cells
        /// reject them (`car_t.allogeneic_rejection_rate_per_day`).
        Allogeneic = "allogeneic",
    }
}

crate::named_enum! {
    /// How the CAR gene reaches the T cell.
    pub enum Platform {
        /// Integrating viral vector (lenti- or gamma-retroviral): every daughter expresses
        /// the CAR for life.
        Viral = "viral",
        /// Electroporated mRNA: the CAR is degraded (`car_t.mrna_car_half_life_days`) and
        /// diluted by each division, so the cells stop being CAR-T cells within days.
        Mrna = "mrna",
    }
}

crate::named_enum! {
    /// The CAR's costimulatory domain.
    pub enum Costimulation {
        /// CD28 (axi-cel, brexu-cel): fast, strong expansion and more cytokine release
        /// per engagement (`crs.cd28_il6_relative`).
        Cd28 = "cd28",
        /// 4-1BB (tisa-cel, liso-cel, ide-cel, cilta-cel, MB-CART19.1): the reference.
        FourOneBb = "4-1bb",
    }
}

/// Leukapheresis and manufacturing of an autologous product.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Manufacturing {
    /// Day of leukapheresis (the patient's T cells are collected).
    pub leukapheresis_day: f64,
    /// Shortest time from leukapheresis to release, days.
    pub days_min: f64,
    /// Longest time from leukapheresis to release, days (durations are uniform in
    /// [min, max]: the reference gives ranges, not distributions).
    pub days_max: f64,
    /// Probability that the product fails (out of specification, not infused).
    pub failure_probability: f64,
}

impl Manufacturing {
    /// Day the product is released (or declared failed) for a draw `u` in [0, 1).
    pub fn release_day(&self, u: f64) -> f64 {
        self.leukapheresis_day + self.days_min + u * (self.days_max - self.days_min)
    }

    /// The latest day the product can be released.
    pub fn latest_release_day(&self) -> f64 {
        self.leukapheresis_day + self.days_max
    }
}

/// A dose: cells per kg body weight, or a flat number of cells.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Dose {
    /// CAR-T cells per kg body weight.
    PerKg(f64),
    /// CAR-T cells, whatever the weight.
    Flat(f64),
}

impl Dose {
    /// CAR-T cells given to a patient of `weight_kg`.
    pub fn cells(self, weight_kg: f64) -> f64 {
        match self {
            Dose::PerKg(per_kg) => per_kg * weight_kg,
            Dose::Flat(cells) => cells,
        }
    }
}

/// A CAR-T product.
#[derive(Clone, Debug, PartialEq)]
pub struct Product {
    /// Name (for outputs and messages).
    pub name: String,
    /// What the CAR recognises.
    pub construct: Construct,
    /// Autologous or allogeneic.
    pub source: Source,
    /// Viral vector or mRNA.
    pub platform: Platform,
    /// Costimulatory domain of the CAR.
    pub costimulation: Costimulation,
    /// Dose per infusion.
    pub dose: Dose,
    /// Day of the first infusion (day 0 = the usual day of infusion).
    pub infusion_day: f64,
    /// Number of regular doses (several weekly doses for mRNA products).
    pub doses: u32,
    /// Days between regular doses.
    pub dose_interval_days: f64,
    /// Further infusions from the same lot on these days (re-infusion).
    pub reinfusion_days: Vec<f64>,
    /// Share of CD4+ cells in the product (the rest are CD8+).
    pub cd4_share: f64,
    /// Phenotype shares at infusion: stem-like, central memory, effector memory, effector.
    pub phenotype_shares: [f64; 4],
    /// Antigen density (molecules/cell) at which this product's binders give
    /// half-maximal activation; `None`: the catalogue's
    /// `car_t.activation_threshold_molecules`. Binders differ in avidity, and so in the
    /// least antigen they fire at.
    pub activation_threshold_molecules: Option<f64>,
    /// Leukapheresis and manufacturing (autologous products that state them).
    pub manufacturing: Option<Manufacturing>,
}

impl Product {
    /// One infusion on day 0 of an autologous, virally transduced 4-1BB CAR-T product
    /// against the antigen of slot 0 (CD19 in the catalogue) at `dose`: half CD4, 30/40/20/10%
    /// stem-like/central/effector memory/effector, no manufacturing step. The reference
    /// product of the model's unit tests, so that each does not spell out every field.
    pub fn cd19_4_1bb(dose: Dose) -> Product {
        Product {
            name: "CD19".into(),
            construct: Construct {
                targets: vec![Antigen(0)],
                logic: Logic::Or,
                inhibitory: None,
            },
            source: Source::Autologous,
            platform: Platform::Viral,
            costimulation: Costimulation::FourOneBb,
            dose,
            infusion_day: 0.0,
            doses: 1,
            dose_interval_days: 7.0,
            reinfusion_days: Vec::new(),
            cd4_share: 0.5,
            phenotype_shares: [0.3, 0.4, 0.2, 0.1],
            activation_threshold_molecules: None,
            manufacturing: None,
        }
    }

    /// Every infusion day of the product, ascending: the regular doses, then
    /// re-infusions.
    pub fn infusion_days(&self) -> Vec<f64> {
        let mut days: Vec<f64> = (0..self.doses)
            .map(|k| self.infusion_day + f64::from(k) * self.dose_interval_days)
            .chain(self.reinfusion_days.iter().copied())
            .collect();
        days.sort_by(f64::total_cmp);
        days
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CD19: Antigen = Antigen(0);
    const CD20: Antigen = Antigen(1);

    fn cell(cd19: f64, cd20: f64) -> Cell {
        let mut c = Cell::default();
        c.set_antigen_molecules(CD19, cd19);
        c.set_antigen_molecules(CD20, cd20);
        c
    }

    #[test]
    fn logics_combine_binders() {
        let both = cell(22_000.0, 94_000.0);
        let only_cd19 = cell(22_000.0, 0.0);
        let or = Construct {
            targets: vec![CD19, CD20],
            logic: Logic::Or,
            inhibitory: None,
        };
        let and = Construct {
            logic: Logic::And,
            ..or.clone()
        };
        let not = Construct {
            targets: vec![CD19],
            logic: Logic::Not,
            inhibitory: Some(CD20),
        };
        assert!(or.activation(&only_cd19.antigen, 1000.0, 2.0) > 0.99);
        assert!(
            and.activation(&only_cd19.antigen, 1000.0, 2.0) < 1e-9,
            "AND spares single-positive cells"
        );
        assert!(and.activation(&both.antigen, 1000.0, 2.0) > 0.99);
        assert!(
            not.activation(&both.antigen, 1000.0, 2.0) < 0.01,
            "NOT spares cells with the inhibitory antigen"
        );
        assert!(not.activation(&only_cd19.antigen, 1000.0, 2.0) > 0.99);
    }
}
