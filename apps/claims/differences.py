"""Where reports of one claim disagree: places, numbers, dates and names.

For each appearance of a claim, the sentence(s) around its span are searched for the
details that matter (`extract_details`):

* **places**: a gazetteer of countries, capitals and other places (with the country
  each is in) plus capitalised phrases after "in", "at", "near" or ending in a place
  word ("Vostochny Cosmodrome", "Amur region");
* **numbers** with what they count ("12 million shells", "9,000 kilometers", "152 mm");
* **dates**: months, weekdays, years, and relative ones ("tomorrow", "later this month");
* **names**: people named (two or more capitalised words that are not a place or an
  organisation), and the appearance's claimant.

`claim_differences(claim)` compares them. A kind *differs* when two appearances both give
that detail and each gives a value the other does not (one naming Vladivostok, another
Moscow); an appearance that simply omits a detail does not disagree. A place contained
in another that is named (Russia around Vladivostok) is context, not a rival. Numbers
are compared per thing counted (shells with shells). Relative dates are shown, never
counted as a disagreement: "tomorrow" and "mid-September" may be the same day.

The claim *disagrees* when places, numbers or dates differ (names differ too often for
innocent reasons, different people quoted, to flag a claim; they are shown in the panel).
The result is stored in `ClaimDifferences` (one row per claim), refreshed after every
change to a claim's appearances (signals below, run after the transaction commits), so
the claim list can filter with `claims_that_disagree()`.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import Appearance, Claim, ClaimDifferences

logger = logging.getLogger(__name__)

PLACE, NUMBER, DATE, NAME = "place", "number", "date", "name"
KINDS = (PLACE, NUMBER, DATE, NAME)
KIND_LABELS = {PLACE: "Places", NUMBER: "Numbers", DATE: "Dates", NAME: "Names"}
FLAGGED_KINDS = (PLACE, NUMBER, DATE)
MAX_APPEARANCES = 200  # compared per claim (the most recent); the rest are counted only
CONTEXT_MAX_CHARS = 600

# --------------------------------------------------------------------------- gazetteer

# place: country it is in ("" for countries and larger areas)
_GAZETTEER_TEXT = """
Russia|; Ukraine|; North Korea|; South Korea|; China|; Japan|; United States|; USA|;
US|; U.S.|; America|; United Kingdom|; UK|; Britain|; Great Britain|; England|;
Scotland|; Wales|; Ireland|; France|; Germany|; Italy|; Spain|; Portugal|;
Netherlands|; Belgium|; Poland|; Finland|; Sweden|; Norway|; Denmark|; Estonia|;
Latvia|; Lithuania|; Belarus|; Moldova|; Romania|; Hungary|; Czech Republic|;
Slovakia|; Austria|; Switzerland|; Greece|; Turkey|; Iran|; Iraq|; Syria|; Israel|;
Lebanon|; Jordan|; Egypt|; Saudi Arabia|; Yemen|; India|; Pakistan|; Afghanistan|;
Taiwan|; Mongolia|; Vietnam|; Thailand|; Indonesia|; Philippines|; Australia|;
New Zealand|; Canada|; Mexico|; Brazil|; Argentina|; Venezuela|; Cuba|; Nigeria|;
South Africa|; Ethiopia|; Kenya|; Sudan|; Libya|; Mali|; Georgia|; Armenia|;
Azerbaijan|; Kazakhstan|; Serbia|; Croatia|; Bulgaria|; Europe|; Asia|; Africa|;
Middle East|; North Africa|; Korean Peninsula|; Crimea|Ukraine; Donbas|Ukraine;
Donetsk|Ukraine; Luhansk|Ukraine; Kherson|Ukraine; Zaporizhzhia|Ukraine;
Kharkiv|Ukraine; Kyiv|Ukraine; Kiev|Ukraine; Odesa|Ukraine; Odessa|Ukraine;
Bakhmut|Ukraine; Mariupol|Ukraine; Moscow|Russia; St Petersburg|Russia;
Saint Petersburg|Russia; Vladivostok|Russia; Khabarovsk|Russia; Amur|Russia;
Amur region|Russia; Vostochny|Russia; Vostochny Cosmodrome|Russia; Siberia|Russia;
Kremlin|Russia; Pyongyang|North Korea; Seoul|South Korea; Busan|South Korea;
Beijing|China; Shanghai|China; Hong Kong|China; Tokyo|Japan; Washington|United States;
New York|United States; White House|United States; Pentagon|United States;
London|United Kingdom; Paris|France; Berlin|Germany; Brussels|Belgium;
Helsinki|Finland; Stockholm|Sweden; Warsaw|Poland; Minsk|Belarus; Vienna|Austria;
Geneva|Switzerland; Ankara|Turkey; Istanbul|Turkey; Tehran|Iran; Kabul|Afghanistan;
Delhi|India; New Delhi|India; Taipei|Taiwan; Pacific|; Pacific coast|
"""
_PLACE_WORDS = (
    "cosmodrome",
    "spaceport",
    "space center",
    "space centre",
    "region",
    "province",
    "oblast",
    "city",
    "port",
    "base",
    "airport",
    "island",
    "peninsula",
    "strait",
    "sea",
    "coast",
    "border",
    "square",
    "palace",
)
_ORG_WORDS = frozenset(
    """council university institute house news times agency ministry department
    administration government party group forces army navy command centre center
    program programme foundation endowment company corporation bank fund service
    services commission committee union organisation organization assembly parliament
    congress senate court guardian telegraph post journal bbc cbs nyt jazeera interfax
    tass reuters kremlin pentagon""".split()
)
_MONTHS = (
    "January February March April May June July August September October November December"
).split()
_WEEKDAYS = "Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split()
_NOT_NAMES = frozenset(
    [*_MONTHS, *_WEEKDAYS, "The", "A", "An", "In", "On", "At", "But", "And", "So", "If",
     "Mr", "Mrs", "Ms", "Dr", "President", "Minister", "Defence", "Defense", "Foreign",
     "National", "Security", "State", "Secretary", "General", "Lieutenant", "Professor",
     "Program", "Director", "Former", "Russian", "Korean", "North", "South", "Chinese",
     "American", "Western", "Eastern", "Soviet", "Supreme", "Leader", "Chairman"]
)  # fmt: skip


@lru_cache(maxsize=1)
def _gazetteer() -> dict[str, tuple[str, str]]:
    """lower-case name -> (display name, country it is in or "")."""
    places = {}
    for item in _GAZETTEER_TEXT.replace("\n", " ").split(";"):
        name, _, country = item.strip().partition("|")
        if name:
            places[name.lower()] = (name, country)
    return places


_CANONICAL_PLACE = {
    "usa": "United States",
    "us": "United States",
    "u.s.": "United States",
    "america": "United States",
    "uk": "United Kingdom",
    "britain": "United Kingdom",
    "great britain": "United Kingdom",
    "kiev": "Kyiv",
    "odessa": "Odesa",
    "saint petersburg": "St Petersburg",
    "vostochny": "Vostochny Cosmodrome",
    "amur": "Amur region",
}

# --------------------------------------------------------------------------- extraction

_CAP = r"[A-Z][\w'’\-]*"
_CAP_PHRASE = re.compile(rf"{_CAP}(?:\s+(?:of\s+|the\s+)?{_CAP})*")
_PREPOSITION_PLACE = re.compile(
    rf"\b(?:in|at|near|outside|inside)\s+(?:the\s+)?({_CAP}(?:\s+{_CAP}){{0,3}})"
)
_NUMBER = re.compile(
    r"(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(?:\s*(%|per ?cent|percent))?"
    r"(?:\s*(million|billion|trillion|thousand|bn|m)\b)?"
    r"(?:[\s-]*(?:of\s+)?([a-zA-Z]{2,}(?:-[a-zA-Z]+)?))?"
)
_SPELLED_MULTIPLIER = {"thousand": 1e3, "million": 1e6, "m": 1e6, "billion": 1e9, "bn": 1e9}
_UNIT_ALIASES = {
    "km": "kilometers",
    "kilometres": "kilometers",
    "kilometre": "kilometers",
    "kilometer": "kilometers",
    "millimeter": "mm",
    "millimeters": "mm",
    "millimetre": "mm",
    "millimetres": "mm",
    "percent": "%",
    "per cent": "%",
    "percentage": "%",
    "shell": "shells",
    "round": "rounds",
    "soldier": "soldiers",
    "troop": "troops",
    "year": "years",
    "month": "months",
    "day": "days",
    "dollar": "dollars",
    "person": "people",
}
_NUMBER_UNIT_STOP = frozenset(
    """and or to in the a an of for with by on at from as is was were are has have had
    this that these those more less than over under about around some per each every its
    their his her our will would could can may might be been being not""".split()
)
_DATE_ABSOLUTE = re.compile(
    r"\b(?:(?:early|mid|late)[\s-])?("
    + "|".join(_MONTHS)
    + r")(?:\s+(\d{1,2}))?(?:,?\s+((?:19|20)\d\d))?\b"
    r"|\b(\d{1,2})\s+(" + "|".join(_MONTHS) + r")(?:\s+((?:19|20)\d\d))?\b"
    r"|\b(" + "|".join(_WEEKDAYS) + r")\b"
    r"|\b((?:19|20)\d\d)\b"
)
_DATE_RELATIVE = re.compile(
    r"\b(yesterday|tomorrow|today|tonight|"
    r"(?:later|earlier|early|late)\s+this\s+(?:week|month|year)|"
    r"(?:last|this|next|final|coming)\s+(?:week|month|year|weekend)|"
    r"(?:last|this|next)\s+(?:spring|summer|autumn|fall|winter)|"
    r"\d+\s+(?:days|weeks|months|years)\s+(?:ago|later))\b",
    re.IGNORECASE,
)


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).replace("’", "'")


@dataclass
class Details:
    places: dict[str, str] = field(default_factory=dict)  # key -> display
    numbers: dict[str, str] = field(default_factory=dict)  # "value|unit" -> as written
    dates: dict[str, str] = field(default_factory=dict)  # key -> as written
    relative_dates: dict[str, str] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)

    def of(self, kind: str) -> dict[str, str]:
        return {PLACE: self.places, NUMBER: self.numbers, DATE: self.dates, NAME: self.names}[kind]


def _place_key(name: str) -> tuple[str, str] | None:
    lowered = name.lower().strip()
    lowered = re.sub(r"^the\s+", "", lowered)
    lowered = re.sub(r"'s$", "", lowered)
    gazetteer = _gazetteer()
    if lowered in _CANONICAL_PLACE:
        canonical = _CANONICAL_PLACE[lowered]
        return canonical.lower(), canonical
    if lowered in gazetteer:
        return lowered, gazetteer[lowered][0]
    return None


def _parent(key: str) -> str:
    entry = _gazetteer().get(key)
    if not entry:
        return ""
    parent = entry[1]
    return (_place_key(parent) or ("", ""))[0] if parent else ""


def _extract_places(text: str) -> tuple[dict[str, str], list[tuple[int, int]]]:
    """Places in `text`, and where they are (so names can skip them)."""
    found: dict[str, str] = {}
    gazetteer = _gazetteer()
    # Longest gazetteer names first, so "North Korea" wins over "Korea".
    taken: list[tuple[int, int]] = []
    for name in sorted(gazetteer, key=len, reverse=True):
        display = gazetteer[name][0]
        pattern = r"(?<![\w.])" + re.escape(display) + r"(?![\w])"
        flags = 0 if display.isupper() or len(display) <= 3 else re.IGNORECASE
        for match in re.finditer(pattern, text, flags):
            if display[0].isupper() and not match.group()[0].isupper():
                continue
            span = match.span()
            if any(a < span[1] and span[0] < b for a, b in taken):
                continue
            # Place words extend a name: "Vostochny Cosmodrome", "Amur region".
            tail = text[span[1] : span[1] + 20].lower()
            for word in _PLACE_WORDS:
                if tail.startswith(" " + word):
                    span = (span[0], span[1] + 1 + len(word))
                    break
            taken.append(span)
            key = _place_key(text[span[0] : span[1]]) or _place_key(display)
            if key:
                found[key[0]] = key[1]
            else:
                phrase = text[span[0] : span[1]]
                found[phrase.lower()] = phrase
    for match in _PREPOSITION_PLACE.finditer(text):
        phrase = match.group(1).strip()
        span = match.span(1)
        if any(a < span[1] and span[0] < b for a, b in taken):
            continue
        words = phrase.split()
        if words[0] in _NOT_NAMES or any(w.lower().strip("'’s") in _ORG_WORDS for w in words):
            continue
        if phrase in _MONTHS or phrase in _WEEKDAYS:
            continue
        taken.append(span)
        key = _place_key(phrase)
        found[key[0] if key else phrase.lower()] = key[1] if key else phrase
    return found, taken


def _extract_numbers(text: str, date_spans: list[tuple[int, int]]) -> dict[str, str]:
    found: dict[str, str] = {}
    for match in _NUMBER.finditer(text):
        if any(a <= match.start() < b for a, b in date_spans):
            continue
        raw, percent, multiplier, unit = match.groups()
        try:
            value = float(raw.replace(",", ""))
        except ValueError:
            continue
        if multiplier:
            value *= _SPELLED_MULTIPLIER.get(multiplier.lower(), 1)
        unit = (unit or "").lower()
        if percent:
            unit = "%"
        elif unit in _NUMBER_UNIT_STOP or unit in (m.lower() for m in _MONTHS):
            unit = ""
        unit = _UNIT_ALIASES.get(unit, unit)
        written = match.group().strip()
        if not unit:
            written = raw + (" " + multiplier if multiplier else "")
        key = f"{value:g}|{unit}"
        found.setdefault(key, written)
    return found


def _extract_dates(text: str) -> tuple[dict[str, str], dict[str, str], list[tuple[int, int]]]:
    absolute: dict[str, str] = {}
    spans = []
    for match in _DATE_ABSOLUTE.finditer(text):
        written = match.group().strip()
        spans.append(match.span())
        absolute[written.lower()] = written
    relative = {m.group().lower(): m.group() for m in _DATE_RELATIVE.finditer(text)}
    return absolute, relative, spans


def _extract_names(text: str, places: dict[str, str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for match in _CAP_PHRASE.finditer(text):
        words = [re.sub(r"['’]s?$", "", w) for w in match.group().split()]
        if any(w.lower() in _ORG_WORDS for w in words):
            continue  # an organisation
        # The name is the run after any titles: "Minister of Defense Sergei Shoigu".
        tail: list[str] = []
        for word in reversed(words):
            if word in _NOT_NAMES or word in ("of", "the"):
                break
            tail.insert(0, word)
        words = tail
        if len(words) < 2 or len(words) > 4:
            continue
        phrase = " ".join(words)
        lowered = phrase.lower()
        if _place_key(phrase) or lowered in places:
            continue
        if any(lowered in p or p in lowered for p in places):
            continue
        found.setdefault(_name_key(phrase), phrase)
    return found


def _name_key(name: str) -> str:
    from .nlp.attribution import claimant_key

    return claimant_key(name) or name.lower()


def extract_details(text: str) -> Details:
    """Places, numbers, dates and names in `text`."""
    text = _fold(text or "")
    dates, relative, date_spans = _extract_dates(text)
    places, place_spans = _extract_places(text)
    masked = list(text)
    for start, end in place_spans + date_spans:
        masked[start:end] = "|" * (end - start)
    return Details(
        places=places,
        numbers=_extract_numbers(text, date_spans),
        dates=dates,
        relative_dates=relative,
        names=_extract_names("".join(masked), places),
    )


# --------------------------------------------------------------------------- comparing


def appearance_context(appearance: Appearance, text: str | None = None) -> str:
    """The sentence(s) around an appearance's span: where its details are stated."""
    from .nlp.sentences import split_sentences

    text = appearance.article.text if text is None else text
    start, end = appearance.start, appearance.end
    if not (0 <= start < end <= len(text)) or text[start:end] != appearance.quote:
        found = text.find(appearance.quote) if appearance.quote else -1
        if found < 0:
            return appearance.quote[:CONTEXT_MAX_CHARS]
        start, end = found, found + len(appearance.quote)
    window_start = max(0, start - 2000)
    window = text[window_start : min(len(text), end + 2000)]
    pieces = [
        s
        for s in split_sentences(window)
        if s.start + window_start < end and start < s.end + window_start
    ]
    if not pieces:
        return text[start:end][:CONTEXT_MAX_CHARS]
    context = window[pieces[0].start : pieces[-1].end]
    if len(context) > CONTEXT_MAX_CHARS:
        # Keep the quote, trimmed to the limit around it.
        rel_start = start - window_start - pieces[0].start
        left = max(0, rel_start - (CONTEXT_MAX_CHARS - (end - start)) // 2)
        context = context[left : left + CONTEXT_MAX_CHARS]
    return context


def _specific_places(places: dict[str, str]) -> dict[str, str]:
    """Drop a place when a place inside it is named too (Russia around Vladivostok)."""
    parents = {_parent(key) for key in places}
    return {key: value for key, value in places.items() if key not in parents}


def _differs(value_sets: list[set[str]]) -> bool:
    """Two appearances each give a value the other lacks."""
    given = [values for values in value_sets if values]
    for i, a in enumerate(given):
        for b in given[i + 1 :]:
            if a - b and b - a:
                return True
    return False


def _number_differs(per_appearance: list[dict[str, str]]) -> bool:
    """Numbers of the same unit that differ between two appearances."""
    by_unit: list[dict[str, set[str]]] = []
    for numbers in per_appearance:
        units: dict[str, set[str]] = {}
        for key in numbers:
            value, _, unit = key.partition("|")
            if unit:
                units.setdefault(unit, set()).add(value)
        by_unit.append(units)
    for i, a in enumerate(by_unit):
        for b in by_unit[i + 1 :]:
            for unit in set(a) & set(b):
                if a[unit] - b[unit] and b[unit] - a[unit]:
                    return True
    return False


def compare(entries: list[dict]) -> dict:
    """Compare appearance entries ({"id", "details": Details, ...}); the panel's data."""
    kinds: dict[str, dict] = {}
    for kind in KINDS:
        per = []
        for entry in entries:
            values = entry["details"].of(kind)
            if kind == PLACE:
                values = _specific_places(values)
            per.append(values)
        if kind == NUMBER:
            differs = _number_differs(per)
        else:
            differs = _differs([set(values) for values in per])
        table: dict[str, dict] = {}
        for entry, values in zip(entries, per, strict=True):
            for key, shown in values.items():
                row = table.setdefault(key, {"value": shown, "appearances": []})
                row["appearances"].append(entry["id"])
        for row in table.values():
            row["everywhere"] = len(row["appearances"]) == len(entries)
        relative = []
        if kind == DATE:
            seen: dict[str, list[int]] = {}
            for entry in entries:
                for key in entry["details"].relative_dates:
                    seen.setdefault(key, []).append(entry["id"])
            relative = [{"value": k, "appearances": v} for k, v in seen.items()]
        kinds[kind] = {
            "label": KIND_LABELS[kind],
            "differs": differs,
            "values": sorted(
                table.values(), key=lambda r: (r["everywhere"], -len(r["appearances"]))
            ),
            "relative": relative,
        }
    differing = [kind for kind in KINDS if kinds[kind]["differs"]]
    return {
        "kinds": kinds,
        "differing": differing,
        "disagrees": any(kind in FLAGGED_KINDS for kind in differing),
    }


def claim_differences(claim: Claim, *, store: bool = True) -> dict:
    """The differences panel's data for `claim` (JSON-serialisable):

    ``{"appearances": [{"id", "article_id", "article_title", "outlet", "claimant",
    "context"}], "kinds": {kind: {"label", "differs", "values": [{"value", "appearances",
    "everywhere"}], "relative"}}, "differing": [kinds], "disagrees": bool,
    "appearance_count": int}``. With `store`, the summary is saved for the list filter."""
    appearances = list(
        claim.appearances.select_related("article", "article__outlet", "claimant").order_by(
            "-created_at", "-id"
        )[:MAX_APPEARANCES]
    )
    total = claim.appearances.count() if len(appearances) >= MAX_APPEARANCES else len(appearances)
    entries = []
    for appearance in appearances:
        context = appearance_context(appearance)
        details = extract_details(context)
        if appearance.claimant:
            details.names.setdefault(_name_key(appearance.claimant.name), appearance.claimant.name)
        article = appearance.article
        entries.append(
            {
                "id": appearance.pk,
                "article_id": article.pk,
                "article_title": article.title,
                "outlet": article.outlet.name if article.outlet else "",
                "claimant": appearance.claimant.name if appearance.claimant else "",
                "context": context,
                "details": details,
            }
        )
    if len(entries) < 2:
        result = {"kinds": {}, "differing": [], "disagrees": False}
    else:
        result = compare(entries)
    result["appearances"] = [
        {k: v for k, v in entry.items() if k != "details"} for entry in reversed(entries)
    ]
    result["appearance_count"] = total
    if store:
        ClaimDifferences.objects.update_or_create(
            claim=claim,
            defaults={
                "disagrees": result["disagrees"],
                "kinds": result["differing"],
                "summary": {
                    kind: [v["value"] for v in result["kinds"][kind]["values"]]
                    for kind in result["differing"]
                },
                "appearance_count": total,
            },
        )
    return result


def differences_refresh(claim_id: int) -> ClaimDifferences | None:
    claim = Claim.objects.filter(pk=claim_id).first()
    if claim is None:
        return None
    claim_differences(claim, store=True)
    return ClaimDifferences.objects.filter(claim_id=claim_id).first()


def claims_that_disagree(claims: QuerySet[Claim] | None = None) -> QuerySet[Claim]:
    """Claims whose appearances disagree on places, numbers or dates."""
    claims = Claim.objects.all() if claims is None else claims
    return claims.filter(differences__disagrees=True)


def with_disagreement(claims: QuerySet[Claim]) -> QuerySet[Claim]:
    """Annotate ``details_disagree`` (bool) for list pages."""
    return claims.annotate(
        details_disagree=Exists(
            ClaimDifferences.objects.filter(claim=OuterRef("pk"), disagrees=True)
        )
    )


# --------------------------------------------------------------------------- keeping it fresh


def _refresh_after_commit(claim_id: int) -> None:
    def run() -> None:
        try:
            differences_refresh(claim_id)
        except Exception:  # noqa: BLE001 - a summary must never fail the user's change
            logger.exception("Could not refresh the differences of claim %s", claim_id)

    transaction.on_commit(run, robust=True)


@receiver(post_save, sender=Appearance, dispatch_uid="claims.differences.appearance_saved")
def _appearance_saved(sender, instance: Appearance, **kwargs) -> None:
    _refresh_after_commit(instance.claim_id)


@receiver(post_delete, sender=Appearance, dispatch_uid="claims.differences.appearance_deleted")
def _appearance_deleted(sender, instance: Appearance, **kwargs) -> None:
    _refresh_after_commit(instance.claim_id)
