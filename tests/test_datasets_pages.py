"""Dataset pages, plots, downloads, API shape, the CLI and bounded SQL counts."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from sqlmodel import select

from portal.audit.models import AuditEntry
from portal.csvsafe import csv_cell
from portal.datasets.models import CycleSummary, Dataset, DatasetFile
from portal.datasets.views import parse_cycles
from tests import factories
from tests.cycler_data import CYCLER_DIR, maccor_head
from tests.helpers import counting_statements


@pytest.fixture(scope="module")
def small_maccor(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("cycler") / "maccor_small.txt"
    path.write_bytes(maccor_head())
    return path


def _public_datasets(app, db, n: int, path: Path) -> list[Dataset]:
    datasets = []
    for _ in range(n):
        dataset = factories.make_dataset(db, visibility="public")
        datasets.append(dataset)
    # Files on a few of them only: ingest costs time and the list must not care.
    factories.ingest_into(app, datasets[0], path)
    return datasets


def test_list_and_api_run_a_bounded_number_of_queries(app, client, db, login_as, small_maccor):
    login_as("partner")
    _public_datasets(app, db, 3, small_maccor)
    with counting_statements(app) as few:
        assert client.get("/datasets").status_code == 200
        assert client.get("/api/v1/datasets").status_code == 200
    for _ in range(27):
        factories.make_dataset(db, visibility="public")
    with counting_statements(app) as many:
        assert client.get("/datasets").status_code == 200
        assert client.get("/api/v1/datasets").status_code == 200
    assert len(few) == len(many)


def test_detail_runs_a_bounded_number_of_queries(app, client, db, small_maccor):
    dataset = factories.make_dataset(db, visibility="public")
    factories.ingest_into(app, dataset, small_maccor)
    with counting_statements(app) as one_file:
        assert client.get(f"/datasets/{dataset.slug}").status_code == 200
    for _ in range(2):
        factories.ingest_into(app, dataset, small_maccor)
    with counting_statements(app) as three_files:
        assert client.get(f"/datasets/{dataset.slug}").status_code == 200
    assert len(one_file) == len(three_files) <= 12


def test_detail_shows_metadata_flags_attribution_and_snippet(app, client, db):
    dataset = factories.make_dataset(
        db, visibility="public", attribution="Data by **IFE, Norway** via cellpy (MIT)"
    )
    dataset_file = factories.ingest_into(
        app, dataset, CYCLER_DIR / "2017-05-09_test-TC-contact_CH33.csv"
    )
    page = client.get(f"/datasets/{dataset.slug}").get_data(as_text=True)
    assert "<strong>IFE, Norway</strong>" in page
    assert dataset_file.flags  # the empty Cycle_Index column is flagged
    for flag in dataset_file.flags:  # data-quality warnings are shown, escaped
        assert flag.replace("'", "&#39;").replace('"', "&#34;")[:40] in page
    assert "Bearer" in page and "/api/v1/datasets/" in page
    assert 'style="' not in page and "<script>" not in page  # CSP: no inline styles or scripts


def test_cycles_table_pages_with_htmx_fragments(app, client, db):
    dataset = factories.make_dataset(db, visibility="public")
    dataset_file = factories.ingest_into(app, dataset, CYCLER_DIR / "neware_uio.csv")
    url = f"/datasets/{dataset.slug}/files/{dataset_file.id}/cycles"
    fragment = client.get(url, headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    assert "<html" not in fragment.get_data(as_text=True)
    assert 'id="cycles-table"' in fragment.get_data(as_text=True)
    assert (
        "Accept-Encoding" in fragment.headers.get("Vary", "")
        or "HX-Request" in fragment.headers["Vary"]
    )
    full = client.get(url)
    assert "<html" in full.get_data(as_text=True)
    for hostile in (
        "page=-1",
        "page=abc",
        "page=" + "9" * 50,
        "file=x",
        "cycles=%00%ff",
        "cycles=" + "9," * 500,
    ):
        base = url if "page" in hostile else f"/datasets/{dataset.slug}"
        assert client.get(f"{base}?{hostile}").status_code == 200, hostile


def test_plot_json_is_downsampled_and_voltage_reads_other_cycles(app, client, db):
    dataset = factories.make_dataset(db, visibility="public")
    dataset_file = factories.ingest_into(app, dataset, CYCLER_DIR / "neware_uio.csv")
    base = f"/datasets/{dataset.slug}/files/{dataset_file.id}"
    capacity = client.get(f"{base}/capacity.json").get_json()
    assert capacity["cycle_index"] == [1, 2, 3, 4]
    assert all(c > 0 for c in capacity["discharge_capacity_ah"])
    curves = client.get(f"{base}/voltage.json?cycles=2,3,999").get_json()["cycles"]
    assert set(curves) == {"2", "3"}
    assert len(curves["2"]["voltage_v"]) <= 1000
    default = client.get(f"{base}/voltage.json").get_json()["cycles"]
    assert default  # the preview cycles chosen at ingest


def test_downloads_are_attachments_audited_and_streamed(app, client, db, small_maccor):
    dataset = factories.make_dataset(db, visibility="public")
    dataset_file = factories.ingest_into(app, dataset, small_maccor, "run 1 (Maccor).txt")
    base = f"/datasets/{dataset.slug}/files/{dataset_file.id}/download"

    normalised = client.get(f"{base}/csv")
    assert normalised.status_code == 200 and normalised.is_streamed
    assert (
        normalised.headers["Content-Disposition"]
        == 'attachment; filename="run_1_Maccor.normalised.csv"'
    )
    rows = list(csv.reader(io.StringIO(normalised.get_data(as_text=True))))
    assert rows[0][:3] == ["test_time_s", "cycle_index", "step_index"]
    assert len(rows) - 1 == dataset_file.row_count

    parquet = client.get(f"{base}/parquet")
    table = pq.read_table(io.BytesIO(parquet.data))
    assert table.num_rows == dataset_file.row_count and "voltage_v" in table.column_names

    summary = client.get(f"{base}/summary")
    lines = list(csv.DictReader(io.StringIO(summary.get_data(as_text=True))))
    assert len(lines) == dataset_file.cycle_count
    assert float(lines[0]["discharge_capacity_ah"]) > 0

    forms = [
        e.changes["form"]
        for e in db.exec(select(AuditEntry).where(AuditEntry.action == "dataset.downloaded")).all()
    ]
    assert sorted(forms) == ["csv", "parquet", "summary"]


def test_csv_cells_that_look_like_formulas_are_neutralised():
    assert csv_cell("=cmd|'/C calc'!A0") == "'=cmd|'/C calc'!A0"
    assert csv_cell("+1+1") == "'+1+1"
    assert csv_cell("-2+3") == "'-2+3"
    assert csv_cell("@SUM(A1)") == "'@SUM(A1)"
    assert csv_cell(-0.5) == "-0.5"  # numbers stay numbers
    assert csv_cell(None) == ""


def test_cycle_numbers_are_parsed_defensively():
    assert parse_cycles("1, 50 200;1") == [1, 50, 200]
    assert parse_cycles("<script>") == []
    assert len(parse_cycles(",".join(str(i) for i in range(100)))) == 8


def test_api_detail_lists_files_with_flags_and_links(app, client, db, small_maccor):
    dataset = factories.make_dataset(db, visibility="public")
    dataset_file = factories.ingest_into(app, dataset, small_maccor)
    body = client.get(f"/api/v1/datasets/{dataset.slug}").get_json()
    (item,) = body["files"]
    assert {"id", "original_filename", "format", "status", "cycle_count", "flags"} <= set(item)
    assert item["id"] == dataset_file.id and item["status"] == "ingested"
    assert set(item["downloads"]) == {
        "original",
        "csv",
        "parquet",
        "summary_csv",
        "bdf",
        "bdf_metadata",
    }
    assert "stored_name" not in item and "uploaded_by_id" not in item
    cycles = client.get(f"{item['cycles_url']}?per_page=1").get_json()
    assert cycles["total"] == dataset_file.cycle_count
    assert set(cycles["items"][0]) >= {
        "cycle_index",
        "discharge_capacity_ah",
        "coulombic_efficiency",
    }
    assert cycles["next"] is None or "page=2" in cycles["next"]
    spec = client.get("/api/v1/openapi.json").get_json()
    assert "/datasets/{slug}/files/{file_id}/cycles" in spec["paths"]


def test_technology_page_shows_its_public_datasets(app, client, db):
    from portal.catalog.models import Technology

    technology = Technology(
        slug="na-cell",
        title="Na cell",
        chemistry="na_ion",
        category="cell",
        trl=5,
        is_published=True,
    )
    db.add(technology)
    db.commit()
    factories.make_dataset(
        db, visibility="public", technology_id=technology.id, title="Open cycling data"
    )
    factories.make_dataset(
        db, visibility="restricted", technology_id=technology.id, title="Secret cycling data"
    )
    page = client.get("/technologies/na-cell").get_data(as_text=True)
    assert "Open cycling data" in page
    assert "Secret cycling data" not in page


def test_cli_ingest_creates_a_restricted_dataset_and_reports(app, db, small_maccor):
    runner = (
        app.test_cli_runner(mix_stderr=False) if _mix_stderr_supported() else app.test_cli_runner()
    )
    result = runner.invoke(
        args=["ingest", str(small_maccor), "--dataset", "cli-run", "--title", "CLI run"]
    )
    assert result.exit_code == 0, result.output
    dataset = db.exec(select(Dataset).where(Dataset.slug == "cli-run")).one()
    dataset_file = db.exec(select(DatasetFile)).one()
    assert dataset.visibility == "restricted" and dataset.title == "CLI run"
    last = result.stdout.strip().splitlines()[-1]
    assert last == f"dataset=cli-run file={dataset_file.id} cycles={dataset_file.cycle_count}"
    assert len(db.exec(select(CycleSummary)).all()) == dataset_file.cycle_count

    again = runner.invoke(args=["ingest", str(small_maccor), "--dataset", "cli-run"])
    assert again.exit_code == 0
    assert len(db.exec(select(DatasetFile)).all()) == 2


def test_cli_refuses_an_unknown_file_with_the_reason(app, db, tmp_path):
    junk = tmp_path / "notes.csv"
    junk.write_text("name,colour\nfoo,red\n")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["ingest", str(junk), "--dataset", "never-made"])
    assert result.exit_code != 0
    assert "colour" in result.output or "colour" in (result.stderr or "")
    assert db.exec(select(Dataset)).all() == []
    assert db.exec(select(DatasetFile)).all() == []
    folder = Path(app.config["DATA_DIR"]) / "datasets"
    assert not folder.exists() or not any(p.is_file() for p in folder.rglob("*"))


def _mix_stderr_supported() -> bool:
    import inspect

    from click.testing import CliRunner

    return "mix_stderr" in inspect.signature(CliRunner.__init__).parameters


def test_the_cycles_table_shows_every_summary_field(app):
    from portal.datasets.ingest.canonical import SUMMARY_KEYS

    source, _name, _uptodate = app.jinja_env.loader.get_source(
        app.jinja_env, "datasets/_cycles_table.html"
    )
    assert [key for key in SUMMARY_KEYS if f'"{key}"' not in source] == []
