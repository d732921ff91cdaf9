"""Links from a patent to the public registers where anyone can check it."""

from __future__ import annotations

from urllib.parse import quote

from flask_babel import lazy_gettext as _l

from portal.patents.models import Patent
from portal.vocabulary import Jurisdiction

IP_INDIA_SEARCH = "https://iprsearch.ipindia.gov.in/PublicSearch/"
ESPACENET = "https://worldwide.espacenet.com/patent/search?q={number}"
PATENTSCOPE = "https://patentscope.wipo.int/search/en/result.jsf?query={number}"


def register_links(patent: Patent) -> list[tuple[object, str]]:
    """(label, URL) pairs: the office's register where it has one, and Espacenet for all."""
    published = patent.grant_number or patent.publication_number or patent.application_number
    compact = "".join(published.split())
    if not compact.upper().startswith(patent.jurisdiction):
        compact = f"{patent.jurisdiction}{compact}"
    links: list[tuple[object, str]] = []
    if patent.jurisdiction == Jurisdiction.IN:
        # IP India's search takes no query in the address: the link opens the search form.
        links.append((_l("IP India search"), IP_INDIA_SEARCH))
    if patent.jurisdiction == Jurisdiction.WO:
        links.append((_l("WIPO PATENTSCOPE"), PATENTSCOPE.format(number=quote(compact))))
    links.append((_l("Espacenet"), ESPACENET.format(number=quote(compact))))
    return links
