"""Text normalisation for search in Arabic, French and English.

Arabic: diacritics (tashkeel), the superscript alef and tatweel removed; alef forms (أ إ آ ٱ) → ا,
taa marbuta ة → ه, alef maqsura ى → ي, hamza seats ؤ → و and ئ → ي; Arabic-Indic digits → 0-9; the
definite article and its common proclitics (ال، وال، بال، كال، فال، لل) stripped from longer words.
Latin: accents folded (é → e), case folded, a plural -s dropped. The same function prepares the index and the query, so
"المدرسة" finds "مَدْرَسَة" and "evenement" finds "Événement".
"""
from __future__ import annotations

import html
import re
import unicodedata

from markupsafe import Markup, escape

_ARABIC_MARKS = re.compile("[\u0610-\u061A\u064B-\u065F\u0670\u06D6-\u06ED\u0640]")
_ARABIC_LETTERS = str.maketrans({
    "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ة": "ه", "ى": "ي", "ؤ": "و", "ئ": "ي",
    **{chr(0x0660 + d): str(d) for d in range(10)}, **{chr(0x06F0 + d): str(d) for d in range(10)},
})
_TOKEN = re.compile(r"\w+", re.UNICODE)
_TAGS = re.compile(r"<[^>]+>")
_PROCLITICS = (("وال", 5), ("بال", 5), ("كال", 5), ("فال", 5), ("ال", 4), ("لل", 4))


def _fold_latin(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not (unicodedata.combining(c) and c < "\u0600"))


def normalize(text: str | None) -> str:
    if not text:
        return ""
    text = _ARABIC_MARKS.sub("", text)
    text = text.translate(_ARABIC_LETTERS)
    text = _fold_latin(text).casefold()
    return _ARABIC_MARKS.sub("", text)  # NFKD may expose marks of presentation forms


def _strip_article(token: str) -> str:
    for prefix, min_length in _PROCLITICS:
        if token.startswith(prefix) and len(token) >= min_length:
            return token[len(prefix):]
    # French and English plurals: "événements" finds "événement" (Latin script only).
    if len(token) > 3 and token.isascii() and token.endswith("s") and not token.endswith("ss"):
        return token[:-1]
    return token


def tokens(text: str | None) -> list[str]:
    return [_strip_article(t) for t in _TOKEN.findall(normalize(text)) if t]


def index_text(*parts: str | None) -> str:
    return " ".join(token for part in parts for token in tokens(part))


def html_to_text(markup: str | None) -> str:
    return html.unescape(_TAGS.sub(" ", markup or ""))


# -- highlighting on the original text -----------------------------------------------------------------

_OPTIONAL_MARKS = "[\u0610-\u061A\u064B-\u065F\u0670\u06D6-\u06ED\u0640]*"
_VARIANTS = {"ا": "اأإآٱ", "ه": "هة", "ي": "يىئ", "و": "وؤ"}


def _latin_variants() -> dict[str, str]:
    variants: dict[str, set[str]] = {}
    for code in list(range(0x41, 0x5B)) + list(range(0x61, 0x7B)) + list(range(0xC0, 0x250)):
        char = chr(code)
        folded = normalize(char)
        if len(folded) == 1 and folded.isascii():
            variants.setdefault(folded, set()).update({char, char.lower(), char.upper()})
    return {k: "".join(sorted(v)) for k, v in variants.items()}


_VARIANTS.update(_latin_variants())


def _token_pattern(token: str) -> str:
    return _OPTIONAL_MARKS.join(f"[{re.escape(_VARIANTS[c])}]" if c in _VARIANTS else re.escape(c) for c in token)


def highlight(text: str, query: str, length: int = 240) -> Markup:
    """A snippet of ``text`` around the first match, with every match wrapped in <mark>."""
    query_tokens = [t for t in tokens(query) if t]
    if not text:
        return Markup("")
    if not query_tokens:
        return escape(text[:length] + ("…" if len(text) > length else ""))
    pattern = re.compile("|".join(_token_pattern(t) for t in sorted(set(query_tokens), key=len, reverse=True)),
                         re.IGNORECASE)
    first = pattern.search(text)
    start = max(0, (first.start() if first else 0) - length // 3)
    end = min(len(text), start + length)
    snippet = text[start:end]
    out, position = [], 0
    for match in pattern.finditer(snippet):
        out.append(escape(snippet[position:match.start()]))
        out.append(Markup("<mark>") + escape(match.group(0)) + Markup("</mark>"))
        position = match.end()
    out.append(escape(snippet[position:]))
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(text) else ""
    return Markup(prefix) + Markup("").join(out) + Markup(suffix)
