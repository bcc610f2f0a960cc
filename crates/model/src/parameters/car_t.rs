//! CAR-T cells: encounters, killing, proliferation, differentiation, exhaustion,
//! contraction and persistence (docs/model.md §4). Trust words as in `groups.rs`.

use super::parameter_group;

parameter_group! {
    /// CAR-T cells: encounters, killing, proliferation, differentiation, exhaustion,
    /// contraction and persistence (docs/model.md §4).
    CarT = "car_t" {
        #[doc = "Cells of its compartment a CAR-T cell probes per day for antigen (contacts); targets among them are met in proportion to their share of the compartment."]
        encounters_per_day: "1/day" = 150.0, [0.1, 5000.0],
            "figures from the per-site encounter law, before targets were met compartment-wide: fitted on the Erlangen CD19 scenario with tools/calibrate (grid 100/150/200/300, seeds 1-3, coarse resolution): B cells back on day 104-127 (ref erlangen_b_cell_return, 110 +/- 32 d; 100/day gave 90-103, 300/day 129-141; re-measured after the quiet-cell change: 111-124, after births were placed in the cell pass: 106-118), CAR-T peak day 12-13 at 36-42% of CD3+ at every grid value; with CAR-T retained where they engage antigen (rules::migration::retained); T cells in lymph nodes contact hundreds of cells per hour (Miller et al., PNAS 2004, recalled), so ~150 productive probes per day is modest";
        #[doc = "Most targets one CAR-T cell kills per day where targets abound (serial killing takes hours per target; 0 = no bound): kills per cell and step are the encounter-limited kills k times c / (k + c), c this times the step, so sparse targets are killed as they are met and a tumour mass at most this fast per CAR-T cell."]
        max_kills_per_day: "1/day" = 0.0, [0.0, 10000.0],
            "Erlangen figures from the per-site encounter law: choice: no bound by default (the Erlangen calibration was made without one; with Kimmel's 1.15/day the Erlangen CAR-T peak moves to day 16-18 and B cells do not come back within a year, tools/calibrate seed 1); the lymphoma-like preset sets Kimmel, Locke, Altrock, Proc R Soc B 2021, Table 1, maximal killing rate gamma_B 1.15/day (0.64-1.35) of B and tumour cells per CAR-T cell for axi-cel in LBCL (seen; ref kimmel_gamma_b), whose killing saturates in target cells (half-saturation k_B 2.02e9, ref kimmel_k_b), here in the targets a cell meets";
        #[doc = "Probability that engaging a target well above threshold kills it."]
        kill_probability: "probability" = 0.5, [0.0, 1.0],
            "choice: serial killing is efficient but not every synapse kills (Davenport 2018, recalled)";
        #[doc = "Antigen density (molecules/cell) at which a binder gives half-maximal activation."]
        activation_threshold_molecules: "molecules/cell" = 1000.0, [1.0, 1.0e6],
            "choice: CD19 CARs respond down to a few hundred to a few thousand CD19 molecules (Majzner 2020, recalled)";
        #[doc = "Hill coefficient of activation versus antigen density."]
        activation_hill: "dimensionless" = 3.0, [0.5, 8.0],
            "choice: a sigmoid with a clear threshold (docs/model.md §4): CAR-T cells kill only above a few hundred to a few thousand molecules (Majzner et al., Cancer Discov 2020, recalled); with 2 the soft tail let a CD19 CAR remove CD19-dim plasma cells (~300 molecules) and total IgG fell below 4 g/L in lupus, more than reported";
        #[doc = "Doubling time of a stimulated CAR-T cell."]
        doubling_time_days: "days" = 0.78, [0.2, 10.0],
            "Stein et al., CPT Pharmacometrics Syst Pharmacol 2019 (seen; ref stein_doubling)";
        #[doc = "Mean duration of the division programme that engagement starts and that runs on without antigen (exponential; 0 = division only while engaged)."]
        programmed_division_days: "days" = 0.5, [0.0, 30.0],
            "fitted on the Erlangen CAR-T peak (ref erlangen_cart_peak_day, erlangen_cart_peak_percent_cd3) with tools/calibrate, seeds 1-3: 0.5 meets every Erlangen band (peak day 7-8, 11.9-16.8% of CD3+), 0 left one seed at 11.4%, 1 and more made the B-cell return bistable (day 100 to never: a programme without contraction lets each rare engagement of a memory cell regrow the pool); mechanism: a brief antigen contact commits T cells to several divisions (Kaech & Ahmed, Nat Immunol 2001; van Stipdonk et al., Nat Immunol 2001; recalled: days in naive T cells; the products are pre-activated)";
        #[doc = "Antigen-driven differentiation, stem-like to central memory."]
        stem_to_central_memory_per_day: "1/day" = 0.14, [0.0, 10.0],
            "Mueller-Schoell et al. 2021, k12 (seen; ref mueller_schoell_k12); here driven by stimulation (choice)";
        #[doc = "Antigen-driven differentiation, central memory to effector memory."]
        central_to_effector_memory_per_day: "1/day" = 0.191, [0.0, 10.0],
            "Mueller-Schoell et al. 2021, k23 (seen; ref mueller_schoell_k23); here driven by stimulation (choice)";
        #[doc = "Antigen-driven differentiation, effector memory to effector."]
        effector_memory_to_effector_per_day: "1/day" = 0.355, [0.0, 10.0],
            "Mueller-Schoell et al. 2021, k34 (seen; ref mueller_schoell_k34); here driven by stimulation (choice)";
        #[doc = "Death rate of effector and exhausted CAR-T cells."]
        effector_death_rate_per_day: "1/day" = 0.518, [0.0, 10.0],
            "Mueller-Schoell et al. 2021, per-cell effector elimination ke4 (seen; ref mueller_schoell_ke4); not Stein's population-level initial decline";
        #[doc = "Death rate of effector-memory CAR-T cells."]
        effector_memory_death_rate_per_day: "1/day" = 0.0104, [0.0, 10.0],
            "Mueller-Schoell et al. 2021, memory death (seen; ref mueller_schoell_death_memory)";
        #[doc = "Death rate of stem-like and central-memory CAR-T cells (the persisting pool); offset by their antigen-independent homeostatic division."]
        memory_death_rate_per_day: "1/day" = 0.0104, [0.0, 10.0],
            "Mueller-Schoell et al. 2021, memory death (seen; ref mueller_schoell_death_memory); net of the homeostatic division below (0.007/day) the memory pool declines at 0.0034/day, Stein's terminal beta 0.0032/day, half-life ~200 d (derived check; ref stein_beta, stein_terminal_half_life)";
        #[doc = "Antigen-independent homeostatic division of memory-like CAR-T cells at a normal T-cell count (IL-7/IL-15 maintenance), on top of the lymphopenic growth."]
        memory_homeostatic_division_per_day: "1/day" = 0.007, [0.0, 1.0],
            "Mueller-Schoell et al. 2021, homeostatic proliferation of TCM and TEM kp2 = kp3 (seen; ref mueller_schoell_kp2, mueller_schoell_kp3); memory T cells are kept by IL-7/IL-15-driven turnover without antigen (Surh & Sprent, Immunity 2008; recalled)";
        #[doc = "Whole-body CAR-T cells at which antigen-driven and homeostatic division stop (competition for space and gamma-chain cytokines): division is scaled by 1 - all CAR-T cells / this."]
        carrying_capacity_cells: "cells" = 6.96e10, [1.0e7, 1.0e14],
            "Kimmel, Locke, Altrock, Proc R Soc B 2021, Table 1, K_C 6.96e10 (6.15e10-9.65e10) for axi-cel in LBCL (seen; ref kimmel_k_c): their expansion is bounded by competition among T cells, not by antigen; here a logistic brake on CAR-T division (choice of form; Kimmel use a Gompertz law)";
        #[doc = "Gompertz homeostatic growth rate of memory-like CAR-T cells in a lymphopenic host (net growth rho·ln(T set point/all T cells))."]
        homeostatic_growth_rate_per_day: "1/day" = 0.0251, [0.0, 5.0],
            "Kimmel, Locke, Altrock, Proc R Soc B 2021, Table 1, rho_c (seen; ref kimmel_rho_c)";
        #[doc = "Share of effectors that revert to a persisting memory state rather than die when antigen is gone."]
        persisting_fraction: "fraction" = 0.0079, [0.0, 0.5],
            "Stein et al. 2019, FB (seen; ref stein_fb); converted to a reversion rate against the effector death rate";
        #[doc = "Recent stimulations (the chronic-stimulation load, which decays with rest) at which an effector becomes exhausted."]
        exhaustion_stimulations: "stimulations" = 15.0, [1.0, 1000.0],
            "fitted with tools/calibrate (seeds 1-3, CAR-T at the default 1e5 cells per agent) on the Erlangen B-cell return (ref erlangen_b_cell_return, 110 +/- 32 d): 15 gives B cells back on day 92-108, 14 on day 51-62 and 16 on day 145-147 (the return is a steep function of the threshold); the marrow pool of CAR-T cells that feeds on the trickle of new pre-B cells must exhaust within months, not sustain itself; chronic antigen exposure exhausts CAR-T cells within weeks of repeated stimulation (Good et al., Cell 2021, recalled)";
        #[doc = "Rate at which each unit of a CAR-T cell's recent-stimulation load is lost on a day without antigen (rest)."]
        stimulation_load_decay_per_day: "1/day" = 0.002, [0.0, 10.0],
            "fitted with exhaustion_stimulations (see there); exhaustion is driven by sustained signalling and rest restores exhausted CAR-T cells (Weber et al., Science 2021, 'transient rest restores functionality'; recalled): at 0.002/day the load of a resting memory cell halves in ~1 year, so cells that rest for months after the expansion recover, while weeks of a pre-B trickle still exhaust them";
        #[doc = "Chance that a CAR-T cell which engaged antigen in tissue in a step still leaves its site, relative to a free cell's (0: held for the whole step)."]
        engaged_leave_relative: "ratio" = 0.025, [0.0, 1.0],
            "fitted with tools/calibrate (seeds 1-3) on ZUMA-1 blood CAR-T on days 7 and 14 (refs kimmel_zuma1_cart_day7, kimmel_zuma1_cart_day14, IQRs 16.5-57.5 and 3.8-31.1/uL) with every Erlangen band met: 0.025 gives 17.2-18.4/uL on day 7 and 24.9-28.7 on day 14, 0 gives 16.9-17.9 and 24.0-27.1, 0.05 gives 18.0-19.6 and 29.0-31.4, 0.1 gives 18.9-19.4 and 33.3-35.8; T-cell contacts with antigen-presenting targets last hours (Mempel et al., Nature 2004; recalled), shorter than a one-day step, so a few engaged killers detach and recirculate while most are held by their targets (CD69 retention)";
        #[doc = "Divisions after which a stem-like or memory CAR-T cell of a CD28 product stops dividing under antigen (its division destiny; 0 = no limit); it still differentiates, and homeostatic division goes on."]
        cd28_memory_division_limit: "divisions" = 7.0, [0.0, 250.0],
            "fitted with cd28_effector_division_limit (see there) on the axi-cel-like scenario (tools/calibrate, seeds 1-3): 7 meets every ZUMA-1 day and the whole-body peak (2.50-2.51e10); 6 puts day 7 at 16.1-17.3/uL (IQR from 16.5), 8 gives day 7 17.7-18.8 and day 90 0.16-0.29; CD28 costimulation drives CAR-T cells to effector-memory differentiation, where 4-1BB keeps central memory and persistence (Kawalekar et al., Immunity 2016; recalled), and CD28-based CAR-T cells are cleared fast where 4-1BB-based ones persist (Guedan et al., J Clin Invest 2020, abstract and introduction seen: median detection 14 days for a CD28 CD19 CAR in adult ALL against 168-289 days for 4-1BB ones)";
        #[doc = "Divisions after which an effector of a CD28 product is terminal (its division destiny): it no longer divides, under antigen or in the programme, and dies at the effector rate even while engaged (0 = no limit). Counted from infusion, or from reversion to memory."]
        cd28_effector_division_limit: "divisions" = 10.0, [0.0, 250.0],
            "fitted with tools/calibrate (seeds 1-3, memory limit 7) on the axi-cel-like scenario's ZUMA-1 blood CAR-T on days 7-90 (refs kimmel_zuma1_cart_day7 to _day90) and whole-body peak (ref kimmel_k_c, band K_C/3-3 K_C): 10 gives day 14 at 24.9-28.7/uL and a peak of 2.50-2.51e10; 9 gives day 7 at 14.9-16.0 (below the IQR) and a peak of 1.6e10 (below K_C/3), 11 gives day 14 at 45-59 (above it); mechanism: activated T cells divide a programmed number of times (a division destiny set by the strength of stimulation and costimulation) and then stop and die, whether or not antigen remains (Marchingo et al., Science 2014; Heinzel et al., Nat Immunol 2017; programmed contraction: Badovinac et al., Nat Immunol 2002; recalled), and CD28 costimulation drives effector differentiation (Kawalekar et al., Immunity 2016; recalled); 4-1BB products (the Erlangen product) have no limit: with one (10 and 6) the Erlangen CAR-T peak fell to 10-11% of CD3+ on day 5 and B cells did not return (seed 1)";
        #[doc = "Chance that a daughter born in lymphoid tissue of an antigen-driven or programmed division leaves its parent's site in the step it is born, as a free cell would (0: held beside its parent; the marrow and organs hold their daughters)."]
        daughter_leave_probability: "probability" = 1.0, [0.0, 1.0],
            "choice, checked with tools/calibrate (seeds 1-3): 1 puts the axi-cel-like blood CAR-T on day 7 at 17.2-18.4/uL (ref kimmel_zuma1_cart_day7, IQR 16.5-57.5), 0.75 at 13.2-14.3, 0 at ~1; daughters leaving every compartment (marrow too) brought the Erlangen B cells back on day 22-27 (ref erlangen_b_cell_return, 110 +/- 32), as the marrow then no longer holds its CAR-T; mechanism: division separates a daughter from its parent's synapse, and lymph nodes export the progeny of the T cells they activate through the efferent lymph once they re-express S1P1 (Matloubian et al., Nature 2004; Shiow et al., Nature 2006, CD69 holds activated cells by inhibiting S1P1; recalled), so blood carries proliferating CAR-T cells at the peak while the parents stay engaged; the marrow has no efferent lymph and holds its T cells (recalled)";
        #[doc = "Death rate of a CD28 product's stem-like, central- and effector-memory CAR-T cells, which live as effector-memory T cells do (0 = as a 4-1BB product's)."]
        cd28_memory_death_rate_per_day: "1/day" = 0.047, [0.0, 10.0],
            "Macallan et al., J Exp Med 2004;200:255 (abstract seen): human CD4+ CD45R0+ CCR7- effector-memory T cells proliferate at 4.7%/day (central memory 1.5%/day) and are a short-lived population that needs continuous replenishment, so they die at least that fast; CD28 costimulation drives CAR-T cells to effector memory where 4-1BB keeps central memory and oxidative metabolism (Kawalekar et al., Immunity 2016; recalled), and CD28 CD19 CARs are cleared fast where 4-1BB ones persist (Guedan et al., J Clin Invest 2020, seen: median detection 14 days against 168-289); not fitted: with it the axi-cel-like blood CAR-T on day 90 are 0.10-0.18/uL (ref kimmel_zuma1_cart_day90, IQR 0.01-0.4; with the 4-1BB memory death 0.0104, ~2/uL), tools/calibrate seeds 1-3";
        #[doc = "Killing and proliferation of exhausted cells relative to effectors."]
        exhausted_function_relative: "ratio" = 0.2, [0.0, 1.0],
            "choice: exhausted cells keep some cytotoxicity but little proliferation (Wherry 2011, recalled)";
        #[doc = "Death rate of allogeneic CAR-T cells from host rejection when host T cells are at their set point; scaled by host T cells / set point, so rejection waits for the host to recover from lymphodepletion."]
        allogeneic_rejection_rate_per_day: "1/day" = 0.3, [0.0, 10.0],
            "choice: HLA-mismatched T cells are cleared within 1-2 weeks by a recovered host (half-life ~2.3 d at 0.3/day; recalled); allogeneic CD19 CAR-T cells rarely persist beyond ~4 weeks after standard Flu/Cy (Neelapu et al., ALLO-501, ASCO 2020; recalled)";
        #[doc = "Half-life of the CAR on an mRNA-electroporated T cell (degradation; each division also halves it)."]
        mrna_car_half_life_days: "days" = 1.5, [0.1, 60.0],
            "choice: RNA-electroporated CAR surface expression falls to background within ~5-7 days in resting cells (Zhao et al., Cancer Res 2010; Beatty et al., Cancer Immunol Res 2014; recalled)";
        #[doc = "CAR expression (relative to a fresh cell) below which an mRNA CAR-T cell is CAR-negative and counts as an ordinary memory T cell again."]
        mrna_car_lost_fraction: "fraction" = 0.05, [0.0, 1.0],
            "choice: about the flow-cytometric detection limit; at 5% expression the activation threshold is 20-fold higher (engagement scales with CAR x antigen density, law of mass action at the synapse)";
    }
}
