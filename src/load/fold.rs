//! Folding measurements into their (vendor, KPI, period) cells as rows are read, for KPI exports
//! and mapped sources alike. A measurement dated outside its contract's term, after an `as_of`
//! set in settings, or in the transition before service levels apply but in a period that is
//! scored, is left out and counted.

use std::collections::BTreeMap;
use std::collections::hash_map::Entry;

use indexmap::IndexMap;
use rustc_hash::{FxBuildHasher, FxHashMap};

use chrono::{NaiveDate, NaiveDateTime};

use crate::evaluate::aggregate::{Cell, Origin};
use crate::evaluate::periods::{Period, PeriodKind};
use crate::model::{CellKey, Contract, Measurements};

/// What a measurement's date is checked against before it is folded.
#[derive(Clone, Copy, Debug)]
pub struct Window {
    pub kind: PeriodKind,
    /// `as_of` when settings set it; a derived `as_of` is applied after loading, per period.
    pub as_of: Option<NaiveDate>,
}

/// Measurements left out because of their date.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LeftOut {
    pub outside_term: u64,
    pub after_as_of: u64,
    /// Removed by an exclusion the contract agrees.
    pub in_exclusions: u64,
    /// Dated before service levels apply, in a period that is scored: the period is measured
    /// from the day they apply.
    pub in_transition: u64,
}

impl LeftOut {
    pub fn add(&mut self, other: LeftOut) {
        self.outside_term += other.outside_term;
        self.after_as_of += other.after_as_of;
        self.in_exclusions += other.in_exclusions;
        self.in_transition += other.in_transition;
    }
}

fn merge_excluded(
    into: &mut FxHashMap<CellKey, (u64, usize)>,
    from: FxHashMap<CellKey, (u64, usize)>,
) {
    for (key, (count, index)) in from {
        let entry = into.entry(key).or_insert((0, index));
        entry.0 += count;
        entry.1 = entry.1.min(index);
    }
}

/// The cell measured last, with the days on which a measurement of the same vendor and KPI
/// belongs in it with nothing left to check: in its period and the term, not after `as_of`, and
/// in no exclusion.
#[derive(Clone, Copy, Debug)]
struct LastCell {
    place: usize,
    vendor: usize,
    kpi: usize,
    from: NaiveDate,
    to: NaiveDate,
}

/// The cells of one file (or one batch of rows), merged into the project's afterwards in file
/// order so that the result does not depend on which thread read what.
#[derive(Debug)]
pub struct Fold<'a> {
    contracts: &'a [Contract],
    window: Window,
    /// In the order first measured, so that the last cell can be found again by its place.
    cells: IndexMap<CellKey, Cell, FxBuildHasher>,
    /// The cell measured last: an export's rows for one cell mostly come together, so it is
    /// tried before any check or the map.
    last: Option<LastCell>,
    /// Per vendor (index into the contracts).
    pub left_out: BTreeMap<usize, LeftOut>,
    /// Per cell: measurements removed by an agreed exclusion, and the first exclusion that did.
    pub excluded: FxHashMap<CellKey, (u64, usize)>,
    /// Measurements folded.
    pub folded: u64,
}

impl<'a> Fold<'a> {
    pub fn new(contracts: &'a [Contract], window: Window) -> Self {
        Fold {
            contracts,
            window,
            // Room for the cells of a typical export from the start: growing there one doubling
            // at a time moves every cell again, several times a file.
            cells: IndexMap::with_capacity_and_hasher(256, FxBuildHasher),
            last: None,
            left_out: BTreeMap::new(),
            excluded: FxHashMap::default(),
            folded: 0,
        }
    }

