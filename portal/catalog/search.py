"""Full-text search over technologies: the only module that branches on the database dialect.

User input never reaches the search syntax: the query is cut into words of letters and digits,
and each word is quoted (SQLite FTS5) or passed as a plain lexeme (PostgreSQL tsquery), so FTS
operators such as quotes, `*`, `NEAR`, `-`, `:` or NUL bytes are just ignored.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import ColumnElement, bindparam, func, literal_column, select, text
from sqlalchemy.sql import Select

from portal.catalog.models import PG_SEARCH_DOCUMENT, Technology

MAX_QUERY_LENGTH = 200
MAX_TERMS = 12
MAX_TERM_LENGTH = 40
# bm25 weights for title, summary, description, Hindi title, Hindi summary (SQLite, in the order
# of the index's columns); PostgreSQL uses the A/B/C weights.
_SQLITE_RANK = "bm25(technology_fts, 10.0, 4.0, 1.0, 10.0, 4.0)"


def search_terms(q: str | None) -> list[str]:
    """Words of letters, digits and combining marks (so Hindi words stay whole), lower-cased."""
    text_ = (q or "")[: MAX_QUERY_LENGTH * 5]
    cleaned = "".join(
        ch if ch.isalnum() or unicodedata.category(ch) in ("Mn", "Mc") else " " for ch in text_
    )
    terms = [term[:MAX_TERM_LENGTH].lower() for term in cleaned.split()]
    return terms[:MAX_TERMS]


@dataclass(frozen=True)
class TextSearch:
    """A parsed search: `condition` filters technologies; `rank_order` sorts a query by relevance."""

    condition: ColumnElement
    ranked: Callable[[Select], Select]

    def rank_order(self, query: Select) -> Select:
        """`query` (over Technology) ordered best match first."""
        return self.ranked(query)


def fts5_query(terms: list[str]) -> str:
    """An FTS5 MATCH string: every term quoted, the last one a prefix (results as you type)."""
    quoted = [f'"{term}"' for term in terms]
    quoted[-1] += "*"
    return " ".join(quoted)


def tsquery_text(terms: list[str]) -> str:
    """A to_tsquery string: the terms ANDed, the last one a prefix."""
    parts = list(terms)
    parts[-1] += ":*"
    return " & ".join(parts)


def text_search(dialect: str, q: str | None) -> TextSearch | None:
    """The search condition and rank for `q` on this dialect; None when `q` has no words."""
    terms = search_terms(q)
    if not terms:
        return None
    if dialect == "postgresql":
        document = literal_column(PG_SEARCH_DOCUMENT)
        query = func.to_tsquery(
            literal_column("'english'::regconfig"), bindparam("search_q", tsquery_text(terms))
        )
        return TextSearch(
            condition=document.op("@@")(query),
            ranked=lambda q: q.order_by(func.ts_rank_cd(document, query).desc()),
        )
    match = text("technology_fts MATCH :search_q").bindparams(search_q=fts5_query(terms))
    matches = select(literal_column("rowid")).select_from(text("technology_fts")).where(match)
    ranks = (
        select(literal_column("rowid").label("id"), literal_column(_SQLITE_RANK).label("score"))
        .select_from(text("technology_fts"))
        .where(match)
        .subquery("fts_rank")
    )
    # bm25 is lower for better matches.
    # `id + 0` stops SQLite from driving the query from the match list (a rowid lookup of a wide
    # row per match: ~18 ms for a word in every document of 10,000); it then walks the narrow
    # facet index and probes the match list instead (~4 ms; ~1 ms for a rare word).
    return TextSearch(
        condition=(Technology.id + literal_column("0")).in_(matches),
        ranked=lambda q: q.join(ranks, ranks.c.id == Technology.id).order_by(ranks.c.score),
    )
