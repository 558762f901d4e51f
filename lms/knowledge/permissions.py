"""Knowledge-base access rules."""
from lms.accounts.models import SiteRole
from lms.core.permissions import permission_rule

from .models import ResourceStatus


@permission_rule("knowledge.contribute")
def _contribute(user, _obj=None) -> bool:
    return user.role in (SiteRole.instructor, SiteRole.manager)


@permission_rule("knowledge.review")
def _review(user, _obj=None) -> bool:
    """Reviewers publish, send back, archive; they also moderate comments."""
    return user.role == SiteRole.manager


@permission_rule("knowledge.view", allow_anonymous=True)
def _view(user, resource) -> bool:
    if resource.status == ResourceStatus.published:
        return True
    if user is None:
        return False
    return resource.created_by_id == user.id or user.role == SiteRole.manager


@permission_rule("knowledge.edit")
def _edit(user, resource) -> bool:
    if user.role == SiteRole.manager:
        return True
    return resource.created_by_id == user.id and resource.status in (ResourceStatus.draft, ResourceStatus.in_review)


@permission_rule("knowledge.engage")
def _engage(user, resource) -> bool:
    """Rate, comment, bookmark: any signed-in person, on published resources."""
    return resource.status == ResourceStatus.published
