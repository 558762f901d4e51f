"""A learner launching cmi5 AUs through the real routes, and an AU talking to /xapi with its token."""
from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qs, urlsplit

from lms.cmi5.models import Cmi5Course
from lms.cmi5.services import CATEGORY_CMI5, CATEGORY_MOVEON, EXT_MASTERY, EXT_SESSION, VERBS, import_cmi5
from lms.core.db import db
from tests.cmi5.packages import au_xml, block_xml, cmi5_xml, cmi5_zip
from tests.factories import enrol, make_course, make_user

VERSION = {"X-Experience-API-Version": "1.0.3"}


def setup_course(tmp_path, children=None, *, learner=True):
    course = make_course()
    user = make_user()
    if learner:
        enrol(user, course)
    row = import_cmi5(course, cmi5_zip(tmp_path / f"c{uuid.uuid4().hex[:6]}.zip",
                                       cmi5_xml(children if children is not None else [au_xml()])))
    db.session.commit()
    return row, user


def launch_params(url: str) -> dict:
    return {name: values[0] for name, values in parse_qs(urlsplit(url).query).items()}


class AU:
    """What a cmi5 AU does after launch: fetch, read LaunchData, send statements."""

    def __init__(self, client, url: str):
        self.client = client
        self.url = url
        self.params = launch_params(url)
        self.actor = json.loads(self.params["actor"])
        self.registration = self.params["registration"]
        self.activity_id = self.params["activityId"]
        self.auth = None
        self.launch_data = None
        self.clock = datetime.now(timezone.utc)

    def fetch(self):
        return self.client.post(urlsplit(self.params["fetch"]).path)

    def start(self):
        response = self.fetch()
        self.auth = "Basic " + response.get_json()["auth-token"]
        self.launch_data = self.get_state().get_json()
        self.preferences = self.client.get("/xapi/agents/profile", headers=self.headers(), query_string={
            "agent": json.dumps(self.actor), "profileId": "cmi5LearnerPreferences"}).get_json()
        return self

    def headers(self):
        return {**VERSION, "Authorization": self.auth}

    def get_state(self, state_id="LMS.LaunchData"):
        return self.client.get("/xapi/activities/state", headers=self.headers(), query_string={
            "activityId": self.activity_id, "agent": json.dumps(self.actor), "registration": self.registration,
            "stateId": state_id})

    def statement(self, verb: str, *, result=None, defined=True, moveon=None, extensions=None, object_id=None,
                  context=None):
        template = self.launch_data["contextTemplate"]
        ctx = json.loads(json.dumps(template))
        ctx["registration"] = self.registration
        if defined:
            category = [{"id": CATEGORY_CMI5}]
            if moveon if moveon is not None else bool(result and ("success" in result or "completion" in result)):
                category.append({"id": CATEGORY_MOVEON})
            ctx.setdefault("contextActivities", {})["category"] = category
        if extensions:
            ctx["extensions"] = {**ctx.get("extensions", {}), **extensions}
        if context:
            ctx.update(context)
        self.clock += timedelta(seconds=1)
        statement = {"id": str(uuid.uuid4()), "actor": self.actor,
                     "verb": {"id": VERBS.get(verb, verb), "display": {"en-US": verb}},
                     "object": {"objectType": "Activity", "id": object_id or self.activity_id},
                     "context": ctx, "timestamp": self.clock.isoformat().replace("+00:00", "Z")}
        if result is not None:
            statement["result"] = result
        return statement

    def send(self, *statements):
        body = list(statements) if len(statements) > 1 else statements[0]
        return self.client.post("/xapi/statements", headers=self.headers(), json=body)

    def say(self, verb, **kw):
        return self.send(self.statement(verb, **kw))

    def initialized(self):
        return self.say("initialized")

    def completed(self):
        return self.say("completed", result={"completion": True, "duration": "PT10S"})

    def passed(self, scaled=None):
        result = {"success": True, "duration": "PT20S"}
        if scaled is not None:
            result["score"] = {"scaled": scaled}
        ext = {EXT_MASTERY: self.launch_data["masteryScore"]} if "masteryScore" in self.launch_data else None
        return self.say("passed", result=result, extensions=ext)

    def failed(self, scaled=None):
        result = {"success": False, "duration": "PT20S"}
        if scaled is not None:
            result["score"] = {"scaled": scaled}
        ext = {EXT_MASTERY: self.launch_data["masteryScore"]} if "masteryScore" in self.launch_data else None
        return self.say("failed", result=result, extensions=ext)

    def terminated(self):
        return self.say("terminated", result={"duration": "PT30S"})


def launch(client, row: Cmi5Course, au_index: int = 0, mode: str = "Normal") -> AU:
    au = row.aus[au_index]
    response = client.post(f"/activities/{row.activity_id}/cmi5/aus/{au.id}/launch", data={"mode": mode})
    if response.status_code == 302:
        url = response.headers["Location"]
    else:
        assert response.status_code == 200, response.get_data(as_text=True)
        html = response.get_data(as_text=True)
        start = html.index('id="cmi5-frame"') if False else html.index('<iframe src="') + len('<iframe src="')
        import html as html_module

        url = html_module.unescape(html[start:html.index('"', start)])
    return AU(client, url)


def session_id(au: AU) -> str:
    return au.launch_data["contextTemplate"]["extensions"][EXT_SESSION]


def sign_in(client, user) -> None:
    """Sign the client in without the login form (argon2 costs seconds on a loaded machine; the form has its
    own tests)."""
    db.session.commit()
    with client.session_transaction() as session:
        session["_user_id"] = str(user.get_id())
        session["_fresh"] = True
