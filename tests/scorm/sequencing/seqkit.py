"""Small helpers to write activity trees for the sequencing unit tests."""
from __future__ import annotations

from lms.scorm.sequencing import SequencingSession, build_activity_tree

NS = (
    'xmlns="http://www.imsglobal.org/xsd/imscp_v1p1" '
    'xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_v1p3" '
    'xmlns:adlseq="http://www.adlnet.org/xsd/adlseq_v1p3" '
    'xmlns:adlnav="http://www.adlnet.org/xsd/adlnav_v1p3" '
    'xmlns:imsss="http://www.imsglobal.org/xsd/imsss"'
)


def manifest(body: str, org_seq: str = "", org_attrs: str = "", collection: str = "", org_id: str = "ORG") -> bytes:
    """A manifest with one organization whose items are ``body``."""
    return f"""<?xml version="1.0"?>
<manifest identifier="M" {NS}>
  <organizations default="{org_id}">
    <organization identifier="{org_id}" {org_attrs}>
      <title>Course</title>
      {body}
      {f'<imsss:sequencing>{org_seq}</imsss:sequencing>' if org_seq else ''}
    </organization>
  </organizations>
  <resources><resource identifier="R" type="webcontent" adlcp:scormType="sco" href="a.html"/></resources>
  {f'<imsss:sequencingCollection>{collection}</imsss:sequencingCollection>' if collection else ''}
</manifest>""".encode()


def leaf(ident: str, seq: str = "", title: str | None = None, extra: str = "") -> str:
    return (f'<item identifier="{ident}" identifierref="R"><title>{title or ident}</title>{extra}'
            f'{f"<imsss:sequencing>{seq}</imsss:sequencing>" if seq else ""}</item>')


def cluster(ident: str, children: str, seq: str = "", title: str | None = None) -> str:
    return (f'<item identifier="{ident}"><title>{title or ident}</title>{children}'
            f'{f"<imsss:sequencing>{seq}</imsss:sequencing>" if seq else ""}</item>')


FLOW = '<imsss:controlMode flow="true"/>'
FLOW_NO_CHOICE = '<imsss:controlMode flow="true" choice="false"/>'


def pre_rule(condition: str, action: str, operator: str = "noOp", referenced: str | None = None) -> str:
    ref = f' referencedObjective="{referenced}"' if referenced else ""
    return (f'<imsss:sequencingRules><imsss:preConditionRule><imsss:ruleConditions>'
            f'<imsss:ruleCondition condition="{condition}" operator="{operator}"{ref}/></imsss:ruleConditions>'
            f'<imsss:ruleAction action="{action}"/></imsss:preConditionRule></imsss:sequencingRules>')


def post_rule(condition: str, action: str, operator: str = "noOp") -> str:
    return (f'<imsss:sequencingRules><imsss:postConditionRule><imsss:ruleConditions>'
            f'<imsss:ruleCondition condition="{condition}" operator="{operator}"/></imsss:ruleConditions>'
            f'<imsss:ruleAction action="{action}"/></imsss:postConditionRule></imsss:sequencingRules>')


def session(xml: bytes, state=None, **kw) -> SequencingSession:
    return SequencingSession(build_activity_tree(xml), state, **kw)


def finish(s: SequencingSession, request: str = "continue", **report):
    """The current SCO reports ``report`` and terminates with ``request``."""
    return s.terminate(request, **report)
