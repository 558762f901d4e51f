"""Access rules of the accounts area (checked through lms.core.permissions)."""
from lms.core.permissions import permission_rule

from .models import SiteRole


@permission_rule("accounts.manage_users")
def _manage_users(user, _obj=None) -> bool:
    return user.role == SiteRole.manager


@permission_rule("accounts.edit_user")
def _edit_user(user, target) -> bool:
    """Managers edit the users of their own administration (and nobody's role above learner/instructor)."""
    if target is None:
        return False
    if user.id == target.id:
        return True
    return (user.role == SiteRole.manager and user.administration_id is not None
            and target.administration_id == user.administration_id
            and target.role in (SiteRole.learner, SiteRole.instructor))


@permission_rule("site.admin")
def _site_admin(user, _obj=None) -> bool:
    return False  # administrators only (they pass every rule)
