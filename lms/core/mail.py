"""E-mail through the outbox: written in the transaction, sent by the worker over SMTP.

Without ``MAIL_SERVER`` (development) the message is written to the log instead.
"""
from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage

from flask import current_app

from .outbox import enqueue, outbox_handler

log = logging.getLogger("lms.mail")


def send_mail(recipient, subject: str, body: str, html: str | None = None, dedupe_key: str | None = None):
    """Queue a mail; ``recipient`` is a User (its e-mail is used) or an address."""
    address = getattr(recipient, "email", recipient)
    if not address:
        log.info("mail %r not queued: recipient has no address", subject)
        return None
    return enqueue("email", {"to": address, "subject": subject, "body": body, "html": html},
                   dedupe_key=dedupe_key)


@outbox_handler("email")
def deliver_email(payload: dict) -> None:
    config = current_app.config
    message = EmailMessage()
    message["From"] = config["MAIL_FROM"]
    message["To"] = payload["to"]
    message["Subject"] = payload["subject"]
    message.set_content(payload["body"])
    if payload.get("html"):
        message.add_alternative(payload["html"], subtype="html")
    if not config.get("MAIL_SERVER"):
        log.info("mail to %s\nSubject: %s\n\n%s", payload["to"], payload["subject"], payload["body"])
        return
    with smtplib.SMTP(config["MAIL_SERVER"], int(config["MAIL_PORT"]), timeout=30) as smtp:
        if config.get("MAIL_USE_TLS"):
            smtp.starttls()
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        smtp.send_message(message)
