//! The parameter groups. Each entry: doc, unit, default, [min, max], source.
//!
//! Trust words in sources follow `data/README.md`: "seen" was read in the
//! primary text, "recalled" is a prior to check, "choice" is a modelling decision where
//! the literature gives no number, "derived" is arithmetic from other rows, and "fitted"
//! names the figure the value was fitted to.

use super::parameter_group;

parameter_group! {
    /// Body, blood and recirculation (docs/model.md §2).
    Physiology = "physiology" {
        #[doc = "Blood volume per kg body weight."]
        blood_volume_ml_per_kg: "mL/kg" = 70.0, [40.0, 120.0],
            "docs/model.md §2 (5 L at 70 kg; textbook 70 mL/kg)";
        #[doc = "Haematocrit: the share of blood volume that is cells; plasma volume is the rest."]
        hematocrit_fraction: "fraction" = 0.42, [0.15, 0.65],
            "textbook adult range 0.36-0.50 (choice: midpoint)";
        #[doc = "Share of the body's IgG that is intravascular; the rest is in interstitial fluid."]
        igg_intravascular_fraction: "fraction" = 0.45, [0.2, 0.8],
            "Waldmann & Strober 1969 (recalled; ref igg_intravascular_fraction)";
        #[doc = "Serum IgG half-life (FcRn-protected clearance)."]
        igg_half_life_days: "days" = 21.0, [5.0, 60.0],
            "textbook 21-23 d (seen-2; ref igg_half_life)";
        #[doc = "Share of recirculating lymphocytes in blood at any time."]
        blood_share_of_recirculating: "fraction" = 0.02, [0.002, 0.2],
            "Westermann & Pabst, Clin Investig 1992 (seen; ref blood_fraction_lymphocytes)";
        #[doc = "Share of recirculating lymphocytes in bone marrow at any time."]
        marrow_share_of_recirculating: "fraction" = 0.02, [0.0, 0.3],
            "choice: mature B and T cells are a few percent of marrow lymphocytes; Westermann & Pabst 1992 list marrow among minor pools";
        #[doc = "Share of recirculating lymphocytes in the target organ at any time (healthy tissue)."]
        organ_share_of_recirculating: "fraction" = 0.005, [0.0, 0.2],
            "choice: a small resident share; inflammation is represented by fields, not by recruitment";
        #[doc = "Rate at which a recirculating cell leaves its compartment and redraws one from the stationary shares."]
        recirculation_rate_per_day: "1/day" = 12.5, [0.1, 100.0],
            "derived: 5e11 cells/day through blood / (2e12 lymphocytes x 2% in blood) (Westermann & Pabst 1992; ref lymphocyte_blood_transit)";
        #[doc = "Stationary share of plasmablasts in blood (they transit blood on the way to marrow)."]
        plasmablast_blood_share: "fraction" = 0.004, [0.0, 0.5],
            "choice: gives ~10 plasmablasts/uL of blood in health, ~1-3% of blood B cells (Odendahl 2000, recalled); most short-lived plasma cells sit in spleen and gut";
        #[doc = "Stationary share of plasmablasts in bone marrow, where they may win a niche."]
        plasmablast_marrow_share: "fraction" = 0.3, [0.0, 0.9],
            "choice: CXCR4-driven homing of a part of each plasmablast wave to marrow (Radbruch 2006, recalled)";
        #[doc = "Volume of lymphoid tissue (spleen and lymph nodes) of a 70 kg adult, for concentrations."]
        lymphoid_volume_ml: "mL" = 400.0, [10.0, 5000.0],
            "ICRP Publication 89 reference masses: spleen ~150 g + lymph nodes ~250 g (recalled), density 1 g/mL";
        #[doc = "Volume of active (red) bone marrow of a 70 kg adult, for concentrations."]
        marrow_volume_ml: "mL" = 1170.0, [10.0, 5000.0],
            "ICRP Publication 89 active marrow, reference male (recalled), density 1 g/mL";
        #[doc = "Volume of the target organ (both kidneys) of a 70 kg adult, for concentrations."]
        organ_volume_ml: "mL" = 310.0, [10.0, 5000.0],
            "ICRP Publication 89 kidneys, reference male (recalled), density 1 g/mL";
    }
}

