from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField
from wtforms import BooleanField, DateTimeLocalField, EmailField, HiddenField, IntegerField, SelectField, StringField, \
    TextAreaField, URLField
from wtforms.validators import DataRequired, Email, Length, Optional

from lms.core.i18n import _l

from .models import CampaignAudience, PostCategory

REQUIRED = _l("This field is required.")


def _translated(field_class, label, **kwargs):
    """Three fields (ar, fr, en) for content authors write in several languages."""
    return (field_class(_l("%(label)s (Arabic)", label=label), render_kw={"lang": "ar", "dir": "rtl"}, **kwargs),
            field_class(_l("%(label)s (French)", label=label), render_kw={"lang": "fr", "dir": "ltr"}, **kwargs),
            field_class(_l("%(label)s (English)", label=label), render_kw={"lang": "en", "dir": "ltr"}, **kwargs))


class PostForm(FlaskForm):
    title_ar, title_fr, title_en = _translated(StringField, _l("Title"), validators=[Optional(), Length(max=300)])
    summary_ar, summary_fr, summary_en = _translated(TextAreaField, _l("Summary"), validators=[Optional(), Length(max=1000)])
    body_ar, body_fr, body_en = _translated(TextAreaField, _l("Body"), validators=[Optional()])
    category = SelectField(_l("Category"), choices=lambda: [(c.value, c.title) for c in PostCategory])
    published_at = DateTimeLocalField(_l("Publication date (Casablanca time)"), format="%Y-%m-%dT%H:%M",
                                      validators=[Optional()],
                                      description=_l("A post with a future date stays hidden until then."))
    is_published = BooleanField(_l("Published"))
    related_kind = SelectField(_l("Linked item"), choices=[
        ("", _l("None")), ("training_event", _l("Training event")), ("idarathon_edition", _l("Idarathon edition")),
        ("knowledge_resource", _l("Knowledge-base resource"))], validators=[Optional()])
    related_id = IntegerField(_l("Linked item number"), validators=[Optional()])
    related_url = URLField(_l("Or a web address"), validators=[Optional(), Length(max=500)])
    cover = FileField(_l("Cover image"), validators=[FileAllowed(["jpg", "jpeg", "png", "webp"],
                                                                 _l("Images only (JPEG, PNG, WebP)."))])


class AboutPageForm(FlaskForm):
    slug = StringField(_l("Address (slug)"), validators=[DataRequired(message=REQUIRED), Length(max=100)])
    title_ar, title_fr, title_en = _translated(StringField, _l("Title"), validators=[Optional(), Length(max=300)])
    body_ar, body_fr, body_en = _translated(TextAreaField, _l("Body"), validators=[Optional()])
    position = IntegerField(_l("Order"), default=0, validators=[Optional()])
    widget = SelectField(_l("Live section"), choices=[("", _l("None")), ("administrations", _l("Beneficiary administrations")),
                                                    ("modules", _l("Platform modules"))], validators=[Optional()])
    published = BooleanField(_l("Published"), default=True)


class CampaignForm(FlaskForm):
    title_ar, title_fr, title_en = _translated(StringField, _l("Title"), validators=[Optional(), Length(max=300)])
    text_ar, text_fr, text_en = _translated(StringField, _l("Text"), validators=[Optional(), Length(max=500)])
    link_url = StringField(_l("Call to action address"), validators=[Optional(), Length(max=500)])
    link_label_ar, link_label_fr, link_label_en = _translated(StringField, _l("Call to action label"),
                                                              validators=[Optional(), Length(max=100)])
    audience = SelectField(_l("Audience"), choices=lambda: [(a.value, a.title) for a in CampaignAudience])
    administration_id = SelectField(_l("Administration"), coerce=lambda v: int(v) if v else None,
                                    validators=[Optional()], validate_choice=False)
    course_id = IntegerField(_l("Course number"), validators=[Optional()])
    starts_at = DateTimeLocalField(_l("Starts (Casablanca time)"), format="%Y-%m-%dT%H:%M", validators=[Optional()])
    ends_at = DateTimeLocalField(_l("Ends (Casablanca time)"), format="%Y-%m-%dT%H:%M", validators=[Optional()])
    active = BooleanField(_l("Active"), default=True)


class NewsletterForm(FlaskForm):
    subject_ar, subject_fr, subject_en = _translated(StringField, _l("Subject"), validators=[Optional(), Length(max=200)])
    body_ar, body_fr, body_en = _translated(TextAreaField, _l("Message"), validators=[Optional()])


class ContactForm(FlaskForm):
    name = StringField(_l("Your name"), validators=[DataRequired(message=REQUIRED), Length(max=200)])
    email = EmailField(_l("Your e-mail"), validators=[DataRequired(message=REQUIRED),
                                                     Email(message=_l("Enter a valid e-mail address.")),
                                                     Length(max=255)])
    subject = StringField(_l("Subject"), validators=[DataRequired(message=REQUIRED), Length(max=200)])
    body = TextAreaField(_l("Message"), validators=[DataRequired(message=REQUIRED),
                                                   Length(min=10, max=5000,
                                                          message=_l("Between 10 and 5,000 characters."))])
    # Spam protection: a field people never see (bots fill it) and the signed time the form was shown.
    website = StringField(_l("Leave this field empty"), render_kw={"tabindex": "-1", "autocomplete": "off"})
    shown_at = HiddenField()