    pub fn contracts(&self) -> &'a [Contract] {
        self.contracts
    }

    /// Adds one measurement; `false` when its date leaves it out.
    pub fn add(
        &mut self,
        vendor: usize,
        kpi: usize,
        at: NaiveDateTime,
        value: f64,
        origin: Origin,
    ) -> bool {
        let date = at.date();
        if let Some(last) = self.last
            && (last.vendor, last.kpi) == (vendor, kpi)
            && (last.from..=last.to).contains(&date)
        {
            self.cells[last.place].add(value, at, origin);
            self.folded += 1;
            return true;
        }

        let contract = &self.contracts[vendor];
        if !contract.in_term(date) {
            self.left_out.entry(vendor).or_default().outside_term += 1;
            return false;
        }
        if self.window.as_of.is_some_and(|as_of| date > as_of) {
            self.left_out.entry(vendor).or_default().after_as_of += 1;
            return false;
        }

        let key = CellKey { vendor, kpi, period: Period::containing(self.window.kind, date) };
        // A period that service levels start in is scored, and on their days alone: the
        // transition's figures before them must not breach it.
        let levels_from = contract.service_levels_from;
        if date < levels_from && key.period.last_day() >= levels_from {
            self.left_out.entry(vendor).or_default().in_transition += 1;
            return false;
        }
        if let Some(index) = contract.exclusion(kpi, date) {
            let entry = self.excluded.entry(key).or_insert((0, index));
            entry.0 += 1;
            entry.1 = entry.1.min(index);
            self.left_out.entry(vendor).or_default().in_exclusions += 1;
            return false;
        }
        let entry = self.cells.entry(key);
        let place = entry.index();
        let keep_values = contract.kpis[kpi].aggregate.needs_values();
        entry.or_insert_with(|| Cell::new(keep_values));
        let (from, to) = self.same_checks(contract, kpi, key.period, date);
        self.last = Some(LastCell { place, vendor, kpi, from, to });
        self.cells[place].add(value, at, origin);
        self.folded += 1;
        true
    }

    /// The first and last day around `date`, which has passed every check, on which a
    /// measurement of the same KPI would pass them all again and go to the same cell.
    fn same_checks(
        &self,
        contract: &Contract,
        kpi: usize,
        period: Period,
        date: NaiveDate,
    ) -> (NaiveDate, NaiveDate) {
        let mut from = period.first_day().max(contract.term.start);
        if period.last_day() >= contract.service_levels_from {
            from = from.max(contract.service_levels_from);
        }
        let mut to = period.last_day();
        for end in [contract.term.end, self.window.as_of].into_iter().flatten() {
            to = to.min(end);
        }
        for exclusion in &contract.exclusions {
            if exclusion.kpi.is_some_and(|k| k != kpi) {
                continue;
            }
            // `date` is in no exclusion, so each lies wholly before it or wholly after it.
            if exclusion.to < date {
                from = from.max(exclusion.to.succ_opt().unwrap_or(NaiveDate::MAX));
            } else {
                to = to.min(exclusion.from.pred_opt().unwrap_or(NaiveDate::MIN));
            }
        }
        (from, to)
    }

    /// Takes in the cells and counts of another fold, read later.
    pub fn absorb(&mut self, other: Fold<'a>) {
        for (key, cell) in other.cells {
            self.cells.entry(key).or_default().merge(&cell);
        }
        for (vendor, counts) in other.left_out {
            self.left_out.entry(vendor).or_default().add(counts);
        }
        merge_excluded(&mut self.excluded, other.excluded);
        self.folded += other.folded;
    }

    /// Merges this fold into the project's measurements and its per-vendor counts.
    pub fn merge_into(
        self,
        measurements: &mut Measurements,
        left_out: &mut BTreeMap<String, LeftOut>,
    ) {
        for (key, cell) in self.cells {
            // A cell new to the project is moved in whole rather than merged into an empty one.
            match measurements.entry(key) {
                Entry::Vacant(slot) => {
                    slot.insert(cell);
                }
                Entry::Occupied(mut slot) => slot.get_mut().merge(&cell),
            }
        }
        merge_excluded(&mut measurements.excluded, self.excluded);
        for (vendor, counts) in self.left_out {
            left_out.entry(self.contracts[vendor].id.clone()).or_default().add(counts);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::contracts;
    use proptest::prelude::*;

    const CONTRACT: &str = "name: V\nterm: { start: 2026-01-15, end: 2026-06-10 }\n\
        kpis:\n  - { id: wait, unit: seconds, better: lower, target: 60, tolerance: 90 }\n  \
        - { id: p90, unit: hours, better: lower, target: 8, tolerance: 12, aggregate: p90 }\n\
        exclusions:\n  - { kpi: wait, from: 2026-03-10, to: 2026-03-20, reason: Move }\n  \
        - { from: 2026-05-01, to: 2026-05-03, reason: Outage }\n  \
        - { kpi: p90, from: 2026-02-27, to: 2026-03-02, reason: Migration }\n";

    fn measurements(fold: Fold) -> (Measurements, BTreeMap<String, LeftOut>) {
        let mut measurements = Measurements::default();
        let mut left_out = BTreeMap::new();
        fold.merge_into(&mut measurements, &mut left_out);
        (measurements, left_out)
    }

    proptest! {
        /// Rows folded one after another, which mostly go to the cell measured last without
        /// their checks, give what the same rows give each checked in a fold of its own.
        #[test]
        fn the_last_cell_takes_exactly_the_rows_that_pass_every_check(
            mut rows in proptest::collection::vec((0usize..2, 0i64..200, -5i32..100), 1..120),
            sorted in any::<bool>(),
            quarters in any::<bool>(),
            as_of in proptest::option::of(0i64..200),
        ) {
            // Sorted, as most exports are, the rows of a cell come together.
            if sorted {
                rows.sort_unstable();
            }
            let kind = if quarters { PeriodKind::Quarter } else { PeriodKind::Month };
            let contract = contracts::parse("contracts/v.yaml", "v", CONTRACT, kind).unwrap();
            let contracts = [contract];
            let start = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
            let day = |offset: i64| start + chrono::Days::new(offset.unsigned_abs());
            let window = Window { kind, as_of: as_of.map(day) };

            let mut together = Fold::new(&contracts, window);
            let mut alone = Fold::new(&contracts, window);
            for (row, (kpi, offset, value)) in (1..).zip(&rows) {
                let at = day(*offset).and_time(chrono::NaiveTime::MIN);
                let origin = Origin { file: 0, row };
                let kept = together.add(0, *kpi, at, f64::from(*value), origin);
                let mut own = Fold::new(&contracts, window);
                prop_assert_eq!(own.add(0, *kpi, at, f64::from(*value), origin), kept);
                alone.absorb(own);
            }
            prop_assert_eq!(together.folded, alone.folded);
            prop_assert_eq!(&together.left_out, &alone.left_out);
            prop_assert_eq!(measurements(together), measurements(alone));
        }
    }
}
