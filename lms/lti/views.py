"""LTI HTTP handlers: thin — parse, call the launch/provisioning services, render or redirect."""
from __future__ import annotations

from datetime import timedelta

from flask import (abort, current_app, flash, jsonify, make_response, redirect, render_template, request, session,
                   url_for)
from flask_login import current_user, login_user
from sqlalchemy import select
from werkzeug.routing import BuildError

from lms.core.db import db, utcnow
from lms.core.i18n import _
from lms.core.permissions import require
from lms.courses.models import Activity, Course, Section

from . import keys, lti11, registration
from .contexts import landing_section, record_cohort
from .launch import (LTI, LaunchRejected, NeedsPlatformStorage, TamkeenMessageLaunch, cookie_options, start_login,
                     state_cookie_name, tool_url)
from .models import LtiConsumer, LtiContext, LtiLaunch, LtiPlatform
from .provisioning import (enrol, link_user, remember_grade_target, target_from, upsert_context,
                           upsert_resource_link)
from .roles import course_role_for

DL = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"
EMBED_KEY = "lti_embedded"


# -- OIDC login and launch ----------------------------------------------------------------------------------
def login():
    params = request.values
    login_state, auth_url, secret = start_login(params)
    if login_state.storage_target:
        # Cookies may be blocked in the platform iframe: also keep the secret in the platform's storage.
        response = make_response(render_template(
            "lti/platform_storage.html", mode="put", auth_url=auth_url, key=f"tamkeen-state-{login_state.state}",
            value=secret, target=login_state.storage_target, origin=login_state.storage_origin))
    else:
        response = redirect(auth_url, code=302)
    response.set_cookie(state_cookie_name(login_state.state), secret, max_age=600, path="/lti/", **cookie_options())
    return response


def launch():
    message = TamkeenMessageLaunch(request.form)
    try:
        message.validate()
    except NeedsPlatformStorage as need:
        state = need.login_state
        return render_template("lti/platform_storage.html", mode="get", key=f"tamkeen-state-{state.state}",
                               target=state.storage_target, origin=state.storage_origin,
                               action=url_for("lti.launch"), id_token=request.form["id_token"],
                               state=state.state)
    claims = message.claims
    platform = message.platform
    user = link_user(platform.issuer, str(claims["sub"]), name=claims.get("name") or " ".join(
        filter(None, [claims.get("given_name"), claims.get("family_name")])), email=claims.get("email"),
        language=(claims.get(LTI + "launch_presentation") or {}).get("locale"), platform_id=platform.id)
    role = course_role_for(claims.get(LTI + "roles") or [], platform.role_map)
    # Sign in only once nothing can refuse the launch any more: a refusal rolls the new account back, and a
    # session naming a rolled-back id could later point at someone else's account.
    if message.message_type == "LtiDeepLinkingRequest":
        if role != "instructor":
            raise LaunchRejected(_("Only instructors can choose Tamkeen content for the platform."),
                                 "lti_deep_link_forbidden", 403)
        record = message.save(user.id)
        _sign_in(user)
        return redirect(url_for("lti.deep_link_choose", launch_id=record.launch_id))

    course, activity = target_from(claims.get(LTI + "custom"), claims.get(LTI + "target_link_uri"))
    context_claim = claims.get(LTI + "context")
    resource_claim = claims.get(LTI + "resource_link")
    context = upsert_context(platform.id, context_claim, course, claims)
    if course is None and context is not None and context.course_id:
        course = db.session.get(Course, context.course_id)
    link = upsert_resource_link(platform.id, resource_claim, context, course, activity, claims)
    if activity is None and link is not None and link.activity_id:
        activity = db.session.get(Activity, link.activity_id)
        course = activity.course if activity else course
    if course is None and link is not None and link.course_id:
        course = db.session.get(Course, link.course_id)
    if course is None and platform.default_course_id:
        course = db.session.get(Course, platform.default_course_id)
    if course is None:
        raise LaunchRejected(_("This link is not connected to a Tamkeen course yet. An instructor of the platform "
                               "must choose the course or activity (Deep Linking) first."), "lti_no_target", 404)
    if context is not None and context.course_id is None:
        context.course_id = course.id
    enrolment = enrol(course, user, role)
    record_cohort(enrolment, context)
    if activity is not None and resource_claim:
        ags = claims.get("https://purl.imsglobal.org/spec/lti-ags/claim/endpoint") or {}
        remember_grade_target(user, activity, source_key=f"p{platform.id}", resource_link_id=str(resource_claim["id"]),
                              platform_id=platform.id, sub=str(claims["sub"]), lineitem_url=ags.get("lineitem"))
    if context is not None and context.memberships_url and role == "instructor":
        from .services import enqueue_roster_sync

        enqueue_roster_sync(context)
    landing = landing_url(course, activity, landing_section(context, course) if activity is None else None)
    record = message.save(user.id, landing)
    _sign_in(user)
    if message.form.get("lti_storage_checked"):
        # Verified through the platform's storage: this iframe keeps no cookie, so no session either.
        return render_template("lti/continue.html", launch_id=record.launch_id, course=course, activity=activity)
    return redirect(landing)


