"""Certificates of participation and awards as PDF, Arabic shaped and laid out right to left.

They are issued through the shared engine ``lms.certificates`` (a row with a public verification code,
rendered by fpdf2 with HarfBuzz shaping). When that area is absent, the Idarathon draws them itself with
the same technique (``participation_pdf``/``award_pdf`` below).
"""
from __future__ import annotations

from pathlib import Path

from flask import make_response

from lms.core.i18n import _, force_locale, format_date, localized, text_direction

from .scoring import AWARD_TITLES

FONT_DIRS = [Path("/usr/share/fonts/truetype/noto"), Path("/usr/share/fonts/truetype/dejavu")]
FONTS = {"arabic": ["NotoNaskhArabic-Regular.ttf", "NotoSansArabic-Regular.ttf"],
         "arabic-bold": ["NotoNaskhArabic-Bold.ttf", "NotoSansArabic-Bold.ttf"],
         "latin": ["NotoSans-Regular.ttf", "DejaVuSans.ttf"]}


def _font(candidates: list[str]) -> str:
    for directory in FONT_DIRS:
        for name in candidates:
            if (directory / name).exists():
                return str(directory / name)
    raise RuntimeError(f"no font found among {candidates}")


def _new_pdf():
    from fpdf import FPDF

    pdf = FPDF(orientation="L", format="A4")
    pdf.set_auto_page_break(False)
    pdf.add_font("arabic", fname=_font(FONTS["arabic"]))
    pdf.add_font("arabic", style="B", fname=_font(FONTS["arabic-bold"]))
    pdf.add_font("latin", fname=_font(FONTS["latin"]))
    pdf.set_fallback_fonts(["latin"])  # Latin names and digits inside Arabic lines
    pdf.add_page()
    return pdf


def _draw(title: str, lines: list[tuple[str, int, bool]], language: str) -> bytes:
    pdf = _new_pdf()
    direction = text_direction(language)
    pdf.set_text_shaping(use_shaping_engine=True, direction=direction,
                         script="arab" if language == "ar" else "latn", language="ara" if language == "ar" else None)
    pdf.set_draw_color(12, 95, 79)
    pdf.set_line_width(1.5)
    pdf.rect(10, 10, pdf.w - 20, pdf.h - 20)
    pdf.set_line_width(0.4)
    pdf.rect(14, 14, pdf.w - 28, pdf.h - 28)
    pdf.set_y(32)
    pdf.set_font("arabic", "B", 30)
    pdf.set_text_color(12, 95, 79)
    pdf.cell(0, 18, title, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(20, 20, 20)
    pdf.ln(6)
    for text, size, bold in lines:
        pdf.set_font("arabic", "B" if bold else "", size)
        pdf.multi_cell(0, size * 0.6, text, align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(3)
    return bytes(pdf.output())


def participation_pdf(edition, user, team) -> bytes:
    language = user.preferred_language or "ar"
    with force_locale(language):
        lines = [(_("This certifies that"), 16, False), (user.display_name, 24, True),
                 (_("took part in %(edition)s with the team “%(team)s”.", edition=localized(edition.title, language),
                    team=team.name), 16, False)]
        if team.challenge is not None:
            lines.append((_("Challenge: %(title)s", title=localized(team.challenge.title, language)), 14, False))
        lines.append((format_date(edition.submission_deadline, "long"), 12, False))
        return _draw(_("Certificate of participation"), lines, language)


def award_pdf(edition, user, team, result) -> bytes:
    language = user.preferred_language or "ar"
    with force_locale(language):
        lines = [(str(AWARD_TITLES[result.award]), 22, True),
                 (_("awarded to the team “%(team)s”", team=team.name), 16, False),
                 (", ".join(m.user.display_name for m in team.members), 15, False),
                 (_("Challenge: %(title)s", title=localized(team.challenge.title, language)), 14, False),
                 (localized(edition.title, language), 14, False),
                 (format_date(edition.results_published_at, "long"), 12, False)]
        return _draw(_("Idarathon award"), lines, language)


def _shared_engine():
    try:
        from lms.certificates import services as engine
    except ModuleNotFoundError as error:
        if not (error.name or "").startswith("lms.certificates"):
            raise
        return None
    return engine


LANGUAGES = ("ar", "fr", "en")


def participation_certificate(edition, user, team) -> bytes:
    engine = _shared_engine()
    if engine is None:
        return participation_pdf(edition, user, team)
    subject = {lang: f"{localized(edition.title, lang)} — {team.name}" for lang in LANGUAGES}
    certificate = engine.issue_certificate(user, "idarathon", subject,
                                           source_key=f"idarathon:{edition.id}:participation")
    return engine.render_pdf(certificate)


def award_certificate(edition, user, team, result) -> bytes:
    engine = _shared_engine()
    if engine is None:
        return award_pdf(edition, user, team, result)
    subject = {}
    for lang in LANGUAGES:
        with force_locale(lang):
            subject[lang] = " — ".join([str(AWARD_TITLES[result.award]), localized(team.challenge.title, lang),
                                        localized(edition.title, lang), team.name])
    certificate = engine.issue_certificate(user, "idarathon", subject, source_key=f"idarathon:{edition.id}:award")
    return engine.render_pdf(certificate)


def pdf_response(data: bytes, filename: str):
    response = make_response(data)
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
