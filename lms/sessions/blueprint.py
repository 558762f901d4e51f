"""Every URL rule of training management, on one screen."""
from flask import Blueprint

from . import views

bp = Blueprint("sessions", __name__, template_folder="templates", static_folder="static",
               static_url_path="/static", url_prefix="/training")

bp.add_url_rule("/", "calendar", views.calendar)
bp.add_url_rule("/calendar.ics", "calendar_ics", views.calendar_ics)
bp.add_url_rule("/feed/<token>.ics", "user_feed", views.user_feed)
bp.add_url_rule("/my", "my_trainings", views.my_trainings, methods=["GET", "POST"])
bp.add_url_rule("/events/new", "new_event", views.new_event, methods=["GET", "POST"])
bp.add_url_rule("/events/<int:event_id>", "view_event", views.view_event)
bp.add_url_rule("/events/<int:event_id>/edit", "edit_event", views.edit_event, methods=["GET", "POST"])
bp.add_url_rule("/events/<int:event_id>/manage", "manage_event", views.manage_event)
bp.add_url_rule("/events/<int:event_id>/sessions", "add_sessions", views.add_sessions, methods=["POST"])
bp.add_url_rule("/events/<int:event_id>/cancel", "cancel_event", views.cancel_event, methods=["POST"])
bp.add_url_rule("/events/<int:event_id>/quotas", "set_quota", views.set_quota, methods=["POST"])
bp.add_url_rule("/events/<int:event_id>/survey", "survey", views.survey, methods=["GET", "POST"])
bp.add_url_rule("/events/<int:event_id>/survey-questions", "edit_survey", views.edit_survey, methods=["POST"])
bp.add_url_rule("/events/<int:event_id>/results", "event_results", views.event_results)
bp.add_url_rule("/sessions/<int:session_id>/register", "register", views.register, methods=["POST"])
bp.add_url_rule("/sessions/<int:session_id>/reschedule", "reschedule_session", views.reschedule_session,
                methods=["GET", "POST"])
bp.add_url_rule("/sessions/<int:session_id>/cancel", "cancel_session", views.cancel_session, methods=["POST"])
bp.add_url_rule("/sessions/<int:session_id>/attendance", "attendance", views.attendance, methods=["GET", "POST"])
bp.add_url_rule("/sessions/<int:session_id>/sign-in-sheet.pdf", "signin_sheet", views.signin_sheet)
bp.add_url_rule("/registrations/<int:registration_id>/withdraw", "withdraw", views.withdraw, methods=["POST"])
bp.add_url_rule("/registrations/<int:registration_id>/decide", "decide", views.decide, methods=["POST"])
bp.add_url_rule("/approvals", "approvals", views.approvals)
bp.add_url_rule("/reports", "report", views.report)
bp.add_url_rule("/reports/participants.<any(csv, xlsx):fmt>", "export_report", views.export_report)
bp.add_url_rule("/trainers/<int:user_id>", "trainer_report", views.trainer_report)
