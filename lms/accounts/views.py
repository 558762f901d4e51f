"""Thin handlers: parse the form, call a service, render."""
from __future__ import annotations

from flask import current_app, flash, g, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select

from lms.core.db import db
from lms.core.errors import DomainError
from lms.core.i18n import _, force_locale, localized
from lms.core.mail import send_mail
from lms.core.urls import external_url
from lms.core.permissions import require
from lms.core.views import safe_next

from . import services
from .forms import AdministrationForm, LoginForm, PasswordChangeForm, ProfileForm, ResetForm, ResetRequestForm, UserCreateForm
from .models import Administration, AdministrationLevel, Gender, SiteRole, User


def _administration_choices():
    administrations = db.session.scalars(select(Administration).order_by(Administration.code)).all()
    items = [(a.id, localized(a.name)) for a in administrations]
    return [("", _("None"))] + sorted(items, key=lambda item: item[1])


def login():
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        try:
            user = services.authenticate(form.username.data, form.password.data)
        except services.LoginRefused as refused:
            g.commit_on_error = True  # keep the failure counter / lock
            form.password.errors = [refused.message]
            status = refused.status
        else:
            login_user(user, remember=form.remember.data)
            return redirect(safe_next(request.args.get("next"), url_for("core.home")))
    elif request.method == "POST":
        status = 400
    return render_template("accounts/login.html", form=form), status


def logout():
    logout_user()
    flash(_("You are signed out."), "info")
    return redirect(url_for("core.home"))


@login_required
def profile():
    form = ProfileForm(obj=current_user)
    form.administration_id.choices = _administration_choices()
    if request.method == "GET":
        form.gender.data = current_user.gender.value if current_user.gender else ""
    if form.validate_on_submit():
        current_user.full_name = form.full_name.data or ""
        current_user.email = (form.email.data or "").strip().lower() or None
        current_user.job_title = form.job_title.data or None
        current_user.preferred_language = form.preferred_language.data
        current_user.gender = Gender(form.gender.data) if form.gender.data else None
        administration_id = form.administration_id.data
        if administration_id is not None and db.session.get(Administration, administration_id) is None:
            form.administration_id.errors = [_("Unknown administration.")]
            return render_template("accounts/profile.html", form=form), 400
        current_user.administration_id = administration_id
        db.session.flush()
        flash(_("Your profile is saved."), "success")
        return redirect(url_for("accounts.profile"))
    return render_template("accounts/profile.html", form=form), (400 if request.method == "POST" else 200)


@login_required
def change_password():
    form = PasswordChangeForm()
    if form.validate_on_submit():
        try:
            services.change_password(current_user, form.current_password.data, form.new_password.data)
        except DomainError as error:
            form.current_password.errors = [error.message]
        else:
            login_user(current_user._get_current_object())  # the session carries the new password generation
            flash(_("Your password has been changed."), "success")
            return redirect(url_for("accounts.profile"))
    return render_template("accounts/password.html", form=form), (400 if request.method == "POST" else 200)


def reset_request():
    form = ResetRequestForm()
    if form.validate_on_submit():
        user = services.find_user(form.login.data)
        if user is not None and user.email:
            token = services.password_reset_token(user)
            link = external_url("accounts.reset_password", token=token)
            with force_locale(user.preferred_language):
                send_mail(user, _("Reset your Tamkeen password"),
                          _("Hello %(name)s,\n\nTo choose a new password, open this link within %(hours)s hours:\n%(link)s\n\n"
                            "If you did not ask for it, ignore this message.",
                            name=user.display_name, hours=current_app.config["PASSWORD_RESET_HOURS"], link=link))
        # Same answer whether the account exists or not.
        flash(_("If an account matches, a message with a reset link has been sent."), "info")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/reset_request.html", form=form)


def reset_password(token: str):
    user = services.user_from_reset_token(token)
    form = ResetForm()
    if form.validate_on_submit():
        services.set_password(user, form.new_password.data)
        flash(_("Your password has been changed. You can sign in."), "success")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/reset.html", form=form)


@login_required
def user_list():
    require("accounts.manage_users")
    query = select(User).order_by(User.username)
    if not current_user.is_administrator:
        ids = services.administration_subtree_ids(current_user.administration) if current_user.administration else []
        query = query.where(User.administration_id.in_(ids))
    page = max(1, request.args.get("page", 1, type=int))
    users = db.paginate(query, page=page, per_page=50)
    return render_template("accounts/users.html", users=users)


@login_required
def create_user_view():
    require("accounts.manage_users")
    form = UserCreateForm()
    form.administration_id.choices = _administration_choices()
    if not current_user.is_administrator:
        form.role.choices = [(r.value, r.title) for r in (SiteRole.learner, SiteRole.instructor)]
    if form.validate_on_submit():
        administration = db.session.get(Administration, form.administration_id.data) if form.administration_id.data else None
        if not current_user.is_administrator:
            administration = current_user.administration
        try:
            services.create_user(form.username.data, form.password.data, role=form.role.data, email=form.email.data,
                                 full_name=form.full_name.data or "", administration=administration,
                                 gender=form.gender.data or None)
        except DomainError as error:
            form.username.errors = [error.message]
        else:
            flash(_("The account has been created."), "success")
            return redirect(url_for("accounts.users"))
    return render_template("accounts/user_form.html", form=form), (400 if request.method == "POST" else 200)


@login_required
def administration_list():
    require("site.admin")
    roots = db.session.scalars(select(Administration).where(Administration.parent_id.is_(None))
                               .order_by(Administration.code)).all()
    counts = dict(db.session.execute(select(User.administration_id, db.func.count(User.id))
                                     .group_by(User.administration_id)).all())
    return render_template("accounts/administrations.html", roots=roots, counts=counts)


@login_required
def edit_administration(administration_id: int | None = None):
    from lms.core.storage import storage

    require("site.admin")
    administration = db.get_or_404(Administration, administration_id) if administration_id else None
    form = AdministrationForm()
    form.parent_id.choices = [("", _("None (top level)"))] + [
        (a.id, localized(a.name)) for a in db.session.scalars(select(Administration).order_by(Administration.code))
        if administration is None or a.id != administration.id]
    if request.method == "GET" and administration is not None:
        form.code.data = administration.code
        for lang in ("ar", "fr", "en"):
            getattr(form, f"name_{lang}").data = (administration.name or {}).get(lang, "")
        form.acronym.data = administration.acronym
        form.parent_id.data = administration.parent_id
        form.level.data = administration.level.value
    if form.validate_on_submit():
        parent = db.session.get(Administration, form.parent_id.data) if form.parent_id.data else None
        logo_digest = storage.put_blob(form.logo.data.stream) if form.logo.data else None
        try:
            services.save_administration(
                administration, code=form.code.data, acronym=form.acronym.data, parent=parent,
                name={lang: getattr(form, f"name_{lang}").data for lang in ("ar", "fr", "en")},
                level=AdministrationLevel(form.level.data), logo_digest=logo_digest)
        except DomainError as error:
            getattr(form, error.field or "code").errors = [error.message]
        else:
            flash(_("The administration is saved."), "success")
            return redirect(url_for("accounts.administrations"))
    return render_template("accounts/administration_form.html", form=form, administration=administration), \
        (400 if request.method == "POST" else 200)


def administration_logo(administration_id: int):
    from flask import abort

    from lms.core.storage import storage

    administration = db.get_or_404(Administration, administration_id)
    if not administration.logo_digest:
        abort(404)
    return storage.send_blob(administration.logo_digest)
