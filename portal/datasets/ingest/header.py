"""What detection learns about a file (``Sniff``), and the shapes format signatures look at.

Readers and their signatures import from here, never from ``detect``: detection reads the
format registry, which imports the readers.
"""

from dataclasses import dataclass, field

from .columns import header_keys, split_header


@dataclass(frozen=True)
class Sniff:
    """What detection learnt: the format, where the header line is, and how cells are split."""

    format: str
    header_line: int = 0  # -1: a binary file without a header line
    delimiter: str = ","
    columns: list[str] = field(default_factory=list)
    decimal_comma: bool = False


@dataclass(frozen=True)
class HeaderAt:
    """Where a preamble says the header is: its line, its delimiter and its cells."""

    line: int
    delimiter: str
    cells: list[str]


@dataclass(frozen=True)
class HeaderRow:
    """One candidate header line, seen the three ways format signatures compare cells."""

    raw: frozenset[str]  # each cell lower-cased, e.g. "test_time (s)"
    keys: frozenset[str]  # base names without units, e.g. "testtime" (columns.header_keys)
    labelled: frozenset[str]  # base names of "Name / unit" cells only (BDF's label style)

    @classmethod
    def of(cls, cells: list[str]) -> "HeaderRow":
        """The row of these cells."""
        return cls(
            raw=frozenset(cell.lower() for cell in cells),
            keys=frozenset(header_keys(cells)),
            labelled=frozenset(split_header(cell)[0] for cell in cells if " / " in cell),
        )