parameter_group! {
    /// B lymphopoiesis, repertoire and turnover (docs/model.md §4).
    BCells = "b_cells" {
        #[doc = "Healthy set point of CD19+ B cells in blood: BAFF equals 1 at the pool this implies."]
        blood_b_cells_per_ul: "cells/uL" = 352.5, [20.0, 100000.0],
            "Clin Diagn Lab Immunol 2004;11:168 Table 3: mean of men 349 and women 356 (seen; ref b_cells_blood_male/female)";
        #[doc = "Daily marrow output of new B cells as a share of the peripheral B pool."]
        marrow_output_fraction_per_day: "1/day" = 0.075, [0.005, 0.5],
            "Janeway 7th ed via BioNumbers 103585: 5-10%/day (seen-2; ref marrow_b_output)";
        #[doc = "Mean time a pre-B cell spends in marrow before it emigrates as a transitional cell."]
        precursor_dwell_days: "days" = 4.0, [0.5, 30.0],
            "choice: small pre-B to immature stage lasts days (textbook; recalled)";
        #[doc = "Transitional (new emigrant) share of peripheral B cells."]
        transitional_share: "fraction" = 0.05, [0.005, 0.5],
            "Cuss et al., J Immunol 2006: ~4% of adult blood B cells (recalled)";
        #[doc = "Memory share of peripheral B cells."]
        memory_share: "fraction" = 0.30, [0.02, 0.8],
            "adult reference ranges ~25-30% of blood B cells are CD27+ memory (Morbach 2010, recalled)";
        #[doc = "Share of emigrants that become mature naive cells at BAFF = 1 (all specificities)."]
        maturation_fraction: "fraction" = 0.15, [0.01, 1.0],
            "choice within mouse estimates of 10-30% of transitional cells reaching the mature pool (Allman 2001, recalled)";
        #[doc = "Homeostatic division rate of naive B cells."]
        naive_division_rate_per_day: "1/day" = 0.0046, [0.0, 0.2],
            "Macallan et al., Blood 2005;105:3633 (seen; ref b_turnover_naive)";
        #[doc = "Homeostatic division rate of memory B cells."]
        memory_division_rate_per_day: "1/day" = 0.0266, [0.0, 0.3],
            "Macallan et al., Blood 2005;105:3633 (seen; ref b_turnover_memory)";
        #[doc = "Share of immature B cells (before the central checkpoint) that are self-reactive."]
        immature_autoreactive_share: "fraction" = 0.65, [0.0, 0.99],
            "Wardemann et al., Science 2003;301:1374 (seen; ref autoreactive_early_immature)";
        #[doc = "Share of new emigrants still self-reactive after an intact central checkpoint."]
        emigrant_autoreactive_share: "fraction" = 0.40, [0.0, 0.99],
            "Wardemann et al. 2003 (recalled; ref autoreactive_new_emigrant)";
        #[doc = "Share of mature naive B cells still self-reactive after both intact checkpoints."]
        naive_autoreactive_share: "fraction" = 0.20, [0.0, 0.99],
            "Wardemann et al. 2003 (recalled; ref autoreactive_mature_naive)";
        #[doc = "Fraction of checkpoint deletion that is lost (0 healthy, 1 no tolerance)."]
        checkpoint_defect: "fraction" = 0.0, [0.0, 1.0],
            "healthy: intact checkpoints (Wardemann 2003); SLE preset sets its own value (Yurasov 2005)";
        #[doc = "Share of BAFF clearance due to binding by B cells at the set point; BAFF can rise at most 1/(1-share)-fold when B cells vanish."]
        baff_consumption_share: "fraction" = 0.7, [0.0, 0.99],
            "choice: serum BAFF rises ~2-4-fold after B-cell depletion with rituximab (Cambridge et al. 2006, recalled)";
        #[doc = "BAFF production relative to health."]
        baff_production_relative: "ratio" = 1.0, [0.1, 10.0],
            "healthy reference 1; raised in SLE (Stohl et al. 2003, recalled)";
        #[doc = "Share of memory B cells specific for vaccine A (measles-like) at the start."]
        vaccine_a_memory_share: "fraction" = 0.005, [0.0, 0.2],
            "choice: antigen-specific memory B cells are ~0.1-1% of memory (Crotty 2004, recalled)";
        #[doc = "Share of memory B cells specific for vaccine B (tetanus-like) at the start."]
        vaccine_b_memory_share: "fraction" = 0.005, [0.0, 0.2],
            "choice: antigen-specific memory B cells are ~0.1-1% of memory (Crotty 2004, recalled)";
    }
}

