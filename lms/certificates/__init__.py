"""Certificates: PDF certificates (Arabic shaped, right-to-left) with a public verification code.

Other areas issue them with :func:`lms.certificates.services.issue_certificate`; the courses area does it
when a course is completed, the training and Idarathon areas for attendance and prizes.
"""


def init_app(app):
    from . import permissions  # noqa: F401 — registers the certificate rules
