"""Where the shared real cycler files live, and small builders of synthetic ones for tests."""

import csv
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import strategies as st

from portal.datasets.ingest import IngestError, ingest_file

CYCLER_DIR = Path(__file__).resolve().parents[2] / "shared" / "data" / "cycler"
FIXTURES = Path(__file__).resolve().parent / "fixtures"

# Each real sample file: (format detected, rows, cycles) or None when it must be refused.
SAMPLES: dict[str, tuple[str, int, int] | None] = {
    "2017-05-09_test-TC-contact_CH33.csv": ("arbin_csv", 287, 1),
    "FastCharge_000025_CH8.csv": ("arbin_csv", 248, 1),
    "FastCharge_000025_CH8_Metadata.csv": None,
    "PredictionDiagnostics_000151_test.052": ("maccor_txt", 333, 1),
    "SINTEF__LiGrR2032__2024-04-30__25degC__Landt.bdf.csv": ("bdf_csv", 25162, 2),
    "SINTEF__LiGrR2032__2024-04-30__25degC__Landt.csv": ("landt_csv", 25162, 2),
    "biol.mpr": ("biologic_mpr", 23561, 1),
    "maccor_002.txt": ("maccor_txt", 7446, 2),
    "neware_uio.csv": ("neware_csv", 9065, 4),
    "sample.bdf.csv": ("bdf_csv", 3, 1),
    "20210210_FC_01_cc_01.res": ("arbin_res", 7218, 3),
    "TestFile.nda": ("neware_nda", 6670, 3),
    "nw4-120-1-6-53.ndax": ("neware_ndax", 18700, 150),
    "pec.csv": ("pec_csv", 16255, 3),
}
# Generated BTSDA samples (tests/fixtures/make_btsda.py): (format, rows, cycles).
GENERATED: dict[str, tuple[str, int, int]] = {
    "btsda_nested.csv": ("neware_btsda_csv", 823, 3),
    "btsda_export.xlsx": ("neware_btsda_xlsx", 823, 3),
}

# Arbin .res files are read through Debian's mdbtools; .ci/run installs it.
needs_mdbtools = pytest.mark.skipif(
    shutil.which("mdb-export") is None,
    reason="mdbtools (mdb-export) is not installed: apt-get install mdbtools",
)


def maccor_head(lines: int = 2500) -> bytes:
    """The first lines of maccor_002.txt (about one cycle): a real file small and fast to ingest."""
    return b"".join((CYCLER_DIR / "maccor_002.txt").read_bytes().splitlines(keepends=True)[:lines])


def cycler_file(name: str) -> Path:
    """Path of a shared sample file; fails (never skips) when the shared folder is missing."""
    path = CYCLER_DIR / name
    assert path.is_file(), f"missing shared cycler sample {path}: clone shared/ beside the repo"
    return path


def cellpy_summary(name: str) -> list[dict[str, float]]:
    """Rows of a cellpy per-cycle summary in ``reference/`` (capacities in Ah)."""
    path = cycler_file(f"reference/{Path(name).stem}.cellpy-summary.csv")
    with open(path, newline="") as handle:
        return [{key: float(value) for key, value in row.items()} for row in csv.DictReader(handle)]


ARBIN_HEADER = (
    "Data_Point,Test_Time(s),Date_Time,Step_Time(s),Step_Index,Cycle_Index,Current(A),"
    "Voltage(V),Charge_Capacity(Ah),Discharge_Capacity(Ah),Charge_Energy(Wh),Discharge_Energy(Wh)"
)


def write_arbin(path: Path, capacities: list[float], points: int = 20) -> Path:
    """Arbin CSV with one CC charge then CC discharge per cycle; counters restart every cycle.

    Cycle ``n`` (from 1) charges ``capacities[n-1] / 0.98`` Ah and discharges
    ``capacities[n-1]`` Ah at 1 A, between 3.0 and 4.2 V.
    """
    lines = [ARBIN_HEADER]
    time = 0.0
    row = 0
    for cycle, discharge in enumerate(capacities, start=1):
        charge = discharge / 0.98
        for step, total, sign in ((1, charge, 1.0), (2, discharge, -1.0)):
            for k in range(1, points + 1):
                amount = total * k / points
                time += total / points * 3600.0
                voltage = 3.0 + 1.2 * k / points if sign > 0 else 4.2 - 1.2 * k / points
                q_chg = amount if step == 1 else charge
                q_dis = amount if step == 2 else 0.0
                lines.append(
                    f"{row},{time:.3f},2024-01-01 00:00:00,{time:.3f},{step},{cycle},{sign:.1f},"
                    f"{voltage:.4f},{q_chg:.9f},{q_dis:.9f},{q_chg * 3.6:.9f},{q_dis * 3.5:.9f}"
                )
                row += 1
    path.write_text("\n".join(lines) + "\n")
    return path


MUTATIONS = ("flip", "delete", "duplicate", "truncate", "zero")


@st.composite
def mutated(draw, data: bytes) -> bytes:
    """``data`` with 1-4 random byte flips, lost or doubled lines, a zeroed run or a cut."""
    out = bytearray(data)
    for _ in range(draw(st.integers(1, 4))):
        if not out:
            break
        kind = draw(st.sampled_from(MUTATIONS))
        at = draw(st.integers(0, len(out) - 1))
        if kind == "flip":
            out[at] ^= draw(st.integers(1, 255))
        elif kind == "truncate":
            del out[at:]
        elif kind == "zero":
            end = min(len(out), at + draw(st.integers(1, 4096)))
            out[at:end] = bytes(end - at)
        else:
            lines = bytes(out).split(b"\n")
            line = draw(st.integers(0, len(lines) - 1))
            if kind == "delete":
                del lines[line]
            else:
                lines.insert(line, lines[line])
            out = bytearray(b"\n".join(lines))
    return bytes(out)


def ingests_or_refuses_clearly(data: bytes, suffix: str = "") -> None:
    """Ingest ``data``: it is stored whole, or refused with one clear sentence and no trace."""
    with tempfile.TemporaryDirectory() as folder:
        source, out = Path(folder) / f"upload{suffix}", Path(folder) / "out" / "table.parquet"
        source.write_bytes(data)
        try:
            result = ingest_file(source, out, max_plot_points=200)
        except IngestError as error:
            message = error.message
            assert message and folder not in message and message.endswith((".", ")"))
            assert "Traceback" not in message
            assert not out.parent.exists() or list(out.parent.iterdir()) == []
        else:
            assert out.is_file() and result.row_count > 0
            assert [p.name for p in out.parent.iterdir()] == ["table.parquet"]
