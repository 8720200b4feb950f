"""FastJSONRenderer (orjson) must write what DRF's JSONRenderer writes."""

import dataclasses
import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from django.utils.translation import gettext_lazy
from rest_framework.exceptions import ErrorDetail
from rest_framework.renderers import JSONRenderer

from apps.api.renderers import FastJSONRenderer
from apps.claims.models import Status


@dataclasses.dataclass
class Point:
    x: int


SAMPLES = [
    {"next": None, "results": [{"id": 1, "tags": [], "ok": True, "text": "é 🦆 \u2028\u2029"}]},
    {"control": '\x00\x07\x1f\x7f\n\t"\\/', "nested": [[{}], [None, False, 2**63 - 1]]},
    {"when": datetime(2025, 1, 2, 3, 4, 5, 678901, tzinfo=UTC), "day": date(2025, 1, 2)},
    {"lazy": gettext_lazy("This field is required."), "error": ErrorDetail("bad", code="x")},
    {"status": Status.PUBLISHED, "uuid": uuid.UUID(int=7), "span": timedelta(seconds=90)},
    {"money": Decimal("1.50"), "point": Point(1)},
    {1: "non-string key", "big": 2**70},
    [],
    "plain",
]


def test_fast_json_is_drf_json_byte_for_byte():
    for data in SAMPLES:
        try:
            expected = JSONRenderer().render(data)
        except TypeError as exc:
            expected = exc
        try:
            got = FastJSONRenderer().render(data)
        except TypeError as exc:
            got = exc
        if isinstance(expected, Exception):
            assert type(got) is type(expected), data
        else:
            assert got == expected, data


def test_fast_json_indents_as_drf_when_asked():
    data = {"a": [1, {"b": None}]}
    media = "application/json; indent=2"
    assert FastJSONRenderer().render(data, media) == JSONRenderer().render(data, media)
    assert FastJSONRenderer().render(None) == b""
