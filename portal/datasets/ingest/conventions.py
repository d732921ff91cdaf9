"""How a cell's cycles are read: efficiency direction, formation cycles, plausible bands.

cellpy names the two conventions "cathode" and "anode" cycle modes. In a full cell, or a half
cell whose working electrode is a cathode (NMC vs Li), the cycle starts with a charge and the
reversible capacity is the discharge: CE = Q_dis / Q_chg. In a half cell whose working electrode
is an anode (graphite, silicon, hard carbon vs Li or Na) the cycle starts by lithiating
(sodiating) the working electrode, which the cycler calls a discharge, and the reversible capacity
is the charge that follows: CE = Q_chg / Q_dis.
"""

from dataclasses import dataclass

from .canonical import CHARGE_CAPACITY, CHARGE_ENERGY, DISCHARGE_CAPACITY, DISCHARGE_ENERGY

# Coulombic efficiency expected after formation (fractions), and the state-of-health rule.
FULL_CELL_CE_BAND = (0.80, 1.05)
HALF_CELL_CE_BAND = (0.85, 1.02)
# Three cycles to set the reference capacity, and at least two after it to compare with it.
MIN_SOH_CYCLES = 5


@dataclass(frozen=True)
class Convention:
    """The reading of one file's cycles; the default is a full cell without formation cycles."""

    anode_mode: bool = False
    formation_cycles: int = 0
    ce_band: tuple[float, float] = FULL_CELL_CE_BAND
    # (lowest, highest) plausible voltage in V; None: the chemistry states no window.
    voltage_window: tuple[float, float] | None = None

    @property
    def reversible_capacity(self) -> str:
        """The canonical column that holds the reversible capacity of a cycle."""
        return CHARGE_CAPACITY if self.anode_mode else DISCHARGE_CAPACITY

    @property
    def efficiency_columns(self) -> tuple[tuple[str, str], tuple[str, str]]:
        """(numerator, denominator) of the coulombic and of the energy efficiency."""
        if self.anode_mode:
            return (CHARGE_CAPACITY, DISCHARGE_CAPACITY), (CHARGE_ENERGY, DISCHARGE_ENERGY)
        return (DISCHARGE_CAPACITY, CHARGE_CAPACITY), (DISCHARGE_ENERGY, CHARGE_ENERGY)

    def describe(self) -> str:
        """One sentence naming the convention, for the page and the API."""
        if self.anode_mode:
            return (
                "cellpy's anode mode (half cell, anode working electrode): coulombic efficiency "
                "= Q_chg / Q_dis, retention on the charge (delithiation) capacity"
            )
        return (
            "cellpy's cathode mode (full cell or cathode half cell): coulombic efficiency "
            "= Q_dis / Q_chg, retention on the discharge capacity"
        )


FULL_CELL = Convention()
