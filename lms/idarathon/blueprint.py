"""Every URL rule of the Idarathon in one screen."""
from flask import Blueprint

from . import api, views

bp = Blueprint("idarathon", __name__, template_folder="templates", static_folder="static",
               static_url_path="/static", url_prefix="/idarathon")
api_bp = Blueprint("idarathon_api", __name__, url_prefix="/api/idarathon")
bps = [bp, api_bp]

rule = bp.add_url_rule
GET_POST = ["GET", "POST"]
POST = ["POST"]

rule("/", "index", views.index)
rule("/notifications", "notifications", views.notifications)
rule("/editions/new", "create_edition", views.create_edition, methods=GET_POST)
rule("/<int:edition_id>/", "edition", views.edition)
rule("/<int:edition_id>/edit", "edit_edition", views.edit_edition, methods=GET_POST)
rule("/<int:edition_id>/staff", "staff", views.staff, methods=GET_POST)
rule("/<int:edition_id>/register", "register", views.register, methods=GET_POST)
rule("/<int:edition_id>/challenges/propose", "propose_challenge", views.propose_challenge, methods=GET_POST)
rule("/<int:edition_id>/teams", "teams", views.teams)
rule("/<int:edition_id>/teams/new", "create_team", views.create_team, methods=POST)
rule("/<int:edition_id>/teams/join", "join_team", views.join_team, methods=POST)
rule("/<int:edition_id>/jury", "jury", views.jury)
rule("/<int:edition_id>/rubric", "rubric", views.rubric, methods=GET_POST)
rule("/<int:edition_id>/manage", "manage", views.manage)
rule("/<int:edition_id>/publish", "publish", views.publish, methods=POST)
rule("/<int:edition_id>/results", "results", views.results)
rule("/<int:edition_id>/announcements", "announcements", views.announcements, methods=GET_POST)
rule("/<int:edition_id>/certificate.pdf", "participation_certificate", views.participation_certificate)
rule("/<int:edition_id>/reports", "reports", views.reports)
rule("/<int:edition_id>/reports.<fmt>", "reports_export", views.reports_export)

rule("/challenges/<int:challenge_id>", "challenge", views.challenge)
rule("/challenges/<int:challenge_id>/resources/<int:resource_id>", "challenge_resource", views.challenge_resource)
rule("/challenges/<int:challenge_id>/review", "review_challenge", views.review_challenge, methods=POST)
rule("/challenges/<int:challenge_id>/jury", "assign_jury", views.assign_jury, methods=POST)
rule("/challenges/<int:challenge_id>/questions", "ask_question", views.ask_question, methods=POST)
rule("/questions/<int:question_id>/answer", "answer_question", views.answer_question, methods=POST)

rule("/teams/<int:team_id>", "team", views.team)
rule("/teams/<int:team_id>/request", "request_join", views.request_join, methods=POST)
rule("/teams/<int:team_id>/requests/<int:request_id>", "decide_request", views.decide_request, methods=POST)
rule("/teams/<int:team_id>/challenge", "choose_challenge", views.choose_challenge, methods=POST)
rule("/teams/<int:team_id>/code", "regenerate_code", views.regenerate_code, methods=POST)
rule("/teams/<int:team_id>/leave", "leave_team", views.leave_team, methods=POST)
rule("/teams/<int:team_id>/mentor", "assign_mentor", views.assign_mentor, methods=POST)
rule("/teams/<int:team_id>/move", "move_member", views.move_member, methods=POST)
rule("/teams/<int:team_id>/override", "grant_override", views.grant_override, methods=POST)
rule("/teams/<int:team_id>/submit", "submit", views.submit, methods=GET_POST)
rule("/teams/<int:team_id>/score", "score_sheet", views.score_sheet, methods=GET_POST)
rule("/teams/<int:team_id>/conflict", "declare_conflict", views.declare_conflict, methods=POST)
rule("/teams/<int:team_id>/award.pdf", "award_certificate", views.award_certificate)
rule("/submissions/<int:submission_id>/files/<int:file_id>", "submission_file", views.submission_file)

api_bp.add_url_rule("/editions", "editions", api.editions)
api_bp.add_url_rule("/editions/<int:edition_id>", "edition", api.edition)
api_bp.add_url_rule("/editions/<int:edition_id>/results", "results", api.results)
api_bp.add_url_rule("/teams/<int:team_id>", "team", api.team)
