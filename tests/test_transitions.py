"""The four status chains: each covers its code list exactly, and one check refuses every bad step."""

from __future__ import annotations

import pytest
from flask_babel import force_locale

from portal.agreements.status import AGREEMENT_CHAIN, MILESTONE_CHAIN
from portal.catalog.models import INQUIRY_CHAIN
from portal.errors import ServiceError
from portal.licensing.pipeline import PIPELINE
from portal.vocabulary import AgreementStatus, InquiryStatus, MilestoneStatus, Stage

CHAINS = {
    "agreement": (AGREEMENT_CHAIN, AgreementStatus),
    "milestone": (MILESTONE_CHAIN, MilestoneStatus),
    "licence application": (PIPELINE, Stage),
    "inquiry": (INQUIRY_CHAIN, InquiryStatus),
}


@pytest.mark.parametrize("name", CHAINS)
def test_each_chain_names_every_code_and_only_codes(name):
    chain, codes = CHAINS[name]
    assert set(chain.steps) == set(codes.values()), f"{name}: a status has no row of steps"
    for status, targets in chain.steps.items():
        assert set(targets) <= set(codes.values()), f"{name}: {status} leads to an unknown code"
        assert status not in targets, f"{name}: {status} leads to itself"


def test_a_legal_step_passes_and_the_others_say_why(app):
    with app.test_request_context():
        AGREEMENT_CHAIN.check("draft", "negotiation")
        with pytest.raises(ServiceError, match=r"^Unknown status\.$"):
            AGREEMENT_CHAIN.check("draft", "archived")
        with pytest.raises(ServiceError, match=r"^Unknown stage\.$"):
            PIPELINE.check("received", "shelved")
        with pytest.raises(ServiceError) as refused:
            MILESTONE_CHAIN.check("accepted", "planned")
        assert refused.value.message == "A milestone that is accepted cannot become planned."
        with pytest.raises(ServiceError) as refused:
            PIPELINE.check("received", "approved")
        assert refused.value.message == ("An application that is received cannot become approved.")
        with pytest.raises(ServiceError) as refused:
            INQUIRY_CHAIN.check("converted", "new")
        assert refused.value.message == "An inquiry cannot go from “Converted” to “New”."
        # A record's own rule may narrow the table (an active agreement past its expiry date).
        with pytest.raises(ServiceError, match="cannot become completed"):
            AGREEMENT_CHAIN.check("expired", "completed", legal=("expired",))
        with force_locale("hi"), pytest.raises(ServiceError) as refused:
            INQUIRY_CHAIN.check("converted", "new")
    assert "में नहीं जा सकती" in refused.value.message
