//! Folding measurements into their (vendor, KPI, period) cells as rows are read, for KPI exports
//! and mapped sources alike. A measurement dated outside its contract's term, or after an
//! `as_of` set in settings, is left out and counted.

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
}

impl LeftOut {
    pub fn add(&mut self, other: LeftOut) {
        self.outside_term += other.outside_term;
        self.after_as_of += other.after_as_of;
        self.in_exclusions += other.in_exclusions;
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

/// The cells of one file (or one batch of rows), merged into the project's afterwards in file
/// order so that the result does not depend on which thread read what.
#[derive(Debug)]
pub struct Fold<'a> {
    contracts: &'a [Contract],
    window: Window,
    /// In the order first measured, so that the last cell can be found again by its place.
    cells: IndexMap<CellKey, Cell, FxBuildHasher>,
    /// The place of the cell measured last: an export's rows for one cell mostly come together,
    /// so it is tried before the map.
    last: Option<usize>,
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
            cells: IndexMap::default(),
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
        let contract = &self.contracts[vendor];
        let date = at.date();
        if !contract.in_term(date) {
            self.left_out.entry(vendor).or_default().outside_term += 1;
            return false;
        }
        if self.window.as_of.is_some_and(|as_of| date > as_of) {
            self.left_out.entry(vendor).or_default().after_as_of += 1;
            return false;
        }

        let key = CellKey { vendor, kpi, period: Period::containing(self.window.kind, date) };
        if let Some(index) = contract.exclusion(kpi, date) {
            let entry = self.excluded.entry(key).or_insert((0, index));
            entry.0 += 1;
            entry.1 = entry.1.min(index);
            self.left_out.entry(vendor).or_default().in_exclusions += 1;
            return false;
        }
        let place = match self.last {
            Some(place) if self.cells.get_index(place).is_some_and(|(last, _)| *last == key) => {
                place
            }
            _ => {
                let entry = self.cells.entry(key);
                let place = entry.index();
                let keep_values = contract.kpis[kpi].aggregate.needs_values();
                entry.or_insert_with(|| Cell::new(keep_values));
                self.last = Some(place);
                place
            }
        };
        self.cells[place].add(value, at, origin);
        self.folded += 1;
        true
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
