"""The small shared helpers other modules lean on: warning bands, reader column maps, edit pages,
the "already taken" check, list filters read from and written to query parameters."""

from __future__ import annotations

from dataclasses import fields
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlmodel import select
from werkzeug.datastructures import MultiDict

from portal.agreements.notices import expiry_threshold
from portal.agreements.queries import AgreementFilters, MilestoneFilters
from portal.agreements.services import create_agreement
from portal.audit.queries import AuditFilters
from portal.catalog import services as catalog
from portal.catalog.models import Technology
from portal.catalog.queries import CatalogFilters
from portal.datasets import services as dataset_services
from portal.datasets.ingest import canonical
from portal.datasets.ingest.columns import USUAL, column_map, locate
from portal.datasets.models import Dataset
from portal.datasets.queries import DatasetFilters
from portal.dates import days_band
from portal.db import taken
from portal.errors import ServiceError
from tests.factories import make_agreement, make_dataset, make_technology

TODAY = date(2026, 3, 1)


def test_days_band_is_the_tightest_limit_still_ahead():
    limits = (90, 30, 7)
    bands = [days_band(TODAY + timedelta(days=d), TODAY, limits) for d in (91, 90, 31, 30, 8, 7, 0)]
    assert bands == [None, 90, 90, 30, 30, 7, 7]
    assert days_band(TODAY - timedelta(days=1), TODAY, limits) is None


def test_expiry_warnings_follow_the_bands():
    assert expiry_threshold(TODAY + timedelta(days=29), TODAY) == 30
    assert expiry_threshold(TODAY - timedelta(days=1), TODAY) is None


def test_column_map_starts_from_the_usual_names_and_keeps_their_order():
    assert column_map() == USUAL
    fields = column_map({canonical.STEP: None, canonical.CYCLE: ("cycle",)})
    assert canonical.STEP not in fields
    assert fields[canonical.CYCLE] == (("cycle",), "index")
    assert list(fields) == [name for name in USUAL if name != canonical.STEP]


def test_column_map_kind_reads_every_column_unscaled():
    fields = column_map({canonical.CURRENT: ("currenta",)}, kind="index")
    assert {kind for _bases, kind in fields.values()} == {"index"}
    found = locate(["Current_A", "Voltage(V)"], fields)
    assert found[canonical.CURRENT].name == "Current_A"
    # A unit the "index" kind does not know is not read at all, rather than misread.
    assert canonical.VOLTAGE not in found


def test_an_invalid_edit_post_is_a_400_and_saves_nothing(client, db, login_as):
    technology = make_technology(db, title="Before")
    login_as("staff")
    url = f"/admin/technologies/{technology.id}/edit"
    assert client.get(url).status_code == 200
    response = client.post_form(url, {"title": "", "version": str(technology.version)})
    assert response.status_code == 400
    db.expire_all()
    assert db.get(Technology, technology.id).title == "Before"


def test_taken_matches_every_value_and_passes_over_the_record_being_edited(db):
    first = make_technology(db, slug="taken-first")
    second = make_technology(db, slug="taken-second")
    assert taken(db, Technology, slug="taken-first")
    assert not taken(db, Technology, slug="taken-first", but=first.id)  # its own name
    assert taken(db, Technology, slug="taken-first", but=second.id)
    assert taken(db, Technology, slug="taken-first", title=first.title)
    assert not taken(db, Technology, slug="taken-first", title=second.title)
    assert not taken(db, Technology, slug="nobody-has-this")


def test_each_already_taken_name_is_refused_with_its_own_sentence(app, db):
    technology = make_technology(db, slug="cell-a")
    other = make_technology(db, slug="cell-b")
    make_dataset(db, slug="data-a")
    agreement = make_agreement(db)
    with app.test_request_context():
        refusals = {
            "technology with the short name “cell-b”": lambda: catalog.update_technology(
                db, technology, {"slug": "cell-b"}, version=technology.version
            ),
            "dataset with the short name “data-a”": lambda: dataset_services.create_dataset(
                db, slug="data-a", title="Again"
            ),
            f"reference {agreement.reference} is already used": lambda: create_agreement(
                db,
                reference=agreement.reference,
                kind="mou",
                title="Again",
                organization_id=agreement.organization_id,
            ),
        }
        for sentence, change in refusals.items():
            with pytest.raises(ServiceError, match=sentence):
                change()
        catalog.update_technology(db, other, {"slug": "cell-b"}, version=other.version)
        db.commit()
    db.expire_all()
    assert db.get(Technology, technology.id).slug == "cell-a"
    assert db.get(Technology, other.id).version == 2  # saving its own name is no clash
    assert len(db.exec(select(Dataset).where(Dataset.slug == "data-a")).all()) == 1


FILTER_SETS = (CatalogFilters, DatasetFilters, AgreementFilters, MilestoneFilters, AuditFilters)
PARAMETER_NAMES = sorted(
    {spec.metadata["key"] or spec.name for kind in FILTER_SETS for spec in fields(kind)}
)


@settings(max_examples=200, deadline=None)
@given(
    pairs=st.lists(
        st.tuples(
            st.sampled_from(PARAMETER_NAMES),
            st.one_of(
                st.text(max_size=12),
                st.sampled_from(["1", "live", "na_ion", "li_ion", "30", "2026-01-31", "open"]),
            ),
        ),
        max_size=12,
    )
)
def test_every_list_filter_reads_back_what_it_writes(pairs):
    args = MultiDict(pairs)
    for kind in FILTER_SETS:
        filters = kind.from_args(args)
        assert kind.from_args(MultiDict(_flatten(filters.to_args()))) == filters, kind.__name__


def _flatten(args: dict) -> list[tuple[str, str]]:
    return [
        (name, str(item))
        for name, value in args.items()
        for item in (value if isinstance(value, list) else [value])
    ]


def test_the_catalog_url_keeps_its_order_and_leaves_defaults_out():
    filters = CatalogFilters.from_args(
        MultiDict(
            [
                *[("page", "2"), ("licensing", "available"), ("trl_min", "4")],
                *[("sort", "relevance"), ("chemistry", "na_ion"), ("chemistry", "li_ion")],
                ("q", "  hard  carbon "),
            ]
        )
    )
    assert list(filters.to_args()) == ["q", "chemistry", "trl_min", "licensing", "page"]
    assert filters.to_args()["chemistry"] == ["li_ion", "na_ion"]  # the vocabulary's order
    assert filters.to_args(page=1) == {k: v for k, v in filters.to_args().items() if k != "page"}


def test_a_switch_reads_its_own_word_and_writes_it_back():
    on = MilestoneFilters.from_args({"overdue": "1", "agreements": "live"})
    assert on.overdue and on.live
    assert on.to_args() == {"overdue": "1", "agreements": "live"}
    odd = MilestoneFilters.from_args({"overdue": "yes", "live": "live", "due_within": "-3"})
    assert odd == MilestoneFilters()
    assert odd.to_args() == {}