parameter_group! {
    /// Activation, extrafollicular responses and germinal centres (docs/model.md §4).
    Activation = "activation" {
        #[doc = "Activation hazard of an autoreactive B cell that has Tfh help, is not suppressed, and sees saturating autoantigen."]
        autoreactive_activation_rate_per_day: "1/day" = 0.0004, [0.0, 5.0],
            "fitted: untreated SLE preset positive for autoantibody (~3x the cut-off) with a SLEDAI-2K-like score near the Erlangen baseline median 16 (ref erlangen_sledai_baseline), jointly with organ_inflammation_gain_per_day; Jacobi 2003 for blood plasmablasts in active SLE (recalled)";
        #[doc = "Autoantigen level (relative units) at which autoreactive activation is half-maximal."]
        autoantigen_half_saturation: "relative" = 1.0, [0.01, 100.0],
            "choice: the SLE preset's autoantigen baseline is 1 relative unit";
        #[doc = "Hill coefficient of autoreactive activation versus autoantigen load."]
        autoantigen_hill: "dimensionless" = 2.0, [0.5, 8.0],
            "choice: activation by nuclear autoantigen needs BCR and TLR7/9 engagement together (Leadbetter et al., Nature 2002, recalled), so it is cooperative; with the inflammation feedback on autoantigen this makes active and quiescent lupus two stable states";
        #[doc = "Relative activation of memory versus naive autoreactive cells (memory cells need less help)."]
        memory_activation_advantage: "ratio" = 20.0, [1.0, 100.0],
            "choice: chronic lupus is carried by autoreactive memory and extrafollicular (DN2) cells, which respond with little help (Jenks et al., Immunity 2018; Good-Jacobson & Shlomchik 2010; recalled), while naive self-reactive cells are largely held anergic (Duty et al., J Exp Med 2009; recalled); this is why a repertoire rebuilt from naive cells after CD19 CAR-T stays quiet (Mackensen 2022, ref erlangen_mueller_relapse)";
        #[doc = "Cells of its own site that a B cell meets per step when it seeks help (Tfh) or meets control (Treg)."]
        partners_met_per_step: "cells" = 8.0, [1.0, 64.0],
            "choice: a few contacts per day in a follicle; with Tfh ~5% of cells, help arrives in ~1 of 3 steps";
        #[doc = "Probability that a Treg met during the step suppresses the activation of an autoreactive B cell."]
        treg_suppression_probability: "probability" = 0.9, [0.0, 1.0],
            "choice for health; SLE preset lowers it (impaired Treg function, Bonelli 2008, recalled)";
        #[doc = "Probability that a self-reactive B cell that engages its autoantigen but gets no Tfh help (or meets a suppressing Treg) dies."]
        unhelped_autoreactive_death_probability: "probability" = 1.0, [0.0, 1.0],
            "choice: antigen receptor signalling without a second signal ends in apoptosis (Akkaya et al., Nat Immunol 2018; Rathmell et al., Nature 1995: Fas-dependent elimination of self-reactive B cells; recalled); it gives the self-reactive memory pool of chronic lupus a loss proportional to antigen engagement (docs/model.md §4.4)";
        #[doc = "Activation of naive other-specificity cells relative to memory ones."]
        naive_activation_relative: "ratio" = 0.1, [0.0, 1.0],
            "choice: naive responses need higher antigen doses and more help";
        #[doc = "Divisions an activated B cell makes before it differentiates (burst size 2^n)."]
        activated_divisions: "divisions" = 3.0, [0.0, 8.0],
            "choice: extrafollicular foci expand for ~3 days at ~1 division/day (MacLennan 2003, recalled)";
        #[doc = "Division rate of activated B cells."]
        activated_division_rate_per_day: "1/day" = 1.0, [0.0, 4.0],
            "choice: activated B blasts divide about daily (recalled)";
        #[doc = "Share of activated B cells that enter a germinal centre; the rest stay extrafollicular (plasmablasts, and memory cells at the derived share)."]
        germinal_centre_share: "fraction" = 0.04, [0.0, 1.0],
            "chosen so that germinal-centre B cells are ~3% of lymphoid B cells in the healthy preset (2.8% run, 3.0% derived), a low single-digit percentage as in non-tonsil lymph node and spleen (Havenar-Daughton et al., J Immunol Methods 2020;479:112746, healthy LN FNA; Weisel et al., Blood 2020; recalled, not seen), against 33% in adolescent tonsils, which are chronically stimulated (Blood 1990;76:17, seen); within 0.5-5%, 0.04 rather than 0.025 (2%) because 0.025 left the Erlangen CAR-T peak of seed 3 at 11.3% of CD3+ (band from 11.5%; tools/calibrate, seed noise of about one point)";
        #[doc = "Mean duration of a B cell's stay in a germinal centre."]
        germinal_centre_duration_days: "days" = 21.0, [2.0, 120.0],
            "Victora & Nussenzweig, Annu Rev Immunol 2012: GCs last ~3 weeks (recalled)";
        #[doc = "Division rate of germinal-centre B cells."]
        germinal_centre_division_rate_per_day: "1/day" = 1.0, [0.0, 6.0],
            "choice: GC B cells divide often; selection removes most daughters (Victora 2012, recalled)";
        #[doc = "Selection death rate of germinal-centre B cells (most daughters fail selection)."]
        germinal_centre_death_rate_per_day: "1/day" = 1.0, [0.0, 6.0],
            "choice: equal to division so GC size is steady while it lasts; an agent takes the net rate, division − death (docs/model.md §2, convergence)";
        #[doc = "Share of GC leavers that become memory cells; the rest become plasmablasts."]
        germinal_centre_memory_share: "fraction" = 0.5, [0.0, 1.0],
            "choice: GC output divides between memory and plasma cells";
        #[doc = "Activation rate (1/day) of a vaccine-specific memory B cell in lymphoid tissue while its vaccine antigen is half-saturating (one fresh dose)."]
        vaccine_recall_rate_per_day: "1/day" = 0.3, [0.0, 10.0],
            "choice: a booster recruits most memory B cells of its specificity within the first week, and blood plasmablasts peak about day 7 (Blanchard-Rohner et al., Blood 2009, tetanus booster; recalled)";
        #[doc = "Half-life of vaccine antigen in lymphoid tissue after a dose."]
        vaccine_antigen_half_life_days: "days" = 5.0, [0.1, 365.0],
            "choice: antigen of a non-replicating vaccine persists days to a few weeks at the injection site and draining lymph nodes (recalled)";
    }
}

