"""LIS roles (LTI 1.3 URIs, LTI 1.1 URNs and short names) → our course roles.

The mapping is data: ``LTI_ROLE_MAP`` in the configuration and a platform's own ``role_map`` override it,
keyed by the full URI or the short name (``Mentor``, ``TeachingAssistant``...). The highest role found
wins (instructor > tutor > learner); a launch with no recognised role is a learner. Context roles decide;
institution and system roles are read only when the launch carries no context role.
"""
from __future__ import annotations


LIS = "http://purl.imsglobal.org/vocab/lis/v2/"
MEMBERSHIP = LIS + "membership#"
INSTITUTION = LIS + "institution/person#"
SYSTEM = LIS + "system/person#"

RANK = {"learner": 1, "tutor": 2, "instructor": 3}

# Short names (the fragment of a v2 URI, sub-roles as "Parent#Sub") → course role.
CONTEXT_ROLES: dict[str, str | None] = {
    "Administrator": "instructor",
    "ContentDeveloper": "instructor",
    "Instructor": "instructor",
    "Instructor#TeachingAssistant": "tutor",
    "TeachingAssistant": "tutor",
    "Instructor#Grader": "tutor",
    "Instructor#Lecturer": "instructor",
    "Instructor#PrimaryInstructor": "instructor",
    "Instructor#SecondaryInstructor": "instructor",
    "Instructor#GuestInstructor": "tutor",
    "Instructor#ExternalInstructor": "tutor",
    "Mentor": "tutor",
    "Mentor#Advisor": "tutor",
    "Mentor#Auditor": "tutor",
    "Mentor#Reviewer": "tutor",
    "Mentor#Tutor": "tutor",
    "Manager": "instructor",
    "Member": "learner",
    "Learner": "learner",
    "Learner#Learner": "learner",
    "Learner#NonCreditLearner": "learner",
    "Learner#GuestLearner": "learner",
    "Learner#ExternalLearner": "learner",
    "Learner#Instructor": "learner",
    "Officer": "learner",
}

# Institution/system roles give a course role only when no context role was sent.
INSTITUTION_ROLES: dict[str, str | None] = {
    "Administrator": "instructor",
    "SysAdmin": "instructor",
    "Faculty": "instructor",
    "Instructor": "instructor",
    "Mentor": "tutor",
    "Staff": "learner",
    "Student": "learner",
    "Learner": "learner",
    "Member": "learner",
    "Alumni": "learner",
    "Guest": "learner",
    "Other": "learner",
    "None": None,
}


def _short(role: str) -> tuple[str, str]:
    """('context'|'institution'|'system', short name) for any spelling of a role."""
    role = role.strip()
    if role.startswith(MEMBERSHIP):
        return "context", role[len(MEMBERSHIP):]
    if role.startswith(LIS + "membership/"):  # v2 sub-role: .../membership/Instructor#TeachingAssistant
        return "context", role[len(LIS + "membership/"):]
    if role.startswith(INSTITUTION):
        return "institution", role[len(INSTITUTION):]
    if role.startswith(SYSTEM):
        return "system", role[len(SYSTEM):]
    if role.startswith("urn:lti:role:ims/lis/"):        # LTI 1.1 context role
        return "context", role[len("urn:lti:role:ims/lis/"):].replace("/", "#")
    if role.startswith("urn:lti:instrole:ims/lis/"):
        return "institution", role[len("urn:lti:instrole:ims/lis/"):]
    if role.startswith("urn:lti:sysrole:ims/lis/"):
        return "system", role[len("urn:lti:sysrole:ims/lis/"):]
    return "context", role  # LTI 1.1 short form ("Instructor", "Learner")


def split_roles(value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [part for part in (p.strip() for p in value.split(",")) if part]
    return [str(part) for part in value if part]


def course_role_for(roles, overrides: dict | None = None) -> str:
    """The course role ("instructor", "tutor" or "learner") a set of LIS roles gives."""
    from .settings import setting

    configured = dict(setting("LTI_ROLE_MAP"))
    configured.update(overrides or {})
    context_best = institution_best = None

    def better(current, candidate):
        if candidate is None:
            return current
        return candidate if current is None or RANK[candidate] > RANK[current] else current

    for role in split_roles(roles):
        scope, short = _short(role)
        if role in configured or short in configured:
            mapped = configured.get(role, configured.get(short))
        elif scope == "context":
            mapped = CONTEXT_ROLES.get(short, CONTEXT_ROLES.get(short.split("#")[0]))
        else:
            mapped = INSTITUTION_ROLES.get(short)
        if mapped is not None and mapped not in RANK:
            continue
        if scope == "context":
            context_best = better(context_best, mapped)
        else:
            institution_best = better(institution_best, mapped)
    return context_best or institution_best or "learner"
