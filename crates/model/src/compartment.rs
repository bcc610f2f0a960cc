//! Compartments of the body: each is a set of well-mixed sites.

use crate::draws::Draws;

/// A compartment of the body (docs/model.md §2). Stored in one byte in every cell.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(u8)]
pub enum Compartment {
    /// Peripheral blood: what a clinician samples.
    #[default]
    Blood = 0,
    /// Lymph nodes and spleen: follicles, germinal centres, Tfh help.
    Lymphoid = 1,
    /// Bone marrow: B lymphopoiesis and long-lived plasma-cell niches.
    Marrow = 2,
    /// The target organ of the disease (kidney in lupus nephritis): immune complexes
    /// and inflammation.
    Organ = 3,
}

impl Compartment {
    /// Every compartment, in output order.
    pub const ALL: [Compartment; 4] = [
        Compartment::Blood,
        Compartment::Lymphoid,
        Compartment::Marrow,
        Compartment::Organ,
    ];

    /// Number of compartments.
    pub const COUNT: usize = 4;

    /// Name used in scenario files and CSV outputs.
    pub fn name(self) -> &'static str {
        match self {
            Compartment::Blood => "blood",
            Compartment::Lymphoid => "lymphoid",
            Compartment::Marrow => "marrow",
            Compartment::Organ => "organ",
        }
    }

    /// Index in [`Compartment::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }

    /// The compartment with index `i` (`i < COUNT`).
    pub fn from_index(i: usize) -> Compartment {
        Compartment::ALL[i]
    }
}

/// How sites are numbered: the sites of each compartment are consecutive global
/// indices, blood first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SiteLayout {
    first: [u16; Compartment::COUNT],
    count: [u16; Compartment::COUNT],
}

impl SiteLayout {
    /// A layout with `counts[c]` sites in compartment `c` (each at least 1).
    pub fn new(counts: [u16; Compartment::COUNT]) -> SiteLayout {
        let mut first = [0u16; Compartment::COUNT];
        let mut next = 0u16;
        for (i, &n) in counts.iter().enumerate() {
            first[i] = next;
            next += n.max(1);
        }
        SiteLayout {
            first,
            count: counts.map(|n| n.max(1)),
        }
    }

    /// Total number of sites.
    pub fn total(&self) -> usize {
        self.count.iter().map(|&n| usize::from(n)).sum()
    }

    /// Sites in compartment `c`.
    pub fn count(&self, c: Compartment) -> u16 {
        self.count[c.index()]
    }

    /// Global index of the `k`-th site of compartment `c`.
    pub fn site(&self, c: Compartment, k: u16) -> u16 {
        self.first[c.index()] + k.min(self.count[c.index()] - 1)
    }

    /// A uniformly chosen site of compartment `c` (global index).
    pub fn random_site(&self, c: Compartment, draws: &mut impl Draws) -> u16 {
        self.site(c, draws.index(usize::from(self.count(c))) as u16)
    }

    /// Compartment of global site `site`.
    pub fn compartment_of(&self, site: u16) -> Compartment {
        for c in Compartment::ALL.iter().rev() {
            if site >= self.first[c.index()] {
                return *c;
            }
        }
        Compartment::Blood
    }
}
