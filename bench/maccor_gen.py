"""A Maccor text export of any size, made by repeating the real sample (maccor_002.txt).

Each repetition continues the record number, the cycle counters and the test time where the
previous one ended, so the result reads as one long test with the sample's 13-line preamble,
its non-UTF-8 bytes, its unsigned current and its trailing tabs.
"""

from __future__ import annotations

from pathlib import Path

SAMPLE = Path(__file__).resolve().parents[2] / "shared" / "data" / "cycler" / "maccor_002.txt"
HEADER_LINES = 15  # the preamble, a blank line, the column names and a blank line
HEADER_ROW = 13  # the column names, counting from 0


def generate_maccor(path: Path, rows: int) -> None:
    """Write at least ``rows`` data rows (whole repetitions of the sample's 7,446)."""
    lines = SAMPLE.read_bytes().rstrip(b"\n").split(b"\n")
    header, data = lines[:HEADER_LINES], lines[HEADER_LINES:]
    parsed = []
    for line in data:
        rec, cycle_p, cycle_c, step, test_time, rest = line.split(b"\t", 5)
        parsed.append((int(rec), int(cycle_p), int(cycle_c), step, float(test_time), rest))
    cycles = max(cycle_c for _r, _p, cycle_c, *_ in parsed)
    duration = parsed[-1][4] + 1.0
    with open(path, "wb") as out:
        out.write(b"\n".join(header) + b"\n")
        repetition = 0
        while repetition * len(parsed) < rows:
            shift, extra, later = (
                repetition * len(parsed),
                repetition * cycles,
                repetition * duration,
            )
            out.write(
                b"".join(
                    b"%d\t%d\t%d\t%s\t%.6f\t%s\n"
                    % (rec + shift, cycle_p + extra, cycle_c + extra, step, time + later, rest)
                    for rec, cycle_p, cycle_c, step, time, rest in parsed
                )
            )
            repetition += 1
