from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional

from lms.core.i18n import LANGUAGE_NAMES, _l

from .models import AdministrationLevel, Gender, SiteRole


class LoginForm(FlaskForm):
    username = StringField(_l("Username or e-mail"), validators=[DataRequired(message=_l("This field is required."))],
                           render_kw={"autocomplete": "username"})
    password = PasswordField(_l("Password"), validators=[DataRequired(message=_l("This field is required."))],
                             render_kw={"autocomplete": "current-password"})
    remember = BooleanField(_l("Remember me"))


def _language_choices():
    return [(code, name) for code, name in LANGUAGE_NAMES.items()]


def _gender_choices():
    return [("", _l("Not recorded"))] + [(g.value, g.title) for g in Gender]


class ProfileForm(FlaskForm):
    full_name = StringField(_l("Full name"), validators=[Length(max=255)])
    email = EmailField(_l("E-mail"), validators=[Optional(), Email(message=_l("Enter a valid e-mail address."))])
    job_title = StringField(_l("Job title"), validators=[Optional(), Length(max=255)])
    preferred_language = SelectField(_l("Preferred language"), choices=_language_choices)
    gender = SelectField(_l("Gender"), choices=_gender_choices, validators=[Optional()],
                         description=_l("Optional. Used only for statistics split by women and men."))
    administration_id = SelectField(_l("Administration"), coerce=lambda v: int(v) if v else None,
                                    validators=[Optional()], validate_choice=False)


class PasswordChangeForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired(message=_l("This field is required."))],
                                     render_kw={"autocomplete": "current-password"})
    new_password = PasswordField(_l("New password"), validators=[DataRequired(message=_l("This field is required.")),
                                                               Length(min=8, message=_l("At least 8 characters."))],
                                 render_kw={"autocomplete": "new-password"})
    confirm = PasswordField(_l("Confirm the new password"),
                            validators=[EqualTo("new_password", message=_l("The two passwords differ."))],
                            render_kw={"autocomplete": "new-password"})


class ResetRequestForm(FlaskForm):
    login = StringField(_l("Username or e-mail"), validators=[DataRequired(message=_l("This field is required."))])


class ResetForm(FlaskForm):
    new_password = PasswordField(_l("New password"), validators=[DataRequired(message=_l("This field is required.")),
                                                               Length(min=8, message=_l("At least 8 characters."))],
                                 render_kw={"autocomplete": "new-password"})
    confirm = PasswordField(_l("Confirm the new password"),
                            validators=[EqualTo("new_password", message=_l("The two passwords differ."))],
                            render_kw={"autocomplete": "new-password"})


class UserCreateForm(FlaskForm):
    username = StringField(_l("Username"), validators=[DataRequired(message=_l("This field is required.")), Length(max=150)])
    full_name = StringField(_l("Full name"), validators=[Length(max=255)])
    email = EmailField(_l("E-mail"), validators=[Optional(), Email(message=_l("Enter a valid e-mail address."))])
    password = PasswordField(_l("Password"), validators=[DataRequired(message=_l("This field is required.")),
                                                        Length(min=8, message=_l("At least 8 characters."))])
    role = SelectField(_l("Role"), choices=lambda: [(r.value, r.title) for r in SiteRole])
    administration_id = SelectField(_l("Administration"), coerce=lambda v: int(v) if v else None,
                                    validators=[Optional()], validate_choice=False)
    gender = SelectField(_l("Gender"), choices=_gender_choices, validators=[Optional()])


class AdministrationForm(FlaskForm):
    code = StringField(_l("Code"), validators=[DataRequired(message=_l("This field is required.")), Length(max=64)],
                       description=_l("Letters, digits and dashes; used in imports and reports."))
    name_ar = StringField(_l("Name (Arabic)"), render_kw={"lang": "ar", "dir": "rtl"}, validators=[Length(max=300)])
    name_fr = StringField(_l("Name (French)"), render_kw={"lang": "fr", "dir": "ltr"}, validators=[Length(max=300)])
    name_en = StringField(_l("Name (English)"), render_kw={"lang": "en", "dir": "ltr"}, validators=[Length(max=300)])
    acronym = StringField(_l("Acronym"), validators=[Optional(), Length(max=32)])
    parent_id = SelectField(_l("Part of"), coerce=lambda v: int(v) if v else None, validators=[Optional()],
                            validate_choice=False)
    level = SelectField(_l("Level"), choices=lambda: [(lvl.value, lvl.title) for lvl in AdministrationLevel])
    logo = FileField(_l("Logo"), validators=[FileAllowed(["png", "jpg", "jpeg", "svg", "webp"],
                                                         _l("Images only (PNG, JPEG, SVG, WebP)."))])
