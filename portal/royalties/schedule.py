"""Which royalty reports a licence owes, when, and how much each one comes to.

The rules (a new rule is an edit here only):
- A licence with a royalty rate and an effective date owes one report per reporting period
  (quarterly, half-yearly or annual, counted from the effective date), due 30 days after the
  period ends; a period is owed once it has ended, up to the expiry date.
- Royalty = net sales × rate, rounded to the paisa.
- The report that closes a licence year (12 months from the effective date) also owes the
  shortfall against the minimum annual royalty: the minimum less that year's royalties on sales.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from portal.agreements.models import Agreement
from portal.dates import add_months
from portal.vocabulary import AgreementKind, RoyaltyPeriod

REPORT_DUE_DAYS = 30
PERIOD_MONTHS = {RoyaltyPeriod.QUARTERLY: 3, RoyaltyPeriod.HALF_YEARLY: 6, RoyaltyPeriod.ANNUAL: 12}
PAISA = Decimal("0.01")


@dataclass(frozen=True)
class Period:
    start: date
    end: date

    @property
    def due_on(self) -> date:
        return self.end + timedelta(days=REPORT_DUE_DAYS)


def owes_reports(agreement: Agreement) -> bool:
    """A licence with a royalty rate and an effective date."""
    return (
        agreement.kind == AgreementKind.LICENSE
        and agreement.royalty_pct is not None
        and agreement.effective_on is not None
    )


def _months(agreement: Agreement) -> int:
    return PERIOD_MONTHS.get(agreement.royalty_period, 3)


def closed_periods(agreement: Agreement, today: date) -> list[Period]:
    """The reporting periods that have ended by ``today`` (the last one cut at expiry)."""
    if not owes_reports(agreement):
        return []
    periods: list[Period] = []
    step = _months(agreement)
    index = 0
    while True:
        start = add_months(agreement.effective_on, step * index)
        end = add_months(agreement.effective_on, step * (index + 1)) - timedelta(days=1)
        if agreement.expires_on is not None:
            if start > agreement.expires_on:
                break
            end = min(end, agreement.expires_on)
        if end >= today:
            break
        periods.append(Period(start, end))
        index += 1
    return periods


def royalty_on(net_sales_inr: Decimal, rate_pct: Decimal) -> Decimal:
    """Net sales × rate, to the paisa."""
    return (Decimal(net_sales_inr) * Decimal(rate_pct) / 100).quantize(PAISA, ROUND_HALF_UP)


def licence_year_of(agreement: Agreement, period: Period) -> Period:
    """The licence year (12 months from the effective date) a period falls in."""
    years = 0
    while add_months(agreement.effective_on, 12 * (years + 1)) <= period.start:
        years += 1
    start = add_months(agreement.effective_on, 12 * years)
    end = add_months(agreement.effective_on, 12 * (years + 1)) - timedelta(days=1)
    if agreement.expires_on is not None:
        end = min(end, agreement.expires_on)
    return Period(start, end)


def minimum_topup(agreement: Agreement, period: Period, royalties_this_year: Decimal) -> Decimal:
    """The shortfall owed with the report that closes a licence year, else nothing."""
    minimum = agreement.minimum_annual_royalty_inr
    if minimum is None or licence_year_of(agreement, period).end != period.end:
        return Decimal(0)
    return max(Decimal(0), Decimal(minimum) - royalties_this_year).quantize(PAISA)
