"""A dataset's cell type and chemistry turned into the ingest convention its files are read with."""

from __future__ import annotations

from portal.datasets.ingest.conventions import (
    FULL_CELL_CE_BAND,
    HALF_CELL_CE_BAND,
    Convention,
)
from portal.datasets.models import Dataset
from portal.vocabulary import CellType, Chemistry

ANODE_MODE = frozenset({CellType.HALF_LI_ANODE, CellType.HALF_NA_ANODE})
HALF_CELLS = frozenset(
    {
        CellType.HALF_LI_ANODE,
        CellType.HALF_LI_CATHODE,
        CellType.HALF_NA_ANODE,
        CellType.HALF_NA_CATHODE,
    }
)
# Potentials of a half cell are against the Li/Li+ (Na/Na+) counter electrode.
HALF_CELL_WINDOW_V = (0.0, 5.0)
# Full cells: the widest window of the chemistry's common electrode pairs (LTO to high-voltage
# NMC for lithium-ion, hard carbon against layered oxides or Prussian blue for sodium-ion).
FULL_CELL_WINDOW_V: dict[str, tuple[float, float]] = {
    Chemistry.LI_ION: (1.5, 4.6),
    Chemistry.LI_POLYMER: (1.5, 4.6),
    Chemistry.NA_ION: (1.0, 4.3),
}
DEFAULT_FORMATION_CYCLES = {True: 1, False: 0}  # half cell?


def convention_for(dataset: Dataset) -> Convention:
    """How the files of a dataset are read: efficiency direction, formation, plausible bands."""
    cell_type = dataset.cell_type or CellType.FULL
    half = cell_type in HALF_CELLS
    formation = dataset.formation_cycles
    if formation is None:
        formation = DEFAULT_FORMATION_CYCLES[half]
    return Convention(
        anode_mode=cell_type in ANODE_MODE,
        formation_cycles=int(formation),
        ce_band=HALF_CELL_CE_BAND if half else FULL_CELL_CE_BAND,
        voltage_window=HALF_CELL_WINDOW_V if half else FULL_CELL_WINDOW_V.get(dataset.chemistry),
    )
