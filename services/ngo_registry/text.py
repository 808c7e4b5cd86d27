"""Vietnamese text normalisation for diacritic-insensitive search, and classified-marking detection."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from typing import Any

_NON_WORD = re.compile(r"[^0-9a-z]+")


def normalise(text: str | None) -> str:
    """Lower-case, strip diacritics (đ -> d) and collapse punctuation to single spaces."""
    if not text:
        return ""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _NON_WORD.sub(" ", stripped.lower()).strip()


def fold_name(name: str | None) -> str:
    """An association's name as the name rule compares it: :func:`normalise` for Vietnamese.

    Case, diacritics (đ -> d), punctuation and repeated or edge spaces are ignored, exactly as
    :func:`normalise` does; letters of other scripts are kept (lower-cased, marks removed)
    rather than dropped, so a name written in another script never folds to the empty string
    and collides with every other such name.
    """
    if not name:
        return ""
    text = unicodedata.normalize("NFD", name.replace("đ", "d").replace("Đ", "D"))
    kept: list[str] = []
    latin_base = False
    for ch in text:
        if not unicodedata.category(ch).startswith("M"):
            latin_base = "LATIN" in unicodedata.name(ch, "")
            kept.append(ch if ch.isalnum() else " ")
        elif not latin_base:  # marks on Latin letters are diacritics; a script's own vowel signs (Khmer, Thai) stay
            kept.append(ch)
    words = "".join(kept)
    return " ".join(unicodedata.normalize("NFC", words).casefold().split())


def search_text(*names: str | None) -> str:
    """The value of ``association.search_text``: the normalised names joined."""
    return " ".join(n for n in (normalise(x) for x in names) if n)


#: security classification markings of Party/State secrets (never stored, G1)
MARKINGS = ("Tuyệt mật", "Tối mật", "Mật")
_MARKING_NORMALISED = {normalise(m): m for m in MARKINGS}
#: a stamp: the marking in capitals standing alone ("MẬT", "TỐI MẬT", "TUYỆT MẬT")
_STAMP = re.compile(r"(?<![\wÀ-ỹ])(TUYỆT MẬT|TỐI MẬT|MẬT)(?![\wÀ-ỹ])")
_MARKING_KEYS = {"classification", "security_marking", "do_mat", "muc_do_mat", "marking"}


def marking_in_text(text: str) -> str | None:
    """The classification stamp found in ``text`` (capitals, standing alone), if any."""
    found = _STAMP.search(unicodedata.normalize("NFC", text))
    if not found:
        return None
    return {"TUYỆT MẬT": "Tuyệt mật", "TỐI MẬT": "Tối mật", "MẬT": "Mật"}[found.group(1)]


def _walk(value: Any, path: str) -> Iterator[tuple[str, str | None, Any]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _walk(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _walk(item, f"{path}[{i}]")
    else:
        yield path, path.rsplit(".", 1)[-1] if path else None, value


def find_marking(payload: Any) -> tuple[str, str] | None:
    """``(marking, field path)`` when a payload is marked Mật, Tối mật or Tuyệt mật."""
    for path, key, value in _walk(payload, ""):
        if not isinstance(value, str):
            continue
        if key and normalise(key).replace(" ", "_") in _MARKING_KEYS:
            marking = _MARKING_NORMALISED.get(normalise(value))
            if marking:
                return marking, path
        marking_text = marking_in_text(value)
        if marking_text:
            return marking_text, path
    return None
