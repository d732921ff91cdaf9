"""Battery-cycler file ingest: Flask-free, vectorised (polars), one canonical table.

``FORMATS`` lists the cycler formats read, in detection order (formats.py);
``detect_format(path)`` names the format from the file's content; ``ingest_file(path, out)``
writes the canonical Parquet table and returns an ``IngestResult`` (per-cycle summary,
reference capacity, flags, plot data, the test's metadata); ``container_format(path)`` tells a
zip-based cycler file (.ndax, BTSDA .xlsx) from an upload archive; ``voltage_curve(parquet, cycles)`` reads the
voltage-vs-capacity curves of chosen cycles back; anything unreadable raises ``IngestError``.
"""

from .containers import container_format
from .detect import detect_format
from .errors import IngestError
from .formats import FORMATS, SUPPORTED_FORMATS
from .pipeline import IngestResult, ingest_file, voltage_curve

__all__ = [
    "FORMATS",
    "SUPPORTED_FORMATS",
    "IngestError",
    "IngestResult",
    "container_format",
    "detect_format",
    "ingest_file",
    "voltage_curve",
]