parameter_group! {
    /// Plasmablasts, long-lived plasma cells and antibody secretion (docs/model.md §4).
    PlasmaCells = "plasma_cells" {
        #[doc = "Healthy set point of serum IgG: sets the number of antibody-secreting cell equivalents."]
        igg_g_per_l: "g/L" = 12.0, [2.0, 40.0],
            "laboratory reference 7.68-16.32 g/L, midpoint (seen-2; ref igg_serum_normal)";
        #[doc = "Antibody secretion per plasma cell."]
        secretion_molecules_per_s: "molecules/s" = 2000.0, [100.0, 20000.0],
            "Hibi & Dosch 1986 via textbook summaries (seen-2; ref antibody_secretion_rate)";
        #[doc = "FcRn-mediated recycling of IgG at the set point, as a multiple of its catabolism (the fractional recycling rate over the fractional catabolic rate)."]
        igg_fcrn_recycled_ratio: "ratio" = 1.42, [0.0, 10.0],
            "Kim et al., Clin Immunol 2007;122:146 (seen, abstract: FcRn-mediated fractional recycling of IgG 142% of its fractional catabolic rate; ref igg_fcrn_recycling_ratio)";
        #[doc = "Total serum IgG at which FcRn salvage is half saturated (Michaelis-Menten); must exceed igg_fcrn_recycled_ratio x igg_g_per_l for a positive catabolic rate at low IgG."]
        igg_fcrn_half_saturation_g_per_l: "g/L" = 60.0, [1.0, 1000.0],
            "choice: with the recycling ratio it gives an IgG half-life of ~14 d at 50 g/L (IgG catabolism rises with concentration, as in myeloma: Brambell 1964 via Junghans, Blood 1997, seen; Ein & Waldmann, J Immunol 1969, seen abstract) and ~29 d near zero (reduced IgG catabolic rate in agammaglobulinaemia: Waldmann & Strober, seen abstract), and keeps the rate within ~5% over 8-16 g/L, so measles-specific IgG stays within a few percent while total IgG falls by a sixth after CD19 CAR-T (Walti et al., Blood Adv 2019, seen abstract: -17.5% total, +1.2% measles; ref igg_change_after_cd19_cart_durable_cr); 30 g/L made the rate fall 8% at that total";
        #[doc = "Share of IgG made by short-lived plasmablasts in health (the rest by long-lived plasma cells)."]
        short_lived_share_of_igg: "fraction" = 0.2, [0.0, 0.9],
            "choice: total IgG falls only moderately after CD20/CD19 depletion (rituximab literature, recalled)";
        #[doc = "Mean lifespan of a plasmablast that does not win a niche."]
        plasmablast_lifespan_days: "days" = 4.0, [0.5, 30.0],
            "choice: plasmablasts live days (docs/model.md §4)";
        #[doc = "Share of niche capacity occupied at the healthy steady state."]
        niche_occupancy: "fraction" = 0.95, [0.5, 0.999],
            "choice: niches are near full and new cells compete for them (Radbruch 2006, recalled)";
        #[doc = "Half-life of long-lived plasma cells of other (foreign, environmental) specificity."]
        other_half_life_years: "years" = 20.0, [0.1, 1000.0],
            "choice between tetanus 11 y, diphtheria 19 y and VZV 50 y antibody half-lives (Amanna et al., NEJM 2007, seen)";
        #[doc = "Half-life of long-lived plasma cells specific for vaccine A (measles-like)."]
        vaccine_a_half_life_years: "years" = 200.0, [0.1, 1000.0],
            "Amanna et al., NEJM 2007: measles antibody half-life > 200 y (seen; ref amanna_ab_half_life_measles)";
        #[doc = "Half-life of long-lived plasma cells specific for vaccine B (tetanus-like)."]
        vaccine_b_half_life_years: "years" = 11.0, [0.1, 1000.0],
            "Amanna et al., NEJM 2007: tetanus antibody half-life 11 y (seen; ref amanna_ab_half_life_tetanus)";
        #[doc = "Half-life of self-reactive plasma cells that hold a niche."]
        autoreactive_half_life_years: "years" = 1.0, [0.05, 1000.0],
            "choice: anti-dsDNA turns negative within months of CD19-targeted depletion (Mackensen 2022, seen; ref erlangen_b_cell_return note), so anti-dsDNA-secreting niche cells are intermediate-lived, not decades-lived; to check against Hiepe 2011";
        #[doc = "Share of IgG-secreting long-lived plasma cells that are CD19-negative (the model's plasma cells make IgG)."]
        cd19_negative_share: "fraction" = 0.58, [0.0, 1.0],
            "derived (ref igg_pc_cd19_negative_fraction): 40% of all marrow plasma cells are CD19-negative (Mei et al., Blood 2015, recalled; ref llpc_cd19_negative_fraction) and those are predominantly IgG (Mei 2015, seen), while ~40% of marrow plasma cells are IgA+ and of mucosal, CD19+ type (Mei et al., Blood 2009, seen; ref marrow_pc_iga_share), so among IgG plasma cells the CD19-negative share is ~0.58; the CD19-negative cells survive CD19 CAR-T for years (Bhoj et al., Blood 2016, seen abstract)";
        #[doc = "Share of niches held by vaccine-A plasma cells at the start."]
        vaccine_a_niche_share: "fraction" = 0.002, [0.0, 0.2],
            "choice: a single vaccine specificity holds a small share of marrow plasma cells";
        #[doc = "Share of niches held by vaccine-B plasma cells at the start."]
        vaccine_b_niche_share: "fraction" = 0.002, [0.0, 0.2],
            "choice: a single vaccine specificity holds a small share of marrow plasma cells";
    }
}

