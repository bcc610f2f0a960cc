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
        // The compartments whose first site is at or below `site`, blood's (0) aside:
        // first sites ascend, so their count is the index. Counted, not searched: the
        // sites of a table's rows come in no order, and a search's branches mispredict.
        let index = self.first[1..]
            .iter()
            .map(|&first| usize::from(site >= first))
            .sum();
        Compartment::from_index(index)
    }
}

#[cfg(test)]
mod tests {
    use super::{Compartment, SiteLayout};

    /// Every site of every compartment is found in its compartment, whatever the counts.
    #[test]
    fn each_site_is_in_the_compartment_that_numbers_it() {
        for counts in [[1, 1, 1, 1], [1, 3, 2, 5], [4, 1, 7, 1], [2, 0, 0, 3]] {
            let layout = SiteLayout::new(counts);
            let mut site = 0u16;
            for c in Compartment::ALL {
                for k in 0..layout.count(c) {
                    assert_eq!(layout.site(c, k), site, "{counts:?}");
                    assert_eq!(layout.compartment_of(site), c, "{counts:?}, site {site}");
                    site += 1;
                }
            }
            assert_eq!(usize::from(site), layout.total());
        }
    }
}
