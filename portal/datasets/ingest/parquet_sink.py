"""Write the canonical table batch by batch, in a thread (pyarrow encodes and compresses
without the GIL, so writing overlaps the next batch's parse and computation)."""

import queue
import threading
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

ROW_GROUP_ROWS = 64 * 1024  # small enough that a cycle filter skips most of a big file
QUEUED_BATCHES = 2  # batches waiting to be written, at most (memory)


class ParquetSink:
    """A Parquet file written from batches in order: snappy, statistics, fixed row groups."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._queue: queue.Queue[pa.Table | None] = queue.Queue(QUEUED_BATCHES)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="parquet-sink", daemon=True)
        self._thread.start()

    def write(self, batch: pl.DataFrame) -> None:
        """Queue one batch (blocks while the writer is behind)."""
        self._raise()
        if batch.height:
            self._queue.put(batch.to_arrow())

    def close(self) -> None:
        """Write what is left and close the file; raises what the writer raised."""
        self._queue.put(None)
        self._thread.join()
        self._raise()

    def close_quietly(self) -> None:
        """``close`` without raising, when the ingest fails anyway (the caller removes the file)."""
        try:
            self.close()
        except Exception:
            return

    def _raise(self) -> None:
        if self._error is not None:
            raise self._error

    def _run(self) -> None:
        writer: pq.ParquetWriter | None = None
        pending: list[pa.Table] = []
        rows = 0
        received_all = False
        try:
            while (table := self._queue.get()) is not None:
                if writer is None:
                    writer = pq.ParquetWriter(
                        self.path,
                        table.schema,
                        compression="snappy",
                        write_statistics=True,
                        use_dictionary=False,
                    )
                pending.append(table)
                rows += table.num_rows
                if rows >= ROW_GROUP_ROWS:
                    whole = pa.concat_tables(pending)
                    cut = rows - rows % ROW_GROUP_ROWS
                    writer.write_table(whole.slice(0, cut), row_group_size=ROW_GROUP_ROWS)
                    pending, rows = [whole.slice(cut)], rows - cut
            received_all = True
            if writer is not None and rows:
                writer.write_table(pa.concat_tables(pending), row_group_size=ROW_GROUP_ROWS)
        except BaseException as exc:
            self._error = exc
            while not received_all and self._queue.get() is not None:
                pass  # unblock the producer until it closes
        finally:
            if writer is not None:
                writer.close()
