"""Every cycler format the portal reads, in one ordered list: its name, label, reader and signature.

Detection asks the formats in this order, stage by stage: first each ``binary`` test on the
file's first bytes, then each ``preamble`` (a text file that announces where its header is),
then, line by line, each ``header`` signature. The first format that claims the file wins, so
a more specific signature comes before a looser one (BDF before Landt, Arbin before Neware).
The refusal message and the upload form list the labels in this order too.

Adding a format: a reader module (``read`` plus its signature) and one entry here.
"""

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from . import (
    arbin,
    arbin_res,
    batteryarchive,
    bdf,
    biologic,
    landt,
    maccor,
    neware,
    neware_btsda,
    neware_nda,
    pec,
)
from .header import HeaderAt, HeaderRow, Sniff
from .normalise import RawTable

Reader = Callable[[Path, Sniff], RawTable]


@dataclass(frozen=True)
class CyclerFormat:
    """One format: how it is recognised and how it is read."""

    name: str  # stored on each file (DatasetFile.format) and in the API
    label: str  # what people read, in English (refusals, the upload form)
    read: Reader
    # Claims a binary file from its first bytes (it may open the file, or refuse it with an
    # IngestError naming what it is instead).
    binary: Callable[[Path, bytes], bool] | None = None
    # Finds the header a text file's preamble announces.
    preamble: Callable[[list[str]], HeaderAt | None] | None = None
    # Recognises the format's header row among a text file's first lines.
    header: Callable[[HeaderRow], bool] | None = None


FORMATS: tuple[CyclerFormat, ...] = (
    CyclerFormat(
        "biologic_mpr", "BioLogic EC-Lab binary (.mpr)", biologic.read_mpr, binary=biologic.is_mpr
    ),
    CyclerFormat(
        "neware_nda", "Neware native (.nda)", neware_nda.read_nda, binary=neware_nda.is_nda
    ),
    CyclerFormat("arbin_res", "Arbin native (.res)", arbin_res.read, binary=arbin_res.is_res),
    CyclerFormat(
        "neware_ndax", "Neware native (.ndax)", neware_nda.read_ndax, binary=neware_nda.is_ndax
    ),
    CyclerFormat(
        "neware_btsda_xlsx",
        "Neware BTSDA Excel workbook",
        neware_btsda.read_xlsx,
        binary=neware_btsda.is_workbook,
    ),
    CyclerFormat(
        "biologic_mpt",
        "BioLogic EC-Lab text (.mpt)",
        biologic.read_mpt,
        preamble=biologic.mpt_header,
        header=biologic.is_mpt_header,
    ),
    CyclerFormat(
        "neware_btsda_csv",
        "Neware BTSDA nested CSV",
        neware_btsda.read_csv,
        preamble=neware_btsda.nested_header,
    ),
    CyclerFormat("bdf_csv", "Battery Data Format CSV", bdf.read, header=bdf.is_header),
    CyclerFormat("pec_csv", "PEC CSV", pec.read, header=pec.is_header),
    CyclerFormat(
        "batteryarchive_csv",
        "Battery Archive time-series CSV",
        batteryarchive.read,
        header=batteryarchive.is_header,
    ),
    CyclerFormat("landt_csv", "Landt CSV", landt.read, header=landt.is_header),
    CyclerFormat("arbin_csv", "Arbin CSV", arbin.read, header=arbin.is_header),
    CyclerFormat("neware_csv", "Neware CSV", neware.read, header=neware.is_header),
    CyclerFormat("maccor_txt", "Maccor text export", maccor.read, header=maccor.is_header),
)

SUPPORTED_FORMATS = tuple(cycler_format.name for cycler_format in FORMATS)
_BY_NAME = {cycler_format.name: cycler_format for cycler_format in FORMATS}


def format_named(name: str) -> CyclerFormat:
    """The format registered under ``name`` (a KeyError for any other name)."""
    return _BY_NAME[name]


def supported_labels() -> str:
    """The labels of every format, in detection order, for sentences listing them."""
    return ", ".join(cycler_format.label for cycler_format in FORMATS)
