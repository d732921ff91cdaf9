"""Evidence rules hold in the service itself, so the API, the CLI or a script cannot skip them."""

from __future__ import annotations

import pytest
from sqlmodel import select

from portal.agreements.evidence import submit_evidence
from portal.agreements.models import MilestoneEvidence
from portal.errors import ServiceError
from tests import factories


def test_evidence_may_point_only_at_a_dataset_the_submitter_may_see(app, db):
    organization = factories.make_organization(db)
    partner = factories.make_user(db, role="partner", organization=organization)
    milestone = factories.make_milestone(db, factories.make_agreement(db, organization))
    shared = factories.make_dataset(db, visibility="restricted", title="Shared with us")
    factories.make_dataset_grant(db, shared, organization)
    hidden = factories.make_dataset(db, visibility="restricted", title="Someone else's data")

    with app.test_request_context():
        for dataset_id in (hidden.id, 987654):
            with pytest.raises(ServiceError, match="datasets shared with you"):
                submit_evidence(db, milestone, partner, note="see data", dataset_id=dataset_id)
        assert db.exec(select(MilestoneEvidence)).all() == []
        assert milestone.status == "planned"

        evidence = submit_evidence(db, milestone, partner, dataset_id=shared.id)
    assert evidence.dataset_id == shared.id and milestone.status == "submitted"
    db.rollback()


def test_evidence_needs_something_and_a_live_agreement(app, db):
    organization = factories.make_organization(db)
    partner = factories.make_user(db, role="partner", organization=organization)
    ended = factories.make_agreement(db, organization, status="terminated")
    with app.test_request_context():
        with pytest.raises(ServiceError, match="Add a note"):
            submit_evidence(db, factories.make_milestone(db), partner)
        with pytest.raises(ServiceError, match="signed or active"):
            submit_evidence(db, factories.make_milestone(db, ended), partner, note="done")
    assert db.exec(select(MilestoneEvidence)).all() == []
