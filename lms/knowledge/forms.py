from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import IntegerField, SelectField, SelectMultipleField, StringField, TextAreaField, URLField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from lms.core.i18n import LANGUAGE_NAMES, _l

from .models import ResourceKind

REQUIRED = _l("This field is required.")


class ResourceForm(FlaskForm):
    language = SelectField(_l("Language"), choices=lambda: list(LANGUAGE_NAMES.items()))
    kind = SelectField(_l("Kind"), choices=lambda: [(k.value, k.title) for k in ResourceKind])
    title = StringField(_l("Title"), validators=[DataRequired(message=REQUIRED), Length(max=300)])
    summary = TextAreaField(_l("Summary"), validators=[Optional(), Length(max=2000)])
    body = TextAreaField(_l("Body"), validators=[Optional()],
                         description=_l("HTML is allowed: paragraphs, headings, lists, links, images, tables."))
    authors = StringField(_l("Authors"), validators=[Optional(), Length(max=500)])
    year = IntegerField(_l("Year"), validators=[Optional(), NumberRange(min=1956, max=2100)])
    workstreams = SelectMultipleField(_l("Workstreams"), coerce=int, validate_choice=False)
    topics = SelectMultipleField(_l("E-learning topics"), coerce=int, validate_choice=False)
    administrations = SelectMultipleField(_l("Administrations involved"), coerce=int, validate_choice=False)
    tags = StringField(_l("Tags"), description=_l("Separated by commas."), validators=[Optional(), Length(max=500)])
    external_url = URLField(_l("External link"), validators=[Optional(), Length(max=1000)])
    video_url = URLField(_l("Video link"), validators=[Optional(), Length(max=1000)])
    attachment = FileField(_l("Attachment"), description=_l("PDF, office documents, images, audio or video."))

    def data_dict(self) -> dict:
        return {"language": self.language.data, "kind": self.kind.data, "title": self.title.data,
                "summary": self.summary.data, "body": self.body.data, "authors": self.authors.data,
                "year": self.year.data, "workstreams": self.workstreams.data or [],
                "topics": self.topics.data or [], "administrations": self.administrations.data or [],
                "tags": [t for t in (self.tags.data or "").split(",") if t.strip()],
                "external_url": self.external_url.data, "video_url": self.video_url.data}
