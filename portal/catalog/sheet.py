"""The one-page technology sheet (PDF) a business developer takes to a meeting.

fpdf2 draws it: pure Python, no system libraries, and Unicode through a vendored TrueType font
(DejaVu Sans covers ₹ and the dashes the texts use). The QR code leads back to the live page.
"""

from __future__ import annotations

import io
from pathlib import Path

import segno
from flask import current_app
from flask_babel import gettext as _
from fpdf import FPDF

from portal.catalog.labels import catalog_label, key_figures, trl_meaning
from portal.catalog.models import Technology
from portal.dates import local_today
from portal.formatting import format_date

FONT = "DejaVu"
INK = (33, 37, 41)
MUTED = (90, 98, 106)
ACCENT = (11, 87, 148)


def _font_dir() -> Path:
    return Path(current_app.root_path).parent / "static" / "vendor" / "dejavu"


def _qr_png(url: str) -> io.BytesIO:
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="png", scale=6, border=2)
    buffer.seek(0)
    return buffer


class _Sheet(FPDF):
    def __init__(self, footer_text: str):
        super().__init__(format="A4")
        self.footer_text = footer_text
        self.add_font(FONT, "", str(_font_dir() / "DejaVuSans.ttf"))
        self.add_font(FONT, "B", str(_font_dir() / "DejaVuSans-Bold.ttf"))
        self.set_margins(18, 16, 18)
        self.set_auto_page_break(True, margin=18)

    def footer(self) -> None:
        self.set_y(-14)
        self.set_font(FONT, "", 8)
        self.set_text_color(*MUTED)
        self.cell(0, 6, self.footer_text, align="C")

    def heading(self, text: str) -> None:
        self.ln(3)
        self.set_font(FONT, "B", 11)
        self.set_text_color(*ACCENT)
        self.cell(0, 7, text, new_x="LMARGIN", new_y="NEXT")
        self.set_text_color(*INK)

    def paragraph(self, text: str, size: float = 10) -> None:
        self.set_font(FONT, "", size)
        self.multi_cell(0, size * 0.5, text, align="L", new_x="LMARGIN", new_y="NEXT")

    def pairs(self, rows: list[tuple[str, str]], label_width: float = 55) -> None:
        for label, value in rows:
            self.set_font(FONT, "B", 9.5)
            self.cell(label_width, 6, label)
            self.set_font(FONT, "", 9.5)
            self.multi_cell(0, 6, value, align="L", new_x="LMARGIN", new_y="NEXT")


def _ip_rows(technology: Technology, patents: list) -> list[tuple[str, str]]:
    rows = [(_("Licensing"), catalog_label("licensing", technology.licensing_status))]
    if technology.ip_status:
        rows.append((_("IP status"), technology.ip_status))
    for patent in patents:
        rows.append((_("Patent"), patent.one_line()))
    return rows


def technology_sheet(technology: Technology, page_url: str, patents: list = ()) -> bytes:
    """The technology's one-page sheet as PDF bytes: story, figures, TRL, IP, contact and a QR."""
    organisation = _("CoE Battery Technology-Transfer Portal")
    pdf = _Sheet(_("%(org)s · printed %(day)s", org=organisation, day=format_date(local_today())))
    pdf.set_title(technology.title)
    pdf.set_author(organisation)
    pdf.add_page()
    qr_size = 32
    pdf.image(_qr_png(page_url), x=pdf.w - pdf.r_margin - qr_size, y=14, w=qr_size)

    pdf.set_font(FONT, "", 8.5)
    pdf.set_text_color(*MUTED)
    tags = " · ".join(
        [
            catalog_label("chemistry", technology.chemistry),
            catalog_label("category", technology.category),
        ]
    )
    pdf.multi_cell(pdf.epw - qr_size - 4, 5, tags.upper(), new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(*INK)
    pdf.set_font(FONT, "B", 17)
    pdf.multi_cell(pdf.epw - qr_size - 4, 8, technology.title, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1)
    pdf.set_font(FONT, "", 10.5)
    pdf.multi_cell(
        pdf.epw - qr_size - 4, 5.5, technology.summary, align="L", new_x="LMARGIN", new_y="NEXT"
    )
    pdf.set_y(max(pdf.get_y(), 14 + qr_size + 2))

    pdf.heading(_("Readiness"))
    pdf.paragraph(
        _("TRL %(n)d of 9: %(meaning)s", n=technology.trl, meaning=trl_meaning(technology.trl))
    )
    if figures := key_figures(technology):
        pdf.heading(_("Key figures"))
        pdf.pairs(figures)
    for title, text in (
        (_("The problem it solves"), technology.problem),
        (_("How it beats current practice"), technology.advantage),
        (_("Where it applies"), technology.applications_text),
    ):
        if text:
            pdf.heading(title)
            pdf.paragraph(_plain(text), size=9.5)
    pdf.heading(_("IP and licensing"))
    pdf.pairs(_ip_rows(technology, list(patents)))
    pdf.heading(_("Contact"))
    contact = [part for part in (technology.contact_name, technology.contact_email) if part]
    pdf.paragraph(" · ".join(contact) or organisation)
    pdf.set_font(FONT, "", 8.5)
    pdf.set_text_color(*ACCENT)
    pdf.cell(0, 6, page_url, link=page_url, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def _plain(markdown_text: str, limit: int = 700) -> str:
    """Markdown as plain text (list items as bullets), cut at a word so the sheet stays one page."""
    lines = []
    for raw in markdown_text.splitlines():
        line = " ".join(raw.replace("**", "").replace("#", "").replace("`", "").split())
        if line[:2] in ("- ", "* "):
            line = "• " + line[2:]
        if line:
            lines.append(line)
    text = "\n".join(lines)
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0] + " …"
