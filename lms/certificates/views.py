"""Certificate pages: my certificates, PDF download, public verification."""
from __future__ import annotations

from flask import abort, make_response, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from lms.core.db import db
from lms.core.permissions import can

from . import services
from .models import Certificate


@login_required
def my_certificates():
    return render_template("certificates/mine.html", certificates=services.certificates_of(current_user))


@login_required
def download(uuid: str):
    certificate = db.session.scalar(select(Certificate).where(Certificate.uuid == uuid))
    if certificate is None or certificate.revoked_at is not None:
        abort(404)
    if certificate.user_id != current_user.id and not can(current_user, "certificates.view_any", certificate):
        abort(403)
    language = request.args.get("lang") if request.args.get("lang") in ("ar", "fr", "en") else None
    pdf = services.render_pdf(certificate, language)
    response = make_response(pdf)
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = f'attachment; filename="certificate-{certificate.code}.pdf"'
    return response


def verify_form():
    code = (request.args.get("code") or "").strip()
    if code:
        return redirect(url_for("certificates.verify", code=code))
    return render_template("certificates/verify.html", certificate=None, code=None)


def verify(code: str):
    certificate = services.find_by_code(code)
    status = 200 if certificate is not None else 404
    return render_template("certificates/verify.html", certificate=certificate, code=code), status
