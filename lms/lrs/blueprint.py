"""Every URL rule of the LRS: the xAPI resources (``/xapi``) and the operator pages (``/admin/lrs``)."""
from .admin import bp as admin_bp
from .api import bp as xapi_bp

bps = [xapi_bp, admin_bp]
