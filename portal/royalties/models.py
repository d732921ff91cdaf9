"""A licensee's royalty report for one period, and the payments staff record against it."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, Column, Numeric, UniqueConstraint
from sqlmodel import Field, SQLModel

from portal.agreements.models import Amount
from portal.db import utcnow
from portal.fields import actor_field, field


class RoyaltyReportFields(SQLModel):
    """What the licensee files for a period (declared once: form, CSV and checks)."""

    units_sold: int = field(_l("Units sold"), ge=0, le=10**12)
    net_sales_inr: Decimal = field(
        _l("Net sales (₹)"),
        help=_l("Invoiced sales of licensed products in the period, less taxes and returns."),
        ge=0,
        le=10**14,
        sa_column=Column(Numeric(16, 2), nullable=False),
    )
    note: str = field(_l("Note to the CoE"), default="", max_length=2000)


class RoyaltyReport(RoyaltyReportFields, table=True):
    """One period's report; the royalty is computed from the agreement's terms when it is filed."""

    __tablename__ = "royalty_report"
    __table_args__ = (
        UniqueConstraint("agreement_id", "period_start", name="uq_royalty_report_period"),
        CheckConstraint("period_end >= period_start", name="period_order"),
        CheckConstraint("net_sales_inr >= 0 AND units_sold >= 0", name="not_negative"),
    )

    id: int | None = Field(default=None, primary_key=True)
    agreement_id: int = Field(foreign_key="agreement.id", index=True, ondelete="CASCADE")
    period_start: date
    period_end: date
    rate_pct: Amount = Field(default=None, sa_column=Column(Numeric(5, 2)))
    royalty_inr: Decimal = Field(sa_column=Column(Numeric(16, 2), nullable=False))
    # The shortfall against the minimum annual royalty, owed with the report closing a licence year.
    minimum_topup_inr: Decimal = Field(
        default=Decimal(0), sa_column=Column(Numeric(16, 2), nullable=False)
    )
    submitted_by_id: int | None = actor_field()
    submitted_at: datetime = Field(default_factory=utcnow)

    @property
    def amount_due_inr(self) -> Decimal:
        """Royalty on sales plus any minimum-royalty top-up."""
        return Decimal(self.royalty_inr) + Decimal(self.minimum_topup_inr)


class RoyaltyPaymentFields(SQLModel):
    """A payment staff record against a report."""

    amount_inr: Decimal = field(
        _l("Amount received (₹)"), gt=0, le=10**14, sa_column=Column(Numeric(16, 2), nullable=False)
    )
    received_on: date = field(_l("Received on"))
    reference: str = field(
        _l("Payment reference"), help=_l("e.g. UTR or cheque number."), default="", max_length=80
    )


class RoyaltyPayment(RoyaltyPaymentFields, table=True):
    __tablename__ = "royalty_payment"

    id: int | None = Field(default=None, primary_key=True)
    report_id: int = Field(foreign_key="royalty_report.id", index=True, ondelete="CASCADE")
    recorded_by_id: int | None = actor_field()
    created_at: datetime = Field(default_factory=utcnow)