def _sign_in(user) -> None:
    login_user(user)
    session[EMBED_KEY] = True


def landing_url(course: Course, activity: Activity | None, section: Section | None = None) -> str:
    """The course page, the section the platform context is linked to, or the activity's player; the
    courses area's pages when they exist."""
    if activity is None and section is not None:
        return url_for("lti.show_section", section_id=section.id)
    if activity is not None:
        if "courses.view_activity" in current_app.view_functions:
            try:
                return activity.type.launch_url(activity)
            except (LookupError, BuildError):
                pass
        return url_for("lti.show_activity", activity_id=activity.id)
    if "courses.view_course" in current_app.view_functions:
        for kwargs in ({"course_id": course.id}, {"shortname": course.shortname}):
            try:
                return url_for("courses.view_course", **kwargs)
            except BuildError:
                continue
    return url_for("lti.show_course", course_id=course.id)


def continue_launch(launch_id: str):
    """Open the launch in a new window (first-party cookies) when the iframe cannot keep a session."""
    record = db.session.scalar(select(LtiLaunch).where(LtiLaunch.launch_id == launch_id))
    if record is None or not record.via_platform_storage or record.continued_at is not None \
            or record.expires_at < utcnow() or not record.user_id or not record.landing_url:
        abort(404)
    if record.created_at < utcnow() - timedelta(minutes=5):
        abort(404)
    record.continued_at = utcnow()
    from lms.accounts.models import User

    _sign_in(db.session.get(User, record.user_id))
    session[EMBED_KEY] = False
    return redirect(record.landing_url)


def canvas_configuration():
    """Canvas developer key "Enter URL" / "Paste JSON" configuration."""
    from .registration import SCOPES

    launch_url = tool_url("/lti/launch")
    domain = tool_urls()["domain"]
    placements = [
        {"placement": placement, "message_type": message_type, "target_link_uri": launch_url,
         "text": current_app.config.get("SITE_NAME") or "Tamkeen"}
        for placement, message_type in (("link_selection", "LtiDeepLinkingRequest"),
                                         ("assignment_selection", "LtiDeepLinkingRequest"),
                                         ("course_navigation", "LtiResourceLinkRequest"))]
    return jsonify({
        "title": current_app.config.get("SITE_NAME") or "Tamkeen",
        "description": "Tamkeen LMS: courses, SCORM and cmi5 activities",
        "oidc_initiation_url": tool_url("/lti/login"),
        "target_link_uri": launch_url,
        "public_jwk_url": tool_url("/lti/jwks"),
        "scopes": SCOPES,
        "extensions": [{"platform": "canvas.instructure.com", "domain": domain, "privacy_level": "public",
                        "settings": {"placements": placements}}],
        "custom_fields": {},
    })


def jwks():
    response = jsonify(keys.jwks())
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


# -- pages a launch lands on when the courses area offers none ------------------------------------------------
def show_course(course_id: int):
    course = db.get_or_404(Course, course_id)
    require("course.participate", course)
    return render_template("lti/course.html", course=course, activity_url=_activity_url)


def show_section(section_id: int):
    """Where a platform course linked to one section of a Tamkeen course lands."""
    section = db.get_or_404(Section, section_id)
    course = section.course
    require("course.participate", course)
    if not section.visible:
        abort(404)
    return render_template("lti/section.html", course=course, section=section, activity_url=_activity_url,
                           course_url=landing_url(course, None))


def _activity_url(activity: Activity) -> str:
    return landing_url(activity.course, activity)


