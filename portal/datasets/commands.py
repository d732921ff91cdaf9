"""`portal ingest FILE --dataset SLUG`: the upload path from the command line, with the progress
(percentage and rows read) that the dataset page shows for a queued upload."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import with_appcontext
from werkzeug.exceptions import HTTPException

from portal import db
from portal.datasets import files, queries, services
from portal.errors import ServiceError
from portal.vocabulary import Visibility


class _Progress:
    """Prints percentage and rows read on standard error: one line redrawn on a terminal, a line
    per step otherwise (logs, pipes)."""

    def __init__(self, name: str) -> None:
        self.name, self.shown, self.rows = name, None, None
        self.terminal = sys.stderr.isatty()

    def __call__(self, percent: int, rows: int | None) -> None:
        self.rows = rows if rows is not None else self.rows
        text = f"Ingesting {self.name}: {percent:3d}%"
        if self.rows is not None:
            text += f", {self.rows:,} rows read"
        if text == self.shown:
            return
        self.shown = text
        click.echo(("\r" + text) if self.terminal else text, nl=not self.terminal, err=True)

    def close(self) -> None:
        """End the redrawn line."""
        if self.terminal and self.shown:
            click.echo(err=True)


@click.command("ingest")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dataset", "slug", required=True, help="Dataset short name (created when missing).")
@click.option("--title", default=None, help="Title of a dataset created by this command.")
@with_appcontext
def ingest_command(path: Path, slug: str, title: str | None) -> None:
    """Ingest a cycler file into a dataset (a new dataset starts restricted)."""
    session = db.session()
    # A refusal rolls back by itself (ServiceError); anything else when the app context ends.
    try:
        dataset = queries.dataset_by_slug(session, slug)
        if dataset is None:
            dataset = services.create_dataset(
                session,
                slug=slug,
                title=title or slug.replace("-", " ").capitalize(),
                visibility=Visibility.RESTRICTED,
            )
        progress = _Progress(path.name)
        try:
            with open(path, "rb") as stream:
                dataset_file = files.add_file(
                    session, dataset, stream, path.name, max_bytes=None, progress=progress
                )
        finally:
            progress.close()
        db.commit()
    except ServiceError as error:
        raise click.ClickException(f"{path.name} refused: {error.message}") from error
    except HTTPException as error:
        raise click.ClickException(f"{path.name} refused: {error.description}") from error
    # The warnings first: scripts read the summary on the last line.
    for line in warning_lines(dataset_file):
        click.echo(line)
    click.echo(f"dataset={dataset.slug} file={dataset_file.id} cycles={dataset_file.cycle_count}")


def warning_lines(dataset_file) -> list[str]:
    """The file's data-quality warnings, one line each, with the cycles concerned."""
    lines = [f"warning [reader] {flag}" for flag in dataset_file.flags or []]
    for warning in dataset_file.warnings or []:
        cycles = ",".join(str(c) for c in warning.get("cycles", []))
        lines.append(f"warning [{warning['check']}] {warning['message']} cycles={cycles}")
    return lines
