"""LRS access rules: the operator pages and credentials are for administrators (who pass every rule)."""
from lms.core.permissions import permission_rule


@permission_rule("lrs.operate")
def _operate(user, _obj=None) -> bool:
    return False
