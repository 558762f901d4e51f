"""Certificate access rules."""
from lms.accounts.models import SiteRole
from lms.core.permissions import permission_rule


@permission_rule("certificates.view_any")
def _view_any(user, certificate) -> bool:
    """Managers see the certificates of their administration's people (administrators pass anyway)."""
    holder = getattr(certificate, "user", None)
    return (user.role == SiteRole.manager and holder is not None and user.administration_id is not None
            and holder.administration_id == user.administration_id)