parameter_group! {
    /// CD4 and CD8 T cells (docs/model.md §3-4).
    TCells = "t_cells" {
        #[doc = "Set point of CD4+ T cells in blood."]
        cd4_blood_per_ul: "cells/uL" = 838.0, [50.0, 5000.0],
            "Clin Diagn Lab Immunol 2004;11:168 Table 3: men 837, women 839 (seen)";
        #[doc = "Set point of CD8+ T cells in blood."]
        cd8_blood_per_ul: "cells/uL" = 644.0, [50.0, 5000.0],
            "Clin Diagn Lab Immunol 2004;11:168 Table 3: men 660, women 628 (seen)";
        #[doc = "Naive share of CD4 T cells."]
        cd4_naive_share: "fraction" = 0.5, [0.05, 0.95],
            "adult reference ~40-60% (recalled)";
        #[doc = "Tfh share of CD4 T cells (circulating and follicular)."]
        tfh_share: "fraction" = 0.05, [0.0, 0.5],
            "choice: circulating Tfh ~5-15% of memory CD4 (recalled); expanded in SLE (Simpson 2010)";
        #[doc = "Treg share of CD4 T cells."]
        treg_share: "fraction" = 0.07, [0.0, 0.5],
            "adult reference 5-10% of CD4 (recalled)";
        #[doc = "Naive share of CD8 T cells."]
        cd8_naive_share: "fraction" = 0.4, [0.05, 0.95],
            "adult reference ~30-50% (recalled)";
        #[doc = "Half-life of naive CD4 T cells."]
        naive_cd4_half_life_years: "years" = 4.2, [0.05, 50.0],
            "Vrisekoop et al., PNAS 2008 (seen; ref t_half_life_naive_cd4)";
        #[doc = "Half-life of naive CD8 T cells."]
        naive_cd8_half_life_years: "years" = 6.5, [0.05, 50.0],
            "Vrisekoop et al., PNAS 2008 (seen; ref t_half_life_naive_cd8)";
        #[doc = "Half-life of memory CD4 T cells (also used for Tfh and Treg)."]
        memory_cd4_half_life_years: "years" = 0.4, [0.01, 20.0],
            "Vrisekoop et al., PNAS 2008 (seen; ref t_half_life_memory_cd4)";
                #[doc = "Half-life of memory CD8 T cells."]
        memory_cd8_half_life_years: "years" = 0.7, [0.01, 20.0],
            "Vrisekoop et al., PNAS 2008 (seen; ref t_half_life_memory_cd8)";
        #[doc = "Gompertz regrowth rate of T cells below their set point (net growth r·ln(set/current)), before the division limits below."]
        regrowth_rate_per_day: "1/day" = 0.17, [0.0, 5.0],
            "Kimmel, Locke, Altrock, Proc R Soc B 2021, Table 1, r_N (seen; ref kimmel_r_n)";
        #[doc = "Largest homeostatic division rate of a naive T cell in lymphopenia, relative to its steady-state rate (10000: no limit)."]
        naive_lymphopenic_division_max_fold: "ratio" = 10000.0, [1.0, 10000.0],
            "choice: no limit in the catalogue (young host; docs/model.md §4.3); adult naive T regeneration is thymus-limited (Mackall et al., N Engl J Med 1995;332:143, recalled): the lymphoma-like preset sets 2";
        #[doc = "Largest homeostatic division rate of a memory T cell (memory CD4, Tfh, Treg, memory CD8) in lymphopenia, relative to its steady-state rate (10000: no limit)."]
        memory_lymphopenic_division_max_fold: "ratio" = 10000.0, [1.0, 10000.0],
            "choice: no limit in the catalogue (docs/model.md §4.3); the lymphoma-like preset sets 2.75, fitted to the median CD4 155/uL one year after axi-cel lymphodepletion (ref lbcl_cd4_1y; Haematologica 2021, PMC8017820); the same bound caps the lymphopenic division of memory CAR-T cells, which was not fitted on CAR-T data";
    }
}

