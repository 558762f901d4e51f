"""Reports: SQL aggregates split by administration, gender and level; scope; exports."""
import io

from openpyxl import load_workbook

from lms.accounts.models import AdministrationLevel
from lms.courses import reports, services
from lms.courses.results import report_result
from tests.courses.factories import make_page
from tests.factories import make_administration, make_course, make_user


def _population():
    central = make_administration(level=AdministrationLevel.central)
    local = make_administration(level=AdministrationLevel.local)
    course = make_course(title="Cyber")
    page = make_page(course)
    people = [("female", central, True), ("female", local, False), ("male", central, True), ("male", local, False),
              ("male", local, False)]
    users = []
    for gender, administration, done in people:
        user = make_user(gender=gender, administration=administration)
        services.enrol_user(course, user, "learner")
        if done:
            report_result(page, user, viewed=True)
        users.append(user)
    return course, central, local, users


def test_aggregates_by_gender_level_and_administration(db):
    course, central, local, _users = _population()
    filters = reports.ReportFilters()
    summary = reports.summary(filters)
    assert (summary.enrolled, summary.completed, summary.rate) == (5, 2, 40.0)
    gender = {r.key.value: (r.enrolled, r.completed) for r in reports.by_gender(filters)}
    assert gender == {"female": (2, 1), "male": (3, 1)}
    level = {r.key.value: (r.enrolled, r.completed) for r in reports.by_level(filters)}
    assert level == {"central": (2, 2), "local": (3, 0)}
    rows, total = reports.by_administration(filters)
    assert total == 2 and {r.key: r.completed for r in rows} == {central.id: 2, local.id: 0}
    women_local = reports.summary(reports.ReportFilters(gender="female", level="local"))
    assert (women_local.enrolled, women_local.completed) == (1, 0)
    assert sum(completed for _m, _e, completed in reports.over_time(filters)) == 2


def test_a_manager_sees_only_their_administration(db, client, auth):
    course, central, local, _users = _population()
    manager = make_user(role="manager", administration=local)
    db.session.commit()
    auth.login(manager)
    response = client.get("/courses/reports/learners.xlsx")
    rows = list(load_workbook(io.BytesIO(response.data)).active.iter_rows(values_only=True))
    assert len(rows) == 1 + 3  # header + the three local learners


def test_report_page_and_csv_exports(db, client, auth):
    course, *_rest = _population()
    teacher = make_user(role="instructor")
    services.enrol_user(course, teacher, "instructor")
    db.session.commit()
    auth.login(teacher)
    page = client.get(f"/courses/reports?course={course.id}", headers={"Accept-Language": "en"})
    assert page.status_code == 200 and "<svg" in page.get_data(as_text=True)
    csv_text = client.get(f"/courses/reports/gender.csv?course={course.id}").get_data().decode("utf-8-sig")
    lines = csv_text.strip().splitlines()
    assert len(lines) == 3 and lines[1].split(",")[1:4] == ["2", "1", "1"]
    learners = client.get(f"/courses/reports/learners.csv?course={course.id}&status=completed").get_data().decode("utf-8-sig")
    assert len(learners.strip().splitlines()) == 1 + 2
