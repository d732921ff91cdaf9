"""Hostile query parameters never give a 500 on the catalog page, its fragment, the API or the CSV."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import make_technology

NASTY = st.sampled_from(
    [
        "' OR 1=1 --",
        "1; DROP TABLE technology",
        '"',
        "*",
        "NEAR(",
        "-",
        "\x00",
        "a\x00b",
        "9" * 40,
        "-99999999999999999999",
        "1e309",
        "NaN",
        "x" * 10_000,
        "%",
        "_",
        "ताप",
        "na_ion",
        "6",
    ]
)
VALUE = st.one_of(NASTY, st.text(max_size=60), st.integers().map(str))
PARAMS = st.dictionaries(
    st.sampled_from(
        [
            "q",
            "chemistry",
            "category",
            "application",
            "licensing",
            "trl_min",
            "trl_max",
            "sort",
            "page",
            "per_page",
        ]
    ),
    st.lists(VALUE, min_size=1, max_size=3),
    max_size=6,
)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(params=PARAMS)
def test_catalog_parameters_never_cause_a_server_error(client, db, params):
    if not getattr(db, "_seeded", False):
        make_technology(db, title="Sodium cell", applications=("ev", "stationary"))
        make_technology(db, title="Lithium cell", chemistry="li_ion", trl=8)
        db._seeded = True
    query = [(key, value) for key, values in params.items() for value in values]
    for url, headers in (
        ("/technologies", {}),
        ("/technologies", {"HX-Request": "true"}),
        ("/api/v1/technologies", {}),
        ("/technologies.csv", {}),
    ):
        # A page past the last one redirects to the last page (which then answers 200).
        response = client.get(url, query_string=query, headers=headers, follow_redirects=True)
        assert response.status_code == 200, (url, query, response.status_code)
