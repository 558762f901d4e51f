"""Access rules of training management (checked through lms.core.permissions; administrators pass all)."""
from __future__ import annotations

from lms.accounts.models import SiteRole
from lms.core.permissions import permission_rule

from .models import EventStatus, RegistrationState


def _is_organiser(user, event) -> bool:
    return event is not None and event.organiser_id is not None and event.organiser_id == user.id


def _is_trainer(user, event) -> bool:
    if event is None:
        return False
    return any(t.id == user.id for t in event.trainers) or any(s.trainer_id == user.id for s in event.sessions)


@permission_rule("sessions.create_event")
def _create_event(user, _obj=None) -> bool:
    return user.role in (SiteRole.instructor, SiteRole.manager)


@permission_rule("sessions.view_event", allow_anonymous=True)
def _view_event(user, event) -> bool:
    if event.status != EventStatus.draft:
        return True
    return user is not None and (_is_organiser(user, event) or _is_trainer(user, event))


@permission_rule("sessions.manage_event")
def _manage_event(user, event) -> bool:
    return _is_organiser(user, event)


@permission_rule("sessions.register")
def _register(user, session) -> bool:
    return True  # every signed-in, active person; the workflow decides the rest


@permission_rule("sessions.take_attendance")
def _take_attendance(user, session) -> bool:
    return session.trainer_id == user.id or _is_organiser(user, session.event) or _is_trainer(user, session.event)


@permission_rule("sessions.decide")
def _decide(user, registration) -> bool:
    """Managers decide for the people of their administration; organisers take the second step."""
    if registration.state == RegistrationState.pending_manager:
        learner = registration.user
        return (user.role == SiteRole.manager and user.administration_id is not None
                and learner.administration_id == user.administration_id and learner.id != user.id)
    if registration.state == RegistrationState.pending_organiser:
        return _is_organiser(user, registration.session.event)
    return False


@permission_rule("sessions.view_approvals")
def _view_approvals(user, _obj=None) -> bool:
    return user.role in (SiteRole.manager, SiteRole.instructor)


@permission_rule("sessions.view_reports")
def _view_reports(user, event=None) -> bool:
    if event is None:
        return user.role == SiteRole.manager
    return user.role == SiteRole.manager or _is_organiser(user, event) or _is_trainer(user, event)
