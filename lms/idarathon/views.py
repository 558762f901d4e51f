"""Thin handlers: load the objects named in the URL (404), check access (401/403), call a service, render."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from lms.accounts.models import Administration, User
from lms.accounts.services import find_user
from lms.core.db import db, utcnow
from lms.core.errors import DomainError
from lms.core.i18n import _, format_datetime, localized
from lms.core.permissions import can, require
from lms.core.storage import storage

from . import forms, scoring, services
from .challenge_types import FILE_KIND_TITLES, challenge_types
from .models import (PHASE_TITLES, Challenge, ChallengeResource, ChallengeStatus, DeadlineOverride, Edition,
                     JoinRequest, Question, RequestStatus, StaffRole, Submission, SubmissionFile, Team, TeamMember)
from .permissions import has_staff_role


def _render(template: str, **context):
    context.setdefault("phase_titles", PHASE_TITLES)
    if current_user.is_authenticated:
        context.setdefault("unread_notifications", services.unread_count(current_user))
    return render_template(f"idarathon/{template}", **context)


def _administration_choices():
    items = [(a.id, localized(a.name)) for a in db.session.scalars(select(Administration))]
    return [("", _("None"))] + sorted(items, key=lambda item: item[1])


def _bilingual(form, name: str) -> dict:
    value = {}
    for lang in ("ar", "fr"):
        field = getattr(form, f"{name}_{lang}", None)
        if field is not None and (field.data or "").strip():
            value[lang] = field.data.strip()
    return value


def _refused(error: DomainError, target: str):
    """A refused action in a POST handler: undo, tell the person why, go back (status kept for API clients)."""
    db.session.rollback()
    flash(error.message, "error")
    return redirect(target)


def _fail(form_field_or_none, error: DomainError):
    if form_field_or_none is not None:
        form_field_or_none.errors = list(form_field_or_none.errors or []) + [error.message]
    else:
        flash(error.message, "error")


# -- editions --------------------------------------------------------------------------------------------
def index():
    editions = list(db.session.scalars(select(Edition).order_by(Edition.year.desc(), Edition.id.desc())))
    now = utcnow()
    current = [e for e in editions if not e.results_visible(now)]
    archives = [e for e in editions if e.results_visible(now)]
    return _render("index.html", current=current, archives=archives, now=now)


def _edition_form_to_fields(form) -> dict:
    faq = []
    for line in (form.faq.data or "").splitlines():
        if "|" in line:
            q, a = (part.strip() for part in line.split("|", 1))
            faq.append({"q": {"ar": q}, "a": {"ar": a}})
    partners = []
    for line in (form.partners.data or "").splitlines():
        if line.strip():
            name, _sep, url = (part.strip() for part in line.partition("|"))
            safe = url if url.lower().startswith(("http://", "https://")) else None
            partners.append({"name": name, "url": safe})
    extensions = [e.strip().lower().lstrip(".") for e in (form.allowed_extensions.data or "").split(",") if e.strip()]
    fields = dict(theme=_bilingual(form, "theme"), description=_bilingual(form, "description") or None,
                  rules=_bilingual(form, "rules") or None, faq=faq, partners=partners,
                  team_min_size=form.team_min_size.data, team_max_size=form.team_max_size.data,
                  max_file_mb=form.max_file_mb.data, blind_scoring=form.blind_scoring.data,
                  conflict_same_administration=form.conflict_same_administration.data)
    if extensions:
        fields["allowed_extensions"] = extensions
    return fields


DATE_FIELDS = ("registration_opens_at", "registration_closes_at", "kickoff_at", "submission_deadline",
               "jury_starts_at", "jury_ends_at", "results_at")


@login_required
def create_edition():
    require("idarathon.create_edition")
    form = forms.EditionForm()
    if form.validate_on_submit():
        try:
            edition = services.create_edition(
                slug=form.slug.data.strip(), year=form.year.data, title=_bilingual(form, "title"),
                dates={name: forms.aware_utc(getattr(form, name).data) for name in DATE_FIELDS},
                created_by=current_user, **_edition_form_to_fields(form))
        except DomainError as error:
            _fail(getattr(form, error.field, None) if error.field else None, error)
        else:
            flash(_("The edition is created."), "success")
            return redirect(url_for("idarathon.edition", edition_id=edition.id))
    return _render("edition_form.html", form=form, edition=None), 400 if request.method == "POST" else 200


@login_required
def edit_edition(edition_id: int):
    edition = db.get_or_404(Edition, edition_id)
    require("idarathon.manage", edition)
    form = forms.EditionForm(obj=edition)
    if request.method == "GET":
        for name in ("title", "theme", "description", "rules"):
            for lang in ("ar", "fr"):
                getattr(form, f"{name}_{lang}").data = (getattr(edition, name) or {}).get(lang, "")
        form.faq.data = "\n".join(f"{localized(i['q'])} | {localized(i['a'])}" for i in edition.faq or [])
        form.partners.data = "\n".join(f"{p['name']} | {p.get('url') or ''}" for p in edition.partners or [])
        form.allowed_extensions.data = ", ".join(edition.allowed_extensions or [])
        for name in DATE_FIELDS:
            getattr(form, name).data = forms.local_naive(getattr(edition, name))
    if form.validate_on_submit():
        edition.year = form.year.data
        edition.title = _bilingual(form, "title")
        for name in DATE_FIELDS:
            setattr(edition, name, forms.aware_utc(getattr(form, name).data))
        for key, value in _edition_form_to_fields(form).items():
            setattr(edition, key, value)
        try:
            services.check_calendar(edition)
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "error")
        else:
            flash(_("The edition is saved."), "success")
            return redirect(url_for("idarathon.edition", edition_id=edition.id))
    return _render("edition_form.html", form=form, edition=edition)


def edition(edition_id: int):
    edition = db.get_or_404(Edition, edition_id)
    user = current_user if current_user.is_authenticated else None
    challenges = services.published_challenges(edition)
    context = dict(edition=edition, challenges=challenges, now=utcnow(),
                   participant=services.participant_of(edition, user), team=services.team_of(edition, user),
                   organisers=services.staff_of(edition, StaffRole.organiser),
                   mentors=services.staff_of(edition, StaffRole.mentor),
                   jury=services.staff_of(edition, StaffRole.jury),
                   is_organiser=bool(user) and can(user, "idarathon.manage", edition),
                   is_jury=bool(user) and has_staff_role(user, edition, StaffRole.jury),
                   results_visible=can(current_user, "idarathon.view_results", edition))
    context["mentored"] = list(db.session.scalars(select(Team).where(
        Team.edition_id == edition.id, Team.mentor_id == user.id).order_by(Team.name))) if user else []
    if context["is_organiser"]:
        context["proposed"] = list(db.session.scalars(select(Challenge).where(
            Challenge.edition_id == edition.id, Challenge.status != ChallengeStatus.published)))
    return _render("edition.html", **context)


@login_required
def staff(edition_id: int):
    edition = db.get_or_404(Edition, edition_id)
    require("idarathon.manage", edition)
    form = forms.StaffForm()
    if form.validate_on_submit():
        user = find_user(form.username.data)
        if user is None:
            form.username.errors = [_("No account has this username or e-mail address.")]
        else:
            try:
                services.add_staff(edition, user, StaffRole(form.role.data))
            except DomainError as error:
                _fail(form.username, error)
            else:
                flash(_("%(name)s is added to the team of the edition.", name=user.display_name), "success")
                return redirect(url_for("idarathon.staff", edition_id=edition.id))
    members = {role: services.staff_of(edition, role) for role in StaffRole}
    return _render("staff.html", edition=edition, form=form, members=members)


# -- participants ----------------------------------------------------------------------------------------
@login_required
def register(edition_id: int):
    edition = db.get_or_404(Edition, edition_id)
    require("idarathon.register", edition)
    if services.participant_of(edition, current_user) is not None:
        flash(_("You are already registered for this edition."), "info")
        return redirect(url_for("idarathon.edition", edition_id=edition.id))
    form = forms.RegistrationForm()
    form.administration_id.choices = _administration_choices()
    if request.method == "GET":
        form.administration_id.data = current_user.administration_id
        form.job_role.data = current_user.job_title or ""
    status = 200
    if form.validate_on_submit():
        try:
            services.register_participant(edition, current_user, job_role=form.job_role.data,
                                          skills=(form.skills.data or "").split(","),
                                          administration_id=form.administration_id.data,
                                          motivation=form.motivation.data or None)
        except DomainError as error:
            flash(error.message, "error")
            status = error.status
        else:
            flash(_("You are registered. Now create a team or join one."), "success")
            return redirect(url_for("idarathon.edition", edition_id=edition.id))
    elif request.method == "POST":
        status = 400
    return _render("register.html", edition=edition, form=form), status


# -- challenges ------------------------------------------------------------------------------------------
@login_required
def propose_challenge(edition_id: int):
    edition = db.get_or_404(Edition, edition_id)
    require("idarathon.propose_challenge", edition)
    form = forms.ChallengeForm()
    form.type_key.choices = [(key, kind.title) for key, kind in challenge_types.items()]
    form.administration_id.choices = _administration_choices()
    if request.method == "GET":
        form.administration_id.data = current_user.administration_id
        form.contact_name.data = current_user.display_name
        form.contact_email.data = current_user.email
    if form.validate_on_submit():
        challenge = services.propose_challenge(
            edition, current_user, title=_bilingual(form, "title"), context=_bilingual(form, "context"),
            expected_outcome=_bilingual(form, "outcome"), type_key=form.type_key.data,
            contact_name=form.contact_name.data, contact_email=form.contact_email.data or None,
            administration_id=form.administration_id.data)
        for upload in request.files.getlist(form.resources.name):
            if upload and upload.filename:
                services.add_resource(challenge, upload)
        key_file = request.files.get(form.answer_key.name)
        if key_file and key_file.filename:
            services.set_answer_key(challenge, key_file.read())
        flash(_("Thank you: the organisers will review the challenge."), "success")
        return redirect(url_for("idarathon.challenge", challenge_id=challenge.id))
    return _render("challenge_form.html", edition=edition, form=form)


def challenge(challenge_id: int):
    challenge = db.get_or_404(Challenge, challenge_id)
    require("idarathon.view_challenge", challenge)
    user = current_user if current_user.is_authenticated else None
    context = dict(challenge=challenge, edition=challenge.edition, kind=challenge.kind,
                   questions=services.questions_for(challenge, user),
                   can_ask=bool(user) and can(user, "idarathon.ask_question", challenge),
                   can_answer=bool(user) and can(user, "idarathon.answer_question", challenge),
                   can_review=bool(user) and can(user, "idarathon.manage", challenge.edition),
                   question_form=forms.QuestionForm(), answer_form=forms.AnswerForm(),
                   review_form=forms.ReviewForm(), jury_form=None)
    if context["can_review"]:
        jury_form = forms.AssignJuryForm()
        jury_form.user_id.choices = [(u.id, u.display_name)
                                     for u in services.staff_of(challenge.edition, StaffRole.jury)]
        context["jury_form"] = jury_form
        from .models import JuryAssignment

        context["jurors"] = [a.user for a in db.session.scalars(select(JuryAssignment).where(
            JuryAssignment.challenge_id == challenge.id))]
    return _render("challenge.html", **context)


def challenge_resource(challenge_id: int, resource_id: int):
    challenge = db.get_or_404(Challenge, challenge_id)
    require("idarathon.view_challenge", challenge)
    resource = db.get_or_404(ChallengeResource, resource_id)
    if resource.challenge_id != challenge.id:
        abort(404)
    return storage.send_blob(resource.digest, download_name=resource.filename, mimetype=resource.content_type,
                             as_attachment=True)


@login_required
def review_challenge(challenge_id: int):
    challenge = db.get_or_404(Challenge, challenge_id)
    require("idarathon.manage", challenge.edition)
    form = forms.ReviewForm()
    if form.validate_on_submit():
        services.review_challenge(challenge, current_user, form.decision.data == "publish", form.note.data or None)
        flash(_("The challenge is published.") if challenge.is_published else _("The challenge is rejected."),
              "success")
    return redirect(url_for("idarathon.challenge", challenge_id=challenge.id))


@login_required
def assign_jury(challenge_id: int):
    challenge = db.get_or_404(Challenge, challenge_id)
    require("idarathon.manage", challenge.edition)
    form = forms.AssignJuryForm()
    form.user_id.choices = [(u.id, u.display_name) for u in services.staff_of(challenge.edition, StaffRole.jury)]
    if form.validate_on_submit():
        services.assign_jury(challenge, db.get_or_404(User, form.user_id.data))
        flash(_("The jury member is assigned."), "success")
    return redirect(url_for("idarathon.challenge", challenge_id=challenge.id))


@login_required
def ask_question(challenge_id: int):
    challenge = db.get_or_404(Challenge, challenge_id)
    require("idarathon.ask_question", challenge)
    form = forms.QuestionForm()
    if form.validate_on_submit():
        services.ask_question(challenge, current_user, form.body.data)
        flash(_("Your question is sent; the answer will be visible to all teams."), "success")
    return redirect(url_for("idarathon.challenge", challenge_id=challenge.id) + "#qa")


@login_required
def answer_question(question_id: int):
    question = db.get_or_404(Question, question_id)
    require("idarathon.answer_question", question.challenge)
    form = forms.AnswerForm()
    if form.validate_on_submit():
        services.answer_question(question, current_user, form.answer.data)
        flash(_("The answer is published for all teams."), "success")
    return redirect(url_for("idarathon.challenge", challenge_id=question.challenge_id) + "#qa")


# -- teams -----------------------------------------------------------------------------------------------
def _challenge_choices(edition, blank=True):
    choices = [(c.id, c.display_title) for c in services.published_challenges(edition)]
    return ([("", _("Choose later"))] if blank else []) + choices


@login_required
def teams(edition_id: int):
    edition = db.get_or_404(Edition, edition_id)
    participant = services.participant_of(edition, current_user)
    if participant is None and not can(current_user, "idarathon.manage", edition):
        flash(_("Register for the edition before joining a team."), "info")
        return redirect(url_for("idarathon.edition", edition_id=edition.id))
    my_team = services.team_of(edition, current_user)
    create_form = forms.TeamForm(prefix="create")
    create_form.challenge_id.choices = _challenge_choices(edition)
    join_form = forms.JoinForm(prefix="join")
    all_teams = services.teams_of_edition(edition)
    sizes = {team.id: len(team.members) for team in all_teams}
    return _render("teams.html", edition=edition, my_team=my_team, teams=all_teams, sizes=sizes,
                   create_form=create_form, join_form=join_form, request_form=forms.JoinRequestForm())


@login_required
def create_team(edition_id: int):
    edition = db.get_or_404(Edition, edition_id)
    form = forms.TeamForm(prefix="create")
    form.challenge_id.choices = _challenge_choices(edition)
    if form.validate_on_submit():
        challenge = db.session.get(Challenge, form.challenge_id.data) if form.challenge_id.data else None
        try:
            team = services.create_team(edition, current_user, form.name.data, challenge=challenge,
                                        description=form.description.data or None)
        except DomainError as error:
            return _refused(error, url_for("idarathon.teams", edition_id=edition.id))
        flash(_("Your team is created. Share the invitation code with your teammates."), "success")
        return redirect(url_for("idarathon.team", team_id=team.id))
    flash(_("Give the team a name."), "error")
    return redirect(url_for("idarathon.teams", edition_id=edition.id))


@login_required
def join_team(edition_id: int):
    edition = db.get_or_404(Edition, edition_id)
    form = forms.JoinForm(prefix="join")
    if not form.validate_on_submit():
        flash(_("Type the invitation code."), "error")
        return redirect(url_for("idarathon.teams", edition_id=edition.id))
    try:
        team = services.join_by_code(edition, current_user, form.code.data)
    except DomainError as error:
        return _refused(error, url_for("idarathon.teams", edition_id=edition.id))
    flash(_("You joined the team %(team)s.", team=team.name), "success")
    return redirect(url_for("idarathon.team", team_id=team.id))


@login_required
def request_join(team_id: int):
    team = db.get_or_404(Team, team_id)
    form = forms.JoinRequestForm()
    if form.validate_on_submit():
        try:
            services.request_to_join(team, current_user, form.message.data or None)
        except DomainError as error:
            return _refused(error, url_for("idarathon.teams", edition_id=team.edition_id))
        flash(_("Your request is sent to the team's captain."), "success")
    return redirect(url_for("idarathon.teams", edition_id=team.edition_id))


@login_required
def decide_request(team_id: int, request_id: int):
    team = db.get_or_404(Team, team_id)
    require("idarathon.manage_team", team)
    join_request = db.get_or_404(JoinRequest, request_id)
    if join_request.team_id != team.id:
        abort(404)
    try:
        services.decide_request(join_request, current_user, request.form.get("decision") == "accept")
    except DomainError as error:
        return _refused(error, url_for("idarathon.team", team_id=team.id))
    return redirect(url_for("idarathon.team", team_id=team.id))


def _team_context(team: Team):
    edition = team.edition
    choose_form = forms.ChooseChallengeForm(prefix="choose")
    choose_form.challenge_id.choices = _challenge_choices(edition, blank=False)
    mentor_form = forms.MentorForm(prefix="mentor")
    mentor_form.mentor_id.choices = [("", _("None"))] + [(u.id, u.display_name)
                                                         for u in services.staff_of(edition, StaffRole.mentor)]
    move_form = forms.MoveForm(prefix="move")
    move_form.member_id.choices = [(m.id, m.user.display_name) for m in team.members]
    move_form.target_team_id.choices = [(t.id, t.name) for t in services.teams_of_edition(edition) if t.id != team.id]
    pending = list(db.session.scalars(select(JoinRequest).where(JoinRequest.team_id == team.id,
                                                                JoinRequest.status == RequestStatus.pending)))
    overrides = list(db.session.scalars(select(DeadlineOverride).where(DeadlineOverride.team_id == team.id)
                                        .order_by(DeadlineOverride.created_at)))
    return dict(team=team, edition=edition, submissions=services.submissions_of(team),
                result=scoring.result_of_team(team), award_titles=scoring.AWARD_TITLES,
                is_captain=team.captain_id == current_user.id, is_member=services.is_member(current_user, team),
                can_manage=can(current_user, "idarathon.manage_team", team),
                is_organiser=can(current_user, "idarathon.manage", edition),
                choose_form=choose_form, mentor_form=mentor_form, move_form=move_form,
                override_form=forms.OverrideForm(prefix="override"), pending=pending, overrides=overrides,
                file_kind_titles=FILE_KIND_TITLES, now=utcnow())


@login_required
def team(team_id: int):
    team = db.get_or_404(Team, team_id)
    require("idarathon.view_team", team)
    return _render("team.html", **_team_context(team))


@login_required
def choose_challenge(team_id: int):
    team = db.get_or_404(Team, team_id)
    require("idarathon.manage_team", team)
    form = forms.ChooseChallengeForm(prefix="choose")
    form.challenge_id.choices = _challenge_choices(team.edition, blank=False)
    if form.validate_on_submit():
        try:
            services.set_challenge(team, db.get_or_404(Challenge, form.challenge_id.data))
        except DomainError as error:
            return _refused(error, url_for("idarathon.team", team_id=team.id))
        flash(_("The team's challenge is saved."), "success")
    return redirect(url_for("idarathon.team", team_id=team.id))


@login_required
def regenerate_code(team_id: int):
    team = db.get_or_404(Team, team_id)
    require("idarathon.manage_team", team)
    services.regenerate_code(team)
    flash(_("A new invitation code is ready; the old one no longer works."), "success")
    return redirect(url_for("idarathon.team", team_id=team.id))


@login_required
def leave_team(team_id: int):
    team = db.get_or_404(Team, team_id)
    edition_id = team.edition_id
    try:
        services.leave_team(team, current_user)
    except DomainError as error:
        return _refused(error, url_for("idarathon.team", team_id=team.id))
    flash(_("You left the team."), "success")
    return redirect(url_for("idarathon.teams", edition_id=edition_id))


@login_required
def assign_mentor(team_id: int):
    team = db.get_or_404(Team, team_id)
    require("idarathon.manage", team.edition)
    form = forms.MentorForm(prefix="mentor")
    form.mentor_id.choices = [("", _("None"))] + [(u.id, u.display_name)
                                                  for u in services.staff_of(team.edition, StaffRole.mentor)]
    if form.validate_on_submit():
        try:
            services.assign_mentor(team, db.session.get(User, form.mentor_id.data) if form.mentor_id.data else None)
        except DomainError as error:
            return _refused(error, url_for("idarathon.team", team_id=team.id))
        flash(_("The mentor is saved."), "success")
    return redirect(url_for("idarathon.team", team_id=team.id))


@login_required
def move_member(team_id: int):
    team = db.get_or_404(Team, team_id)
    require("idarathon.manage", team.edition)
    form = forms.MoveForm(prefix="move")
    form.member_id.choices = [(m.id, m.user.display_name) for m in team.members]
    form.target_team_id.choices = [(t.id, t.name) for t in services.teams_of_edition(team.edition)]
    if form.validate_on_submit():
        member = db.get_or_404(TeamMember, form.member_id.data)
        target = db.get_or_404(Team, form.target_team_id.data)
        try:
            services.move_member(member, target, current_user)
        except DomainError as error:
            return _refused(error, url_for("idarathon.team", team_id=team.id))
        flash(_("The member is moved."), "success")
        return redirect(url_for("idarathon.team", team_id=target.id))
    return redirect(url_for("idarathon.team", team_id=team.id))


@login_required
def grant_override(team_id: int):
    team = db.get_or_404(Team, team_id)
    require("idarathon.manage", team.edition)
    form = forms.OverrideForm(prefix="override")
    if form.validate_on_submit():
        services.grant_override(team, current_user, forms.aware_utc(form.until.data), form.reason.data)
        flash(_("The extension is recorded."), "success")
    else:
        flash(_("Give the new time limit and the reason."), "error")
    return redirect(url_for("idarathon.team", team_id=team.id))


# -- submissions -----------------------------------------------------------------------------------------
@login_required
def submit(team_id: int):
    team = db.get_or_404(Team, team_id)
    require("idarathon.submit", team)
    form = forms.SubmissionForm()
    status = 200
    if form.validate_on_submit():
        uploads = {kind: request.files.getlist(getattr(form, kind).name)
                   for kind in ("deliverable", "pitch_deck", "data")}
        uploads = {kind: files for kind, files in uploads.items() if any(f and f.filename for f in files)}
        try:
            submission = services.submit(team, current_user, summary=form.summary.data, link_url=form.link_url.data,
                                         video_url=form.video_url.data, uploads=uploads)
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "error")
            status = error.status
        else:
            flash(_("Version %(n)d of your submission is saved.", n=submission.version), "success")
            return redirect(url_for("idarathon.team", team_id=team.id))
    elif request.method == "POST":
        status = 400
    kind = team.challenge.kind if team.challenge else None
    return _render("submit.html", team=team, edition=team.edition, form=form, kind=kind,
                   file_kind_titles=FILE_KIND_TITLES, now=utcnow()), status


@login_required
def submission_file(submission_id: int, file_id: int):
    submission = db.get_or_404(Submission, submission_id)
    require("idarathon.view_submission", submission)
    stored = db.get_or_404(SubmissionFile, file_id)
    if stored.submission_id != submission.id:
        abort(404)
    return storage.send_blob(stored.digest, download_name=stored.filename, mimetype=stored.content_type,
                             as_attachment=True)


# -- jury ------------------------------------------------------------------------------------------------
@login_required
def jury(edition_id: int):
    edition = db.get_or_404(Edition, edition_id)
    require("idarathon.jury", edition)
    rows = services.teams_to_score(edition, current_user)
    sheets = {row[0].id: services.sheet_for(row[0], current_user) for row in rows}
    return _render("jury.html", edition=edition, rows=rows, sheets=sheets, conflict_form=forms.ConflictForm())


@login_required
def score_sheet(team_id: int):
    team = db.get_or_404(Team, team_id)
    edition = team.edition
    require("idarathon.score", team)
    sheet = services.sheet_for(team, current_user)
    status = 200
    form = forms.ConflictForm()  # CSRF only; the marks are named mark-<criterion id>
    if request.method == "POST" and form.validate_on_submit():
        marks = {}
        for criterion in edition.criteria:
            raw = (request.form.get(f"mark-{criterion.id}") or "").strip().replace(",", ".")
            if raw:
                try:
                    marks[criterion.id] = float(raw)
                except ValueError:
                    marks[criterion.id] = -1.0
        try:
            services.score_team(current_user, team, marks, comment=request.form.get("comment") or None,
                                final=request.form.get("action") != "draft")
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "error")
            status = error.status
        else:
            flash(_("Your score sheet is saved."), "success")
            return redirect(url_for("idarathon.jury", edition_id=edition.id))
    elif request.method == "POST":
        status = 400
    values = {m.criterion_id: m.points for m in sheet.marks} if sheet else {}
    return _render("score_sheet.html", team=team, edition=edition, sheet=sheet, values=values, form=form,
                   submission=services.latest_submission(team), blind=edition.blind_scoring,
                   file_kind_titles=FILE_KIND_TITLES), status


@login_required
def declare_conflict(team_id: int):
    team = db.get_or_404(Team, team_id)
    require("idarathon.jury", team.edition)
    form = forms.ConflictForm()
    if form.validate_on_submit():
        services.declare_conflict(current_user, team, form.reason.data or "")
        flash(_("Your conflict of interest is recorded; you will not score this team."), "success")
    return redirect(url_for("idarathon.jury", edition_id=team.edition_id))


@login_required
def rubric(edition_id: int):
    edition = db.get_or_404(Edition, edition_id)
    require("idarathon.manage", edition)
    form = forms.RubricForm()
    if request.method == "GET":
        form.criteria.data = "\n".join(
            f"{c.weight:g} | {c.max_points} | {c.name.get('ar', '')} | {c.name.get('fr', '')}" for c in edition.criteria)
    if form.validate_on_submit():
        items = []
        try:
            for line in form.criteria.data.splitlines():
                if not line.strip():
                    continue
                parts = [p.strip() for p in line.split("|")]
                weight, max_points, names = float(parts[0]), int(parts[1]), parts[2:]
                name = {lang: text for lang, text in zip(("ar", "fr"), names) if text}
                if not name:
                    raise ValueError
                items.append({"name": name, "weight": weight, "max_points": max_points})
        except (ValueError, IndexError):
            form.criteria.errors = [_("Each line needs: weight | maximum points | name.")]
        else:
            services.set_rubric(edition, items)
            flash(_("The rubric is saved."), "success")
            return redirect(url_for("idarathon.manage", edition_id=edition.id))
    return _render("rubric.html", edition=edition, form=form)


# -- organisers: dashboard, publication ------------------------------------------------------------------
@login_required
def manage(edition_id: int):
    edition = db.get_or_404(Edition, edition_id)
    require("idarathon.manage", edition)
    standings = scoring.compute_standings(edition)
    return _render("manage.html", edition=edition, standings=standings, challenges=scoring.challenge_map(edition),
                   publish_form=forms.PublishForm(), tie_rules=scoring.TIE_RULES,
                   tie_note_titles=scoring.TIE_NOTE_TITLES, teams=services.teams_of_edition(edition), now=utcnow())


@login_required
def publish(edition_id: int):
    edition = db.get_or_404(Edition, edition_id)
    require("idarathon.manage", edition)
    form = forms.PublishForm()
    if form.validate_on_submit():
        if request.form.get("action") == "withdraw":
            scoring.withdraw_results(edition)
            flash(_("The scheduled publication is withdrawn."), "success")
        else:
            scoring.publish_results(edition, current_user, at=utcnow() if form.when.data == "now" else None)
            flash(_("The results are published for %(date)s.",
                    date=format_datetime(edition.results_published_at, "short")), "success")
    return redirect(url_for("idarathon.manage", edition_id=edition.id))


def results(edition_id: int):
    edition = db.get_or_404(Edition, edition_id)
    require("idarathon.view_results", edition)
    if edition.results_visible():
        grouped = scoring.published_results(edition)
        live = False
    else:  # organisers only (checked above): the live consolidation, clearly marked as not published
        grouped = scoring.compute_standings(edition)
        live = True
    return _render("results.html", edition=edition, grouped=grouped, live=live,
                   challenges=scoring.challenge_map(edition), tie_rules=scoring.TIE_RULES,
                   tie_note_titles=scoring.TIE_NOTE_TITLES, award_titles=scoring.AWARD_TITLES,
                   my_team=services.team_of(edition, current_user))


# -- communication ---------------------------------------------------------------------------------------
def announcements(edition_id: int):
    edition = db.get_or_404(Edition, edition_id)
    user = current_user if current_user.is_authenticated else None
    is_org = bool(user) and can(user, "idarathon.manage", edition)
    form = None
    if is_org:
        form = forms.AnnouncementForm()
        form.challenge_id.choices = [("", _("All participants"))] + [
            (c.id, _("Teams of: %(title)s", title=c.display_title)) for c in services.published_challenges(edition)]
        if form.validate_on_submit():
            challenge = db.session.get(Challenge, form.challenge_id.data) if form.challenge_id.data else None
            services.post_announcement(edition, current_user, form.title.data, form.body.data, challenge=challenge,
                                       by_email=form.by_email.data)
            flash(_("The announcement is sent."), "success")
            return redirect(url_for("idarathon.announcements", edition_id=edition.id))
    elif request.method == "POST":
        abort(403 if user else 401)
    items = services.announcements_for(edition, user)
    if not is_org:
        items = [a for a in items if a.challenge_id is None or user is not None]
    return _render("announcements.html", edition=edition, items=items, form=form)


@login_required
def notifications():
    items = services.notifications_for(current_user)
    unread = [n for n in items if n.read_at is None]
    page = _render("notifications.html", items=items, unread_ids={n.id for n in unread})
    for item in unread:
        item.read_at = utcnow()
    return page


# -- certificates and reports ----------------------------------------------------------------------------
@login_required
def participation_certificate(edition_id: int):
    from .certificates import participation_certificate, pdf_response

    edition = db.get_or_404(Edition, edition_id)
    team = services.team_of(edition, current_user)
    if team is None or not services.submissions_of(team):
        abort(404)
    if utcnow() < edition.submission_deadline:
        abort(404)
    return pdf_response(participation_certificate(edition, current_user, team),
                        f"idarathon-{edition.slug}-participation.pdf")


@login_required
def award_certificate(team_id: int):
    from .certificates import award_certificate as award_pdf, pdf_response

    team = db.get_or_404(Team, team_id)
    require("idarathon.view_team", team)
    result = scoring.result_of_team(team)  # None until the results are visible
    if result is None or result.award is None:
        abort(404)
    return pdf_response(award_pdf(team.edition, current_user, team, result), f"idarathon-{team.edition.slug}-award.pdf")


@login_required
def reports(edition_id: int):
    from . import reports as report_module

    edition = db.get_or_404(Edition, edition_id)
    require("idarathon.view_reports", edition)
    return _render("reports.html", edition=edition, tables=report_module.build_reports(edition))


@login_required
def reports_export(edition_id: int, fmt: str):
    from . import reports as report_module

    edition = db.get_or_404(Edition, edition_id)
    require("idarathon.view_reports", edition)
    if fmt == "csv":
        return report_module.csv_response(edition)
    if fmt == "xlsx":
        return report_module.xlsx_response(edition)
    abort(404)
