"""Bench: the progress report over 50,000 generated learners on SQLite (target: under one second).

    .venv/bin/python bench/report_bench.py [--learners 50000] [--runs 5]

Builds a throw-away SQLite database, inserts administrations, five courses, N learners (one or two
enrolments each, with progress, completion dates and grades spread over a year) in bulk, then renders
/courses/reports as an administrator through the test client and prints the timings (first and median
render, unfiltered and filtered).
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert  # noqa: E402

from lms import create_app  # noqa: E402
from lms.core.db import db  # noqa: E402
from lms.core.security import hash_password  # noqa: E402


def generate(learners: int, seed: int = 7) -> None:
    from lms.accounts.models import Administration, AdministrationLevel, SiteRole, User
    from lms.courses.models import Course, CourseRole, Enrolment, EnrolmentMethod, EnrolmentStatus, Section

    rng = random.Random(seed)
    now = datetime.now(timezone.utc)
    admins = []
    for i in range(60):
        level = AdministrationLevel.central if i < 25 else AdministrationLevel.local
        admins.append(Administration(code=f"adm-{i}", name={"fr": f"Administration {i}", "ar": f"إدارة {i}"},
                                     level=level))
    db.session.add_all(admins)
    courses = [Course(shortname=f"BENCH-{i}", title={"fr": f"Cours {i}", "ar": f"دورة {i}"}, visible=True,
                      languages=["ar", "fr"], settings={}) for i in range(5)]
    db.session.add_all(courses)
    db.session.flush()
    for course in courses:
        db.session.add(Section(course_id=course.id, position=0, title={}))
    password = hash_password("bench-password")
    db.session.add(User(username="bench-admin", password_hash=password, role=SiteRole.administrator,
                        full_name="Bench admin"))
    db.session.flush()
    admin_ids = [a.id for a in admins]
    genders = ["female", "male", "male", "female", "unspecified", None]
    batch, enrol_batch = [], []
    start_id = 1000
    for n in range(learners):
        batch.append({"id": start_id + n, "uuid": str(uuid.UUID(int=rng.getrandbits(128))), "username": f"learner{n}",
                      "email": None, "full_name": f"Learner {n}", "password_hash": None, "role": "learner",
                      "administration_id": rng.choice(admin_ids), "gender": rng.choice(genders),
                      "preferred_language": "ar", "active": True, "failed_logins": 0, "session_version": 1,
                      "created_at": now, "updated_at": now})
        for course in rng.sample(courses, rng.choice([1, 1, 2])):
            created = now - timedelta(days=rng.randint(0, 360))
            progress = rng.choice([0.0, 25.0, 50.0, 75.0, 100.0])
            completed = created + timedelta(days=rng.randint(1, 30)) if progress == 100.0 else None
            if completed and completed > now:
                completed = now
            enrol_batch.append({"course_id": course.id, "user_id": start_id + n, "role": "learner", "method": "self",
                                "status": "active", "progress": progress, "completed_at": completed,
                                "final_grade": rng.uniform(40, 100) if progress else None,
                                "created_at": created, "updated_at": created})
        if len(batch) >= 5000:
            db.session.execute(insert(User.__table__), batch)
            batch = []
    if batch:
        db.session.execute(insert(User.__table__), batch)
    for i in range(0, len(enrol_batch), 10000):
        db.session.execute(insert(Enrolment.__table__), enrol_batch[i:i + 10000])
    db.session.commit()
    _ = (CourseRole, EnrolmentMethod, EnrolmentStatus)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=50000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="report-bench-"))
    app = create_app({"TESTING": True, "INSTANCE_PATH": str(tmp / "instance"), "SECRET_KEY": "bench",
                      "DATABASE_URL": f"sqlite:///{tmp / 'bench.sqlite3'}", "CONTENT_PACKAGES_DIR": str(tmp / "cp"),
                      "WTF_CSRF_ENABLED": False})
    with app.app_context():
        db.create_all()
        began = time.perf_counter()
        generate(args.learners)
        from lms.courses.models import Enrolment

        enrolments = db.session.query(Enrolment).count()
        print(f"generated {args.learners} learners, {enrolments} enrolments in {time.perf_counter() - began:.1f} s")
        db.session.remove()
    client = app.test_client()
    response = client.post("/account/login", data={"username": "bench-admin", "password": "bench-password"})
    assert response.status_code == 302, response.status_code
    for label, url in (("all learners", "/courses/reports"),
                       ("filtered (women, local, completed)", "/courses/reports?gender=female&level=local&status=completed"),
                       ("page 200 of the learner list", "/courses/reports?page=200")):
        timings, cpu = [], []
        for _run in range(args.runs):
            began, began_cpu = time.perf_counter(), time.process_time()
            response = client.get(url, headers={"Accept-Language": "fr"})
            timings.append(time.perf_counter() - began)
            cpu.append(time.process_time() - began_cpu)
            assert response.status_code == 200, response.status_code
        # CPU time too: on a shared, loaded machine wall-clock time mostly measures the wait for a core.
        print(f"report page, {label}: first {timings[0] * 1000:.0f} ms, median {statistics.median(timings) * 1000:.0f} ms"
              f" wall, median {statistics.median(cpu) * 1000:.0f} ms CPU, over {args.runs} renders"
              f" ({len(response.data) // 1024} KB)")
    print(f"load average: {' '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
