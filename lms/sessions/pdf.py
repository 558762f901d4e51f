"""The printable sign-in sheet of a session (fpdf2, HarfBuzz shaping: Arabic joined and right-to-left).

Certificates of attendance are rendered by the certificates area (``lms.certificates``); this sheet is the
only PDF of its own in this area. Fonts are the Debian Noto Naskh Arabic and DejaVu Sans.
"""
from __future__ import annotations

from flask import current_app

from lms.core.i18n import _, force_locale, localized, text_direction

from .services import when_text

FONT_DIRS = ["/usr/share/fonts/truetype/noto", "/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/truetype"]


def _font(name: str) -> str:
    try:  # one place decides where fonts live, when the certificates area is installed
        from lms.certificates.services import find_font

        return find_font(name)
    except ImportError:  # pragma: no cover
        from pathlib import Path

        for folder in FONT_DIRS:
            for path in Path(folder).rglob(name):
                return str(path)
        raise


def new_pdf(direction: str, orientation: str = "P"):
    from fpdf import FPDF

    pdf = FPDF(orientation=orientation, unit="mm", format="A4")
    pdf.set_creator("Tamkeen LMS")
    pdf.add_font("Naskh", fname=_font("NotoNaskhArabic-Regular.ttf"))
    pdf.add_font("Naskh", style="B", fname=_font("NotoNaskhArabic-Bold.ttf"))
    pdf.add_font("DejaVu", fname=_font("DejaVuSans.ttf"))
    pdf.add_font("DejaVu", style="B", fname=_font("DejaVuSans-Bold.ttf"))
    base = "Naskh" if direction == "rtl" else "DejaVu"
    pdf.set_fallback_fonts(["DejaVu" if base == "Naskh" else "Naskh"], exact_match=False)
    pdf.set_text_shaping(use_shaping_engine=True, direction=direction)
    pdf.base_font = base
    return pdf


def signin_sheet(session, rows, language: str) -> bytes:
    """``rows``: registrations of confirmed participants (with ``user``), printed in order."""
    with force_locale(language):
        direction = text_direction(language)
        event = session.event
        title = localized(event.title, language)
        heading = _("Sign-in sheet")
        when = when_text(session)
        place = session.location
        trainer = session.trainer.display_name if session.trainer else ""
        headers = ["#", _("Name"), _("Administration"), _("Signature")]
        labels = {"when": _("Date and time"), "place": _("Place"), "trainer": _("Trainer")}
        body = [(str(i), r.user.display_name, localized(r.user.administration.name, language)
                 if r.user.administration else "", "") for i, r in enumerate(rows, start=1)]

    pdf = new_pdf(direction)
    pdf.set_title(f"{heading} — {title}")
    pdf.set_author(current_app.config.get("SITE_NAME", "Tamkeen"))
    pdf.set_auto_page_break(True, margin=15)
    pdf.add_page()
    align = "R" if direction == "rtl" else "L"
    pdf.set_font(pdf.base_font, style="B", size=16)
    pdf.multi_cell(w=0, h=9, text=heading, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(pdf.base_font, style="B", size=13)
    pdf.multi_cell(w=0, h=8, text=title, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_font(pdf.base_font, size=10)
    for key, value in (("when", when), ("place", place), ("trainer", trainer)):
        if value:
            pdf.multi_cell(w=0, h=6, text=f"{labels[key]}: {value}", align=align, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    widths = [10, 70, 60, 50]
    order = list(range(4))
    if direction == "rtl":  # the first column sits at the right edge
        order.reverse()
    pdf.set_font(pdf.base_font, style="B", size=10)
    pdf.set_fill_color(238, 240, 236)
    for index in order:
        pdf.cell(w=widths[index], h=9, text=headers[index], border=1, align="C", fill=True)
    pdf.ln()
    pdf.set_font(pdf.base_font, size=10)
    for row in body or [("", "", "", "")]:
        for index in order:
            text = row[index]
            pdf.cell(w=widths[index], h=12, text=text[:48], border=1, align="C" if index == 0 else align)
        pdf.ln()
    return bytes(pdf.output())
