"""Which language a text is written in, as an ISO 639-1 code ("en", "fi", "de").

`detect_language` uses py3langid (the langid.py model: a naive Bayes over byte n-grams,
97 languages, numpy only, the model ships inside the wheel, nothing is downloaded). It
says "" (unknown) rather than guess when the text is too short to tell, or when the
model is not confident: a two-word headline or a name is not evidence of a language.

Imports no other app (apps.core rule).
"""

from __future__ import annotations

import re
import threading

MIN_LETTERS = 20  # fewer letters than this: "" (a name, a number, a one-word line)
MIN_CONFIDENCE = 0.5  # normalised probability of the best language
SAMPLE_CHARS = 5000  # the first few thousand characters decide; long texts cost no more

_LETTER = re.compile(r"[^\W\d_]")
_URLISH = re.compile(r"https?://\S+|www\.\S+|\S+@\S+")

_identifier = None
_lock = threading.Lock()


def _get_identifier():
    global _identifier
    with _lock:
        if _identifier is None:
            from py3langid.langid import MODEL_FILE, LanguageIdentifier

            _identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
        return _identifier


def detect_language_with_confidence(text: str) -> tuple[str, float]:
    """(ISO 639-1 code or "", the model's probability for it; 0.0 when "")."""
    sample = _URLISH.sub(" ", (text or "")[:SAMPLE_CHARS])
    if len(_LETTER.findall(sample)) < MIN_LETTERS:
        return "", 0.0
    code, confidence = _get_identifier().classify(sample)
    if confidence < MIN_CONFIDENCE or not code or len(code) != 2:
        return "", float(confidence)
    return code, float(confidence)


def detect_language(text: str) -> str:
    """ISO 639-1 code of `text`'s language, or "" when the text is too short to tell or
    the model is unsure."""
    return detect_language_with_confidence(text)[0]


def primary_language(code: str) -> str:
    """'en-GB', 'EN_us', 'en' -> 'en'; '' stays ''."""
    return re.split(r"[-_]", (code or "").strip().lower(), maxsplit=1)[0][:3]
