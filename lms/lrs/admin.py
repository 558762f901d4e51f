"""Operator pages: recent statements with filters, one statement, and LRS credentials."""
from __future__ import annotations

import json
from datetime import datetime, time, timezone

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import login_required
from sqlalchemy import select

from lms.core.db import db
from lms.core.i18n import _
from lms.core.permissions import require

from . import permissions  # noqa: F401  (declares lrs.operate)
from .credentials import create_credential, revoke_credential
from .forms import CredentialForm, RevokeForm
from .models import Credential, Statement
from .store import build_query

bp = Blueprint("lrs", __name__, url_prefix="/admin/lrs", template_folder="templates", static_folder="static",
               static_url_path="/static/lrs")
PAGE_SIZE = 50


def _date(value: str | None, end: bool = False) -> datetime | None:
    if not value:
        return None
    try:
        day = datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        return None
    return datetime.combine(day, time.max if end else time.min, tzinfo=timezone.utc)


def _actor_filter(value: str):
    """An e-mail address, an IFI string (account:home|name) or a JSON agent."""
    value = value.strip()
    if not value:
        return None
    if value.startswith("{"):
        try:
            return json.loads(value)
        except ValueError:
            return None
    if "@" in value and ":" not in value:
        return "mbox:mailto:" + value
    if value.startswith("mailto:"):
        return "mbox:" + value
    return value


@bp.route("/statements")
@login_required
def statement_list():
    require("lrs.operate")
    filters = {name: request.args.get(name, "").strip() for name in ("actor", "verb", "activity", "since", "until")}
    after = request.args.get("before", type=int)
    query = build_query(agent=_actor_filter(filters["actor"]), verb=filters["verb"] or None,
                        activity=filters["activity"] or None, since=_date(filters["since"]),
                        until=_date(filters["until"], end=True), after_pk=after, include_voided=True)
    rows = db.session.execute(query.limit(PAGE_SIZE + 1)).all()
    has_more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    items = [{"pk": row.pk, "data": row.data} for row in rows]
    next_before = rows[-1].pk if has_more and rows else None
    return render_template("lrs/statements.html", items=items, filters=filters, next_before=next_before)


@bp.route("/statements/<statement_id>")
@login_required
def statement_detail(statement_id: str):
    require("lrs.operate")
    row = db.session.execute(select(Statement).where(Statement.statement_id == statement_id.lower())).scalar()
    if row is None:
        abort(404)
    pretty = json.dumps(row.data, ensure_ascii=False, indent=2, sort_keys=True)
    return render_template("lrs/statement.html", statement=row, data=row.data, pretty=pretty)


@bp.route("/credentials", methods=["GET", "POST"])
@login_required
def credential_list():
    require("lrs.operate")
    form = CredentialForm()
    created = None
    if form.validate_on_submit():
        key, secret = create_credential(form.name.data.strip(), form.scopes.data)
        created = {"key": key, "secret": secret}
        flash(_("Credentials created. Copy the secret now: it will not be shown again."), "success")
        form = CredentialForm(formdata=None)
    credentials = db.session.scalars(select(Credential).where(Credential.user_id.is_(None))
                                     .order_by(Credential.created_at.desc())).all()
    return render_template("lrs/credentials.html", form=form, credentials=credentials, created=created,
                           revoke_form=RevokeForm())


@bp.route("/credentials/<key>/revoke", methods=["POST"])
@login_required
def revoke_credential_view(key: str):
    require("lrs.operate")
    form = RevokeForm()
    if not form.validate_on_submit():
        abort(400)
    if revoke_credential(key):
        flash(_("Credentials revoked."), "success")
    else:
        flash(_("These credentials were already revoked."), "info")
    return redirect(url_for("lrs.credential_list"))


def init_jinja(app) -> None:
    @app.template_filter("xapi_display")
    def xapi_display(value) -> str:
        """A language map in the user's language (then any), or the IRI's last segment."""
        from lms.core.i18n import current_locale

        if isinstance(value, dict) and value:
            locale = str(current_locale())
            for key, text in value.items():
                if key.lower().split("-")[0] == locale:
                    return text
            return next(iter(value.values()))
        return ""

    @app.template_filter("xapi_agent")
    def xapi_agent(agent) -> str:
        if not isinstance(agent, dict):
            return ""
        if agent.get("name"):
            return agent["name"]
        if "mbox" in agent:
            return agent["mbox"].removeprefix("mailto:")
        if "account" in agent:
            return f"{agent['account'].get('name')} ({agent['account'].get('homePage')})"
        if "openid" in agent:
            return agent["openid"]
        if "mbox_sha1sum" in agent:
            return agent["mbox_sha1sum"]
        return _("Group of %(n)d", n=len(agent.get("member") or []))
