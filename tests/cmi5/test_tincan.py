"""TinCan packages: tincan.xml import and the "Rustici launch" against the built-in LRS (SQLite and
PostgreSQL)."""
from __future__ import annotations

import base64
import json
import uuid
from urllib.parse import parse_qs, urlsplit

import pytest

from lms.cmi5.services import import_tincan
from lms.core.db import db as _db
from lms.courses.results import get_result
from lms.lrs.credentials import authenticate
from lms.scorm.services import PackageRejected
from tests.cmi5.helpers import sign_in
from tests.cmi5.packages import AU_PAGE, tincan_xml, write_zip
from tests.factories import enrol, make_course, make_user

VERSION = {"X-Experience-API-Version": "1.0.3"}
ROOT = "https://example.test/tincan/course"


def _setup(tmp_path):
    course = make_course()
    user = make_user()
    enrol(user, course)
    package = import_tincan(course, write_zip(tmp_path / "t.zip", {"tincan.xml": tincan_xml(),
                                                                  "index.html": AU_PAGE}))
    _db.session.commit()
    return package, user


def _launch(client, package):
    response = client.post(f"/activities/{package.activity_id}/tincan/launch")
    assert response.status_code == 302
    url = response.headers["Location"]
    return url, {name: values[0] for name, values in parse_qs(urlsplit(url).query).items()}


def test_import_records_activities_and_launch_file(db, tmp_path):
    package, _user = _setup(tmp_path)
    assert package.activity_iri == ROOT and package.launch == "index.html"
    assert [a["id"] for a in package.activities["activities"]] == [ROOT, ROOT + "/q1"]


@pytest.mark.parametrize("files,code", [({"tincan.xml": tincan_xml(launch=None)}, "tincan_no_launch"),
                                        ({"tincan.xml": tincan_xml(launch="nope.html")}, "tincan_launch_missing"),
                                        ({"tincan.xml": tincan_xml(activity_id="relative")},
                                         "tincan_id_not_iri")])
def test_invalid_packages_are_refused(db, tmp_path, files, code):
    with pytest.raises(PackageRejected) as exc:
        import_tincan(make_course(), write_zip(tmp_path / "b.zip", {**files, "index.html": AU_PAGE}))
    assert code in [issue.code for issue in exc.value.report.errors]


def test_rustici_launch_parameters_and_scoped_credential(db, client, auth, tmp_path, app):
    package, user = _setup(tmp_path)
    sign_in(client, user)
    url, params = _launch(client, package)
    assert urlsplit(url).path == f"/cmi5/tincan/{package.id}/index.html"
    assert params["endpoint"] == app.config["SITE_URL"] + "/xapi/"
    assert params["activity_id"] == ROOT
    actor = json.loads(params["actor"])
    assert actor["account"]["name"] == user.uuid
    key, secret = base64.b64decode(params["auth"].split(" ", 1)[1]).decode().split(":", 1)
    principal = authenticate(key, secret)
    assert principal.registration == params["registration"] and principal.expires_at is not None
    assert principal.actor_ifi == f"account:http://lms.test|{user.uuid}"
    headers = {**VERSION, "Authorization": params["auth"]}
    statement = {"id": str(uuid.uuid4()), "actor": actor, "verb": {"id": "http://adlnet.gov/expapi/verbs/passed"},
                 "object": {"id": ROOT}, "result": {"success": True, "completion": True, "score": {"scaled": 0.9}},
                 "context": {"registration": params["registration"]}}
    assert client.post("/xapi/statements", headers=headers, json=statement).status_code == 200
    result = get_result(package_activity(package), user)
    assert result.completed and result.passed and result.score == 0.9
    # Scoped: another registration or another learner is refused.
    other = dict(statement, id=str(uuid.uuid4()), context={"registration": str(uuid.uuid4())})
    assert client.post("/xapi/statements", headers=headers, json=other).status_code == 403
    stranger = dict(statement, id=str(uuid.uuid4()), actor={"account": {"homePage": "http://lms.test", "name": "x"}})
    assert client.post("/xapi/statements", headers=headers, json=stranger).status_code == 403
    assert client.get(f"/cmi5/tincan/{package.id}/index.html").status_code == 200


def package_activity(package):
    from lms.courses.models import Activity

    return _db.session.get(Activity, package.activity_id)
