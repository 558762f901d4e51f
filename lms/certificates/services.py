"""Issue certificates and render them as PDF (fpdf2 + HarfBuzz shaping for Arabic, right-to-left).

The PDF is rendered on demand from the row (deterministic), so a corrected name or title never leaves an
outdated file behind. Fonts come from Debian packages: ``fonts-noto-core`` (Noto Naskh Arabic) and
``fonts-dejavu-core`` (DejaVu Sans, for Latin text); CERTIFICATE_FONT_DIRS overrides where to look.
"""
from __future__ import annotations

import secrets
from pathlib import Path

from flask import current_app, url_for
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from lms.core.db import db, utcnow
from lms.core.i18n import _, force_locale, format_date, localized, text_direction

from .models import Certificate

import logging

logging.getLogger("fontTools").setLevel(logging.WARNING)  # subsetting chatter at INFO

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: codes are typed by people
FONT_DIRS = ["/usr/share/fonts/truetype/noto", "/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/truetype"]
ARABIC_FONT = "NotoNaskhArabic-Regular.ttf"
ARABIC_BOLD_FONT = "NotoNaskhArabic-Bold.ttf"
LATIN_FONT = "DejaVuSans.ttf"
LATIN_BOLD_FONT = "DejaVuSans-Bold.ttf"


class FontMissing(RuntimeError):
    pass


def new_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(12))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def issue_certificate(user, kind: str, subject_title: dict | str, *, course_id: int | None = None,
                      source_key: str | None = None, details: dict | None = None,
                      language: str | None = None) -> Certificate:
    """Issue (once per ``source_key``) a certificate to ``user`` for ``subject_title``. Flush only."""
    if source_key is not None:
        existing = db.session.scalar(select(Certificate).where(Certificate.user_id == user.id,
                                                               Certificate.source_key == source_key))
        if existing is not None:
            return existing
    title = {"ar": subject_title, "fr": subject_title} if isinstance(subject_title, str) else dict(subject_title)
    for _attempt in range(5):
        certificate = Certificate(code=new_code(), user_id=user.id, kind=kind, subject_title=title,
                                  source_key=source_key, course_id=course_id, holder_name=user.display_name,
                                  language=language or getattr(user, "preferred_language", None) or "ar",
                                  details=details or {}, issued_at=utcnow())
        try:
            with db.session.begin_nested():
                db.session.add(certificate)
            return certificate
        except IntegrityError:
            if source_key is not None:
                existing = db.session.scalar(select(Certificate).where(Certificate.user_id == user.id,
                                                                       Certificate.source_key == source_key))
                if existing is not None:
                    return existing
    raise RuntimeError("could not allocate a certificate code")


def find_by_code(code: str) -> Certificate | None:
    code = (code or "").strip().upper()
    if len(code) == 12 and "-" not in code:
        code = f"{code[:4]}-{code[4:8]}-{code[8:]}"
    return db.session.scalar(select(Certificate).where(Certificate.code == code))


def certificates_of(user) -> list[Certificate]:
    return list(db.session.scalars(select(Certificate).where(Certificate.user_id == user.id,
                                                             Certificate.revoked_at.is_(None))
                                   .order_by(Certificate.issued_at.desc())))


def find_font(name: str) -> str:
    dirs = current_app.config.get("CERTIFICATE_FONT_DIRS") or FONT_DIRS
    for folder in dirs:
        for path in Path(folder).rglob(name):
            return str(path)
    raise FontMissing(f"font {name} not found in {dirs}: install the Debian packages fonts-noto-core "
                      "and fonts-dejavu-core")


KIND_TITLES = {
    "course": lambda: _("Certificate of completion"),
    "training": lambda: _("Certificate of attendance"),
    "idarathon": lambda: _("Certificate of participation"),
}


def render_pdf(certificate: Certificate, language: str | None = None) -> bytes:
    """The certificate in the holder's language (Arabic: right-to-left, shaped by HarfBuzz)."""
    from fpdf import FPDF

    language = language or certificate.language
    with force_locale(language):
        direction = text_direction(language)
        heading = KIND_TITLES.get(certificate.kind, KIND_TITLES["course"])()
        lines = [
            ("title", heading),
            ("text", _("This certifies that")),
            ("name", certificate.holder_name),
            ("text", _("has successfully completed") if certificate.kind == "course" else _("took part in")),
            ("subject", localized(certificate.subject_title, language)),
        ]
        for label, value in (certificate.details or {}).items():
            if label == "grade" and value:
                lines.append(("text", _("Grade: %(grade)s", grade=value)))
        lines.append(("text", _("Issued on %(date)s", date=format_date(certificate.issued_at, "long"))))
        verify_url = url_for("certificates.verify", code=certificate.code, _external=True)
        footer = [_("Verification code: %(code)s", code=certificate.code), verify_url]
        site = _("e-TAMKEEN programme — Ministry of Digital Transition and Administrative Reform")

    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.set_title(str(heading))
    pdf.set_author(current_app.config.get("SITE_NAME", "Tamkeen"))
    pdf.set_creator("Tamkeen LMS")
    pdf.add_font("Naskh", fname=find_font(ARABIC_FONT))
    pdf.add_font("Naskh", style="B", fname=find_font(ARABIC_BOLD_FONT))
    pdf.add_font("DejaVu", fname=find_font(LATIN_FONT))
    pdf.add_font("DejaVu", style="B", fname=find_font(LATIN_BOLD_FONT))
    base = "Naskh" if direction == "rtl" else "DejaVu"
    pdf.set_fallback_fonts(["DejaVu" if base == "Naskh" else "Naskh"], exact_match=False)
    pdf.set_text_shaping(use_shaping_engine=True, direction=direction)
    pdf.set_auto_page_break(False)
    pdf.add_page()
    # Frame
    pdf.set_draw_color(11, 93, 75)
    pdf.set_line_width(1.5)
    pdf.rect(10, 10, 277, 190)
    pdf.set_line_width(0.4)
    pdf.rect(14, 14, 269, 182)
    pdf.set_text_color(8, 63, 51)
    pdf.set_y(28)
    sizes = {"title": (30, "B"), "text": (15, ""), "name": (26, "B"), "subject": (20, "B")}
    for kind, text in lines:
        size, style = sizes[kind]
        pdf.set_font(base, style=style, size=size)
        pdf.set_text_color(8, 63, 51) if kind in ("title", "name") else pdf.set_text_color(29, 35, 39)
        pdf.multi_cell(w=0, h=size * 0.6, text=str(text), align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(4)
    pdf.set_y(168)
    pdf.set_font(base, size=10)
    pdf.set_text_color(80, 87, 94)
    for text in footer:
        pdf.set_text_shaping(use_shaping_engine=True, direction=direction if text is footer[0] else "ltr")
        pdf.cell(w=0, h=6, text=str(text), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_shaping(use_shaping_engine=True, direction=direction)
    pdf.cell(w=0, h=6, text=str(site), align="C", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