def show_activity(activity_id: int):
    activity = db.get_or_404(Activity, activity_id)
    require("course.participate", activity.course)
    if not activity.visible or not activity.is_available():
        abort(404)
    from lms.courses.results import record_view

    record_view(activity, current_user)
    try:
        activity_type = activity.type
    except LookupError:
        activity_type = None
    inline = activity_type.view(activity) if activity_type is not None else None
    if inline is not None:
        return inline
    return render_template("lti/activity.html", activity=activity)


# -- Deep Linking 2.0 --------------------------------------------------------------------------------------------
def _deep_link_launch(launch_id: str) -> LtiLaunch:
    record = db.session.scalar(select(LtiLaunch).where(LtiLaunch.launch_id == launch_id))
    if record is None or record.expires_at < utcnow() or record.deep_link_done_at is not None:
        abort(404)
    if record.data.get(LTI + "message_type") != "LtiDeepLinkingRequest":
        abort(404)
    if current_user.is_authenticated and record.user_id != current_user.id:
        abort(403)
    return record


def deep_link_choose(launch_id: str):
    record = _deep_link_launch(launch_id)
    query = select(Course).order_by(Course.shortname)
    if not (current_user.is_authenticated and current_user.is_administrator):
        query = query.where(Course.visible.is_(True))  # what the catalogue shows
    courses = list(db.session.scalars(query))
    settings = record.data.get(DL) or {}
    return render_template("lti/deep_link.html", record=record, courses=courses,
                           accept_multiple=str(settings.get("accept_multiple", "true")).lower() != "false")


def deep_link_submit(launch_id: str):
    from .deep_linking import build_response

    record = _deep_link_launch(launch_id)
    platform = db.session.get(LtiPlatform, record.platform_id)
    if platform is None or not platform.active:
        from .platforms import refuse_if_inactive

        refuse_if_inactive(platform.issuer if platform else None, [platform.client_id if platform else None])
        abort(404)
    chosen = request.form.getlist("item")
    if not chosen:
        flash(_("Choose at least one course or activity."), "error")
        return redirect(url_for("lti.deep_link_choose", launch_id=launch_id))
    return_url, token = build_response(platform, record.data, chosen)
    record.deep_link_done_at = utcnow()
    return render_template("lti/deep_link_return.html", return_url=return_url, token=token)


# -- LTI 1.1 -------------------------------------------------------------------------------------------------------
def lti11_launch():
    from .lti11_provision import provision_lti11

    consumer = lti11.verify_launch(request.form, lti11.request_url())
    user, course, activity = provision_lti11(consumer, request.form)
    _sign_in(user)
    return redirect(landing_url(course, activity))


# -- administration --------------------------------------------------------------------------------------------------
def admin():
    require("lti.manage")
    platforms = list(db.session.scalars(select(LtiPlatform).order_by(LtiPlatform.issuer, LtiPlatform.client_id)))
    contexts = list(db.session.scalars(select(LtiContext).order_by(LtiContext.id.desc()).limit(100)))
    consumers = list(db.session.scalars(select(LtiConsumer).order_by(LtiConsumer.key)))
    from .forms import ConsumerForm, PlatformForm, SimpleForm

    platform_form, consumer_form = PlatformForm(prefix="p"), ConsumerForm(prefix="c")
    context_form = _context_form(prefix="x")
    return render_template("lti/admin.html", platforms=platforms, consumers=consumers, contexts=contexts,
                           tool=tool_urls(), context_form=context_form,
                           platform_form=platform_form, consumer_form=consumer_form, simple_form=SimpleForm(),
                           invite_url=session.pop("lti_invite_url", None), current_key=keys.current_key())


# -- administration: editing and deactivating platforms ------------------------------------------------------------
def _course_choices(blank: str | None = None) -> list[tuple[int, str]]:
    choices = [(0, blank)] if blank is not None else []
    for course in db.session.scalars(select(Course).order_by(Course.shortname)):
        choices.append((course.id, f"{course.shortname} — {course.display_title}"))
    return choices


def _section_choices() -> dict[str, list[tuple[int, str]]]:
    from sqlalchemy.orm import selectinload

    groups: dict[str, list[tuple[int, str]]] = {_("Whole course"): [(0, _("The whole course"))]}
    for course in db.session.scalars(select(Course).options(selectinload(Course.sections))
                                     .order_by(Course.shortname)):
        if course.sections:
            groups[course.shortname] = [(section.id, section.display_title or _("Section %(n)d", n=index))
                                        for index, section in enumerate(course.sections, start=1)]
    return groups


