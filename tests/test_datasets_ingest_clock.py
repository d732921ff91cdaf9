"""Clock-time text (``hh:mm:ss``, hours past 24, a day prefix) read as seconds, the way a
regular expression's capture groups would read it, on any text a cycler might write; and the
layout of a wall-clock column named so that its plan streams."""

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portal.datasets.ingest import ingest_file
from portal.datasets.ingest.normalise import _HMS, datetime_format, duration_seconds

DIGITS = st.text("0123456789", min_size=1, max_size=3)
CLOCKS = st.builds(
    "{}{}{}:{}:{}{}".format,
    st.sampled_from(["", " ", "\t"]),
    st.one_of(st.just(""), st.builds("{}{}".format, DIGITS, st.sampled_from(["-", " ", "\t"]))),
    DIGITS,
    DIGITS,
    DIGITS,
    st.sampled_from(["", ".", ".5", ".25", ".125"]),
)
ODD = st.text("0123456789:.- \te", max_size=12)  # near misses, plain seconds, garbage


def by_capture_groups(expr: pl.Expr) -> pl.Expr:
    """The reading the pattern's own capture groups give (the former implementation)."""
    text = expr.cast(pl.String).str.strip_chars()
    parts = text.str.extract_groups(_HMS)
    days = parts.struct.field("1").cast(pl.Float64, strict=False).fill_null(0.0)
    hours = parts.struct.field("2").cast(pl.Float64, strict=False)
    minutes = parts.struct.field("3").cast(pl.Float64, strict=False)
    seconds = parts.struct.field("4").cast(pl.Float64, strict=False)
    clock = days * 86400.0 + hours * 3600.0 + minutes * 60.0 + seconds
    return pl.when(hours.is_not_null()).then(clock).otherwise(text.cast(pl.Float64, strict=False))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(CLOCKS, ODD, st.none()), min_size=1, max_size=40))
def test_clock_text_reads_as_the_capture_groups_read_it(values):
    frame = pl.DataFrame({"t": values}, schema={"t": pl.String})
    got = frame.select(
        duration_seconds(pl.col("t")).alias("fast"), by_capture_groups(pl.col("t")).alias("ref")
    )
    assert got.get_column("fast").to_list() == got.get_column("ref").to_list()


def test_known_clock_texts():
    values = ["144:02:18", "3-12:00:01.5", "2 01:00:00", "12.5", "1:02", "-1:00:00", "x", None]
    frame = pl.DataFrame({"t": values}, schema={"t": pl.String})
    seconds = frame.select(duration_seconds(pl.col("t"))).to_series().to_list()
    assert seconds == [518538.0, 302401.5, 176400.0, 12.5, None, None, None, None]


@pytest.mark.parametrize(
    "stamps",
    [
        ["2023-03-01 10:00:00", "2023-03-01 10:00:01"],
        ["2023/03/01 10:00:00.250", "2023/03/01 10:00:01"],
        ["2023-03-01T10:00:00", "2023-03-01T11:00:00"],
        ["01.03.2023 10:00", "01.03.2023 10:01"],
        ["03/01/2023 10:00:00", "13/01/2023 10:00:00"],
    ],
)
def test_a_wall_clock_layout_is_named_as_polars_would_infer_it(stamps):
    sample = pl.Series(stamps)
    layout = datetime_format(sample)
    assert layout is not None
    assert sample.str.to_datetime(layout).equals(sample.str.to_datetime(time_unit="us"))


def test_text_without_a_known_layout_is_left_to_inference():
    assert datetime_format(pl.Series(["soon", "later"])) is None
    assert datetime_format(pl.Series(["1 March 2023, 10 am"])) is None


def test_a_neware_export_timed_by_a_slashed_clock_with_fractions(tmp_path):
    path = tmp_path / "bts.csv"
    header = "Record ID,Cycle ID,Step ID,Voltage(V),Current(mA),Capacitance_Chg(mAh),Realtime"
    rows = [
        "1,1,1,3.50,500,0,2023/03/01 10:00:00.500",
        "2,1,1,4.10,500,500,2023/03/01 11:00:00",
        "3,1,2,4.00,-500,0,2023/03/01 11:00:01.250",
    ]
    path.write_text("\n".join([header, *rows]) + "\n")

    ingest_file(path, tmp_path / "bts.parquet")

    table = pl.read_parquet(tmp_path / "bts.parquet")
    assert table.get_column("test_time_s").to_list() == [0.0, 3599.5, 3600.75]