parameter_group! {
    /// Autoantigen, immune complexes, organ inflammation and the SLEDAI-2K-like score (docs/model.md §4).
    Disease = "disease" {
        #[doc = "Autoantigen load (apoptotic debris, nuclear antigen) without inflammation, relative units."]
        autoantigen_baseline: "relative" = 0.002, [0.0, 100.0],
            "choice: efficient clearance in health; the SLE preset uses 1 (defective clearance, Munoz 2010, recalled)";
        #[doc = "Most relative rise of autoantigen from organ inflammation, reached as inflammation saturates (dying cells feed the response)."]
        autoantigen_inflammation_feedback: "1/relative" = 10.0, [0.0, 100.0],
            "choice: the positive feedback that keeps untreated SLE chronic (docs/model.md §4): inflamed tissue releases nuclear antigen (NETs, apoptotic and necrotic cells; recalled) up to 11-fold the baseline; with cooperative activation (autoantigen_hill) it gives lupus an active and a quiescent stable state";
        #[doc = "Autoantibody concentration above which the test is called positive."]
        autoantibody_positive_mg_per_l: "mg/L" = 10.0, [0.001, 1000.0],
            "choice: anti-dsDNA-like IgG at ~0.1% of total IgG, far above the healthy background of natural autoantibody and ~10-fold below an active-SLE titre";
        #[doc = "Immune-complex level (autoantibody mg/L x autoantigen) at which complement consumption is half-maximal."]
        complement_half_saturation: "mg/L" = 5.0, [0.001, 10000.0],
            "choice: low complement accompanies high anti-dsDNA titres (SLEDAI-2K item co-occurrence, recalled)";
        #[doc = "Organ inflammation produced per day per unit of immune complex (mg/L x relative autoantigen)."]
        organ_inflammation_gain_per_day: "1/(mg/L)/day" = 5e-3, [0.0, 100.0],
            "fitted: the SLE preset's score settles in the refractory range 8-22 (Erlangen median 16; ref erlangen_sledai_baseline)";
        #[doc = "Immune-complex level (mg/L x relative autoantigen) at which half of the complexes escape clearance and deposit in tissue (Hill coefficient 2)."]
        immune_complex_clearance_capacity: "mg/L" = 20.0, [0.001, 10000.0],
            "choice: saturable clearance by erythrocyte CR1 and phagocytes (Davies 1992, recalled); under half the untreated SLE preset's level (~50), so deposition runs near saturation in active disease and stops once the autoantibody is near the cut-off";
        #[doc = "Organ inflammation (relative units) at the start of the burn-in: the patient enters the simulation with established disease (0 in health)."]
        initial_organ_inflammation: "relative" = 0.0, [0.0, 100.0],
            "choice: health starts uninflamed; disease presets start inflamed, because with the autoantigen feedback lupus has two stable states (active and quiescent) and a patient with refractory disease is in the active one";
        #[doc = "Mean time for organ inflammation to resolve once immune complexes are gone."]
        organ_resolution_days: "days" = 14.0, [1.0, 365.0],
            "choice: lupus nephritis activity resolves over weeks to months after effective therapy (recalled)";
        #[doc = "Organ inflammation (relative units) at which organ points are half of their maximum."]
        organ_half_saturation: "relative" = 1.0, [0.01, 100.0],
            "choice: unit of organ inflammation";
        #[doc = "Most SLEDAI-2K points the organ domains can give (renal items 4 x 4 = 16)."]
        organ_max_points: "points" = 16.0, [0.0, 105.0],
            "Gladman et al., J Rheumatol 2002 (SLEDAI-2K weights; recalled)";
        #[doc = "SLEDAI-2K points for increased DNA binding."]
        dna_binding_points: "points" = 2.0, [0.0, 8.0],
            "Gladman et al., J Rheumatol 2002 (SLEDAI-2K weights; recalled)";
        #[doc = "SLEDAI-2K points for low complement."]
        complement_points: "points" = 2.0, [0.0, 8.0],
            "Gladman et al., J Rheumatol 2002 (SLEDAI-2K weights; recalled)";
        #[doc = "Largest fraction of immune-complex-driven organ inflammation a glucocorticoid suppresses (Emax)."]
        glucocorticoid_inflammation_emax: "fraction" = 0.8, [0.0, 1.0],
            "choice: glucocorticoids control lupus organ inflammation but not fully at tolerable doses (flares under steroids are common; recalled)";
        #[doc = "Prednisolone-equivalent dose giving half the largest suppression."]
        glucocorticoid_ed50_mg_per_day: "mg/day" = 10.0, [0.1, 1000.0],
            "choice: glucocorticoid receptors are about half saturated between low (<= 7.5 mg/day) and medium (7.5-30 mg/day) prednisone-equivalent doses (Buttgereit et al., Ann Rheum Dis 2002; recalled)";
        #[doc = "SLEDAI-2K points of the renal items (urinary casts, haematuria, proteinuria, pyuria)."]
        renal_points: "points" = 16.0, [0.0, 105.0],
            "Gladman et al., J Rheumatol 2002 (SLEDAI-2K weights, 4 each; recalled)";
        #[doc = "Share of the involved organs' points that are renal items and follow renal activity ([patient] nephritis sets it; 0 without nephritis)."]
        renal_share_of_organ_points: "fraction" = 0.0, [0.0, 1.0],
            "derived from [patient] nephritis: renal_points / organ_max_points (disease_course::renal_share_for_nephritis)";
        #[doc = "Relaxation time of renal activity (proteinuria, sediment) towards the organ inflammation."]
        renal_resolution_days: "days" = 120.0, [1.0, 2000.0],
            "choice: complete renal response in lupus nephritis is typically reached 6-12 months after effective induction and trials read it at 12 months (recalled, to check); 120 d leaves ~22% of the entry renal activity at 6 months and ~5% at 12";
        #[doc = "Irreversible damage (SDI-like points) accrued per year per score point above remission."]
        damage_per_point_year: "SDI points/(point·year)" = 0.025, [0.0, 1.0],
            "choice: ~0.3 damage points a year at SLEDAI 16 and ~0.1 at 8, the order of SLE cohorts' damage accrual of 0.1-0.3 SDI points a year, higher with sustained activity (recalled, to check)";
        #[doc = "Score at or below which the patient counts as in remission (DORIS-like)."]
        remission_score: "points" = 4.0, [0.0, 20.0],
            "docs/model.md §4: DORIS-like remission at clinical score <= 4";
    }
}