def _context_form(context: LtiContext | None = None, **kwargs):
    from .forms import ContextLinkForm

    form = ContextLinkForm(**kwargs)
    form.platform.choices = [(p.id, f"{p.name} ({p.client_id})") for p in
                             db.session.scalars(select(LtiPlatform).order_by(LtiPlatform.name, LtiPlatform.id))]
    form.course.choices = _course_choices()
    form.section.choices = _section_choices()
    if context is not None and request.method == "GET":
        form.platform.data = context.platform_id
        form.context_id.data = context.context_id
        form.course.data = context.course_id or 0
        form.section.data = context.section_id or 0
        form.cohort.data = context.cohort or ""
    return form


def admin_edit_platform(platform_id: int):
    require("lti.manage")
    from lms.core.errors import DomainError

    from .forms import ActiveForm, PlatformEditForm
    from .platforms import format_role_map, parse_role_map, update_platform

    platform = db.get_or_404(LtiPlatform, platform_id)
    form = PlatformEditForm()
    form.default_course.choices = _course_choices(blank=_("None"))
    if request.method == "GET":
        form.name.data = platform.name
        form.auth_url.data = platform.auth_login_url
        form.token_url.data = platform.auth_token_url
        form.jwks_url.data = platform.jwks_url
        form.audience.data = platform.auth_audience or ""
        form.deployment_ids.data = "\n".join(d.deployment_id for d in platform.deployments)
        form.role_map.data = format_role_map(platform.role_map)
        form.default_course.data = platform.default_course_id or 0
    elif form.validate_on_submit():
        try:
            update_platform(platform, name=form.name.data.strip(), auth_login_url=form.auth_url.data.strip(),
                            auth_token_url=form.token_url.data.strip(), jwks_url=form.jwks_url.data.strip(),
                            auth_audience=(form.audience.data or "").strip() or None,
                            deployment_ids=(form.deployment_ids.data or "").replace(",", "\n").splitlines(),
                            role_map=parse_role_map(form.role_map.data),
                            default_course_id=form.default_course.data or None)
        except DomainError as error:
            flash(error.message, "error")
        else:
            flash(_("The platform registration is saved."), "success")
            return redirect(url_for("lti.admin"))
    else:
        flash(_("Please fill in every field of the platform with valid URLs."), "error")
    return render_template("lti/platform_edit.html", platform=platform, form=form, active_form=ActiveForm()), \
        (200 if request.method == "GET" else 400)


def admin_platform_active(platform_id: int):
    require("lti.manage")
    from .forms import ActiveForm
    from .platforms import set_platform_active

    platform = db.get_or_404(LtiPlatform, platform_id)
    form = ActiveForm()
    if not form.validate_on_submit() or form.active.data not in ("0", "1"):
        abort(400)
    set_platform_active(platform, form.active.data == "1")
    if platform.active:
        flash(_("The platform %(name)s is active again: its launches are accepted.", name=platform.name), "success")
    else:
        flash(_("The platform %(name)s is deactivated: its launches are refused.", name=platform.name), "success")
    return redirect(url_for("lti.admin"))


# -- administration: platform courses → course, section, cohort ------------------------------------------------------
def _save_context_link(form, context: LtiContext | None):
    from lms.core.errors import DomainError

    from .contexts import link_context, update_link

    course = db.session.get(Course, form.course.data) if form.course.data else None
    section = db.session.get(Section, form.section.data) if form.section.data else None
    if course is None:
        flash(_("Choose a Tamkeen course."), "error")
        return False
    try:
        if context is None:
            platform = db.get_or_404(LtiPlatform, form.platform.data)
            link_context(platform, form.context_id.data, course, section=section, cohort=form.cohort.data)
        else:
            update_link(context, course, section=section, cohort=form.cohort.data)
    except DomainError as error:
        flash(error.message, "error")
        return False
    flash(_("The platform course is linked."), "success")
    return True


def admin_link_context():
    require("lti.manage")
    form = _context_form(prefix="x")
    if not form.validate_on_submit():
        flash(_("Choose a platform, a platform course id and a Tamkeen course."), "error")
    else:
        _save_context_link(form, None)
    return redirect(url_for("lti.admin"))


