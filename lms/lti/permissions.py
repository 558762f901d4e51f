"""LTI access rules: registering platforms is for administrators (who pass every check)."""
from lms.core.permissions import permission_rule


@permission_rule("lti.manage")
def _manage(user, _obj=None) -> bool:
    return False
