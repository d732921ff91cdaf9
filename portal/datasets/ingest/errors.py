"""The one exception the ingest library raises towards its callers."""


class IngestError(Exception):
    """A file that cannot be ingested; ``message`` is safe to show to the uploader."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message
