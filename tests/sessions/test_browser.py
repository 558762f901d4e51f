"""In Chromium, in Arabic: a learner registers, the manager approves, the trainer takes attendance, the learner
gets the certificate. Every page is right-to-left and passes axe (WCAG 2.1 AA)."""
import pytest
from sqlalchemy import select

from lms.core.db import db
from lms.core.outbox import OutboxMessage
from lms.sessions.models import EventCompletion, Registration, RegistrationState as S
from tests.factories import make_administration, make_user
from tests.sessions.factories import make_event, make_session

pytestmark = pytest.mark.browser


def _read(query):
    """Read in a short transaction of its own (SQLite: never hold the lock while the server writes)."""
    db.session.rollback()
    try:
        return db.session.scalar(query)
    finally:
        db.session.rollback()


def _switch_user(page, browser_login, username):
    page.context.clear_cookies()
    browser_login(username)


def test_register_approve_attend_certificate_in_arabic(app, page, live_server, browser_login, axe_check):
    administration = make_administration()
    make_user("manager.ar", role="manager", administration=administration, full_name="سعاد العلمي",
              language="ar")
    learner = make_user("learner.ar", administration=administration, full_name="فاطمة الزهراء بناني",
                        gender="female", language="ar")
    trainer = make_user("trainer.ar", role="instructor", full_name="نادية الإدريسي", language="ar")
    event = make_event(approval="manager", organiser=trainer, topic="cybersecurity",
                       title={"ar": "الأمن السيبراني في الإدارة", "fr": "Cybersécurité dans l'administration"},
                       description={"ar": "تكوين حضوري حول حماية المعطيات."})
    event.trainers = [trainer]
    session = make_session(event, days=5, venue="ENSA", room="القاعة 3", trainer_id=trainer.id)
    event_id, session_id, learner_id, learner_email = event.id, session.id, learner.id, learner.email
    db.session.commit()  # the server thread reads the data; from now on the test reads only between steps

    # The learner finds the training in the Arabic calendar and registers.
    browser_login("learner.ar")
    page.goto(f"{live_server.url}/training/")
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.locator("html").get_attribute("lang") == "ar"
    axe_check(page)
    page.get_by_role("link", name="الأمن السيبراني في الإدارة").first.click()
    page.wait_for_load_state()
    axe_check(page)
    page.get_by_role("button", name="التسجيل").click()
    page.wait_for_load_state()
    assert "تم إرسال طلب تسجيلك للموافقة" in page.locator(".flashes").inner_text()
    assert "في انتظار موافقة المسؤول" in page.locator(f"#session-{session_id}").inner_text()
    axe_check(page)

    # The manager approves.
    _switch_user(page, browser_login, "manager.ar")
    page.goto(f"{live_server.url}/training/approvals")
    assert "فاطمة الزهراء بناني" in page.locator("main").inner_text()
    axe_check(page)
    page.get_by_role("button", name="موافقة").click()
    page.wait_for_load_state()
    assert "لا شيء للموافقة عليه" in page.locator("main").inner_text()
    assert _read(select(Registration.state)) == S.confirmed

    # The trainer takes attendance (the page is built for a phone: try a small viewport).
    _switch_user(page, browser_login, "trainer.ar")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/training/events/{event_id}")
    page.get_by_role("link", name="تسجيل الحضور").first.click()
    page.wait_for_load_state()
    axe_check(page)
    page.locator(f"label[for='st-{learner_id}-present']").click()
    assert page.locator(f"#st-{learner_id}-present").is_checked()
    page.get_by_role("button", name="حفظ الحضور", exact=True).click()
    page.wait_for_load_state()
    assert "تم حفظ الحضور" in page.locator(".flashes").inner_text()
    code = _read(select(EventCompletion.certificate_code).where(EventCompletion.user_id == learner_id))
    assert code

    # The learner gets the certificate: by mail and on the event page, as a PDF.
    page.set_viewport_size({"width": 1280, "height": 900})
    _switch_user(page, browser_login, "learner.ar")
    page.goto(f"{live_server.url}/training/events/{event_id}")
    assert "لقد أتممت هذا التكوين" in page.locator("main").inner_text()
    assert code in page.locator("main").inner_text()
    axe_check(page)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="تحميل شهادة الحضور الخاصة بي").click()
    with open(download_info.value.path(), "rb") as handle:
        assert handle.read(5) == b"%PDF-"
    db.session.rollback()
    mails = [m.payload for m in db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "email"))
             if m.payload["to"] == learner_email]
    assert any("إتمام التكوين" in m["subject"] for m in mails)
    assert any("مؤكد" in m["subject"] for m in mails)


def test_organiser_and_learner_pages_are_accessible_in_arabic_and_french(app, page, live_server, browser_login,
                                                                         axe_check):
    from lms.sessions import services
    from lms.sessions.models import AttendanceStatus as A

    organiser = make_user("organiser.ar", role="manager", language="ar", administration=make_administration())
    learner = make_user("learner.fr", language="fr", gender="male")
    event = make_event(organiser=organiser, topic="innovation", title={"ar": "الابتكار العمومي", "fr": "Innovation"})
    session = make_session(event, days=2)
    services.register(session.id, learner)
    services.record_attendance(session, {learner.id: A.present}, None)
    event_id, session_id = event.id, session.id
    db.session.commit()

    browser_login("organiser.ar")
    day = page.evaluate("new Date().toISOString().slice(0, 10)")
    for path in (f"/training/events/{event_id}/manage", f"/training/events/{event_id}/edit", "/training/events/new",
                 f"/training/events/{event_id}/results", "/training/reports", f"/training/?view=month&date={day}",
                 f"/training/?view=week&date={day}", f"/training/sessions/{session_id}/reschedule", "/training/my"):
        page.goto(live_server.url + path)
        assert page.locator("html").get_attribute("dir") == "rtl", path
        axe_check(page)

    _switch_user(page, browser_login, "learner.fr")
    for path in (f"/training/events/{event_id}/survey", "/training/my", f"/training/events/{event_id}"):
        page.goto(live_server.url + path)
        assert page.locator("html").get_attribute("dir") == "ltr", path
        axe_check(page)
    page.goto(f"{live_server.url}/training/events/{event_id}/survey")
    page.locator("label[for='overall-5']").click()
    page.get_by_role("button", name="Envoyer mes réponses").click()
    page.wait_for_load_state()
    assert "Merci pour vos réponses" in page.locator(".flashes").inner_text()