def admin_edit_context(context_id: int):
    require("lti.manage")
    context = db.get_or_404(LtiContext, context_id)
    form = _context_form(context)
    form.platform.render_kw = {"disabled": True}
    form.context_id.render_kw = {"readonly": True}
    if request.method == "POST":
        form.platform.data, form.context_id.data = context.platform_id, context.context_id
        if form.validate_on_submit() and _save_context_link(form, context):
            return redirect(url_for("lti.admin"))
        return render_template("lti/context_edit.html", context=context, form=form), 400
    return render_template("lti/context_edit.html", context=context, form=form)


def course_cohorts(course_id: int):
    """Enrolments of a course by the cohort they came through (a platform context's cohort tag)."""
    from .contexts import cohort_enrolments, cohorts_of_enrolments, course_cohorts as cohorts_of_course

    course = db.get_or_404(Course, course_id)
    require("course.view_reports", course)
    cohort = (request.args.get("cohort") or "").strip() or None
    enrolments = cohort_enrolments(course.id, cohort)
    return render_template("lti/cohorts.html", course=course, cohort=cohort, cohorts=cohorts_of_course(course.id),
                           enrolments=enrolments, tags=cohorts_of_enrolments([e.id for e in enrolments]))


def tool_urls() -> dict:
    return {
        "login": tool_url("/lti/login"),
        "launch": tool_url("/lti/launch"),
        "jwks": tool_url("/lti/jwks"),
        "deep_link": tool_url("/lti/launch"),
        "lti11": tool_url("/lti/1.1/launch"),
        "canvas_json": tool_url("/lti/canvas.json"),
        "domain": tool_url("/").split("://", 1)[1].rstrip("/"),
    }


def admin_add_platform():
    require("lti.manage")
    from .forms import PlatformForm
    from .platforms import register_platform

    form = PlatformForm(prefix="p")
    if form.validate_on_submit():
        register_platform(issuer=form.issuer.data.strip(), client_id=form.client_id.data.strip(),
                          auth_login_url=form.auth_url.data.strip(), auth_token_url=form.token_url.data.strip(),
                          jwks_url=form.jwks_url.data.strip(), name=form.name.data.strip(),
                          deployment_ids=[d.strip() for d in form.deployment_ids.data.split(",") if d.strip()])
        flash(_("The platform is registered."), "success")
    else:
        flash(_("Please fill in every field of the platform with valid URLs."), "error")
    return redirect(url_for("lti.admin"))


def admin_add_consumer():
    require("lti.manage")
    from .forms import ConsumerForm

    form = ConsumerForm(prefix="c")
    if form.validate_on_submit():
        registration.add_consumer(form.key.data.strip(), form.secret.data.strip(), name=form.name.data.strip())
        flash(_("The LTI 1.1 consumer is registered."), "success")
    else:
        flash(_("A key and a secret are required."), "error")
    return redirect(url_for("lti.admin"))


def admin_rotate_key():
    require("lti.manage")
    from .forms import SimpleForm

    if SimpleForm().validate_on_submit():
        keys.rotate()
        flash(_("A new signing key is in use; the previous one stays published until it is no longer needed."),
              "success")
    return redirect(url_for("lti.admin"))


def admin_invite():
    require("lti.manage")
    from .forms import SimpleForm

    if SimpleForm().validate_on_submit():
        session["lti_invite_url"] = registration.create_invite(current_user)
    return redirect(url_for("lti.admin"))


def sync_context(context_id: int):
    context = db.get_or_404(LtiContext, context_id)
    if context.course_id is None:
        abort(404)
    course = db.get_or_404(Course, context.course_id)
    require("course.enrol_others", course)
    from .forms import SimpleForm
    from .services import sync_roster

    if not SimpleForm().validate_on_submit():
        abort(400)
    count = sync_roster(context)
    flash(_("%(n)d members synchronised from the platform.", n=count), "success")
    return redirect(url_for("lti.admin") if current_user.is_administrator
                    else url_for("lti.show_course", course_id=course.id))


# -- Dynamic Registration -------------------------------------------------------------------------------------------
def dynamic_registration(token: str):
    openid_configuration = request.args.get("openid_configuration")
    if not openid_configuration:
        abort(400)
    platform = registration.dynamic_register(token, openid_configuration, request.args.get("registration_token"))
    return render_template("lti/registered.html", platform=platform)

