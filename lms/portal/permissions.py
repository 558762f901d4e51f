from lms.core.permissions import permission_rule


@permission_rule("portal.manage")
def _manage(user, _obj=None) -> bool:
    return False  # administrators only (they pass every rule)
