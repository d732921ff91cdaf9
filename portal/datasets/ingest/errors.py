"""The one exception the ingest library raises towards its callers, and the panics it catches."""


class IngestError(Exception):
    """A file that cannot be ingested; ``message`` is safe to show to the uploader."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


def is_rust_panic(exc: BaseException) -> bool:
    """Whether ``exc`` is a panic inside a Rust extension (polars, fastnda), not Ctrl-C or an exit.

    pyo3 raises ``PanicException``, a ``BaseException`` rather than an ``Exception``, so it
    passes every ``except Exception``; each extension defines its own class, hence the name.
    """
    return type(exc).__name__ == "PanicException"
