"""ISO 8601 durations (timeinterval (second,10,2)) as used by cmi.session_time."""
from __future__ import annotations

import re
from typing import Optional

_DUR_RE = re.compile(
    r"^P(?:(?P<y>\d+)Y)?(?:(?P<mo>\d+)M)?(?:(?P<d>\d+)D)?"
    r"(?:T(?:(?P<h>\d+)H)?(?:(?P<mi>\d+)M)?(?:(?P<s>\d+(?:\.\d{1,2})?)S)?)?$"
)


def is_duration(value: str) -> bool:
    if not isinstance(value, str) or value in ("P", "") or value.endswith("T"):
        return False
    m = _DUR_RE.match(value)
    return bool(m) and any(m.group(k) is not None for k in ("y", "mo", "d", "h", "mi", "s"))


def parse_duration(value: str) -> Optional[float]:
    """Seconds in an ISO 8601 duration (years = 365 days, months = 30 days)."""
    if not is_duration(value):
        return None
    m = _DUR_RE.match(value)
    g = {k: float(v) if v else 0.0 for k, v in m.groupdict().items()}
    return (g["y"] * 365 * 86400 + g["mo"] * 30 * 86400 + g["d"] * 86400
            + g["h"] * 3600 + g["mi"] * 60 + g["s"])


def format_duration(seconds: float) -> str:
    seconds = max(0.0, float(seconds))
    h = int(seconds // 3600)
    m = int((seconds % 3600) // 60)
    s = round(seconds - h * 3600 - m * 60, 2)
    out = "PT"
    if h:
        out += f"{h}H"
    if m:
        out += f"{m}M"
    if s or out == "PT":
        out += (f"{s:.2f}".rstrip("0").rstrip(".") if s != int(s) else str(int(s))) + "S"
    return out
