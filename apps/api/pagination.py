"""Pagination that integrations can sync from.

`KeysetPagination` pages on a unique ordering, (updated_at, id) for sync, with an opaque
cursor holding the last row's key: the next page is `WHERE (updated_at, id) > (t, i)`, so
rows sharing a timestamp are neither skipped nor repeated, and a claim edited while a
client pages moves to the end of the order, where the client meets it again.

One more hazard remains for timestamps: a transaction that set updated_at = t may commit
after a reader has already moved past t. The sync ordering therefore never serves rows
newer than the *horizon*: the start of the oldest transaction that is still writing, less a
small margin (API_SYNC_MARGIN_SECONDS) for the gap between the application clock and the
write. Rows past the horizon wait for the next request; none is lost.
"""

from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime

from django.conf import settings
from django.db.models import DateTimeField, Q
from django.db.models.expressions import RawSQL
from rest_framework import exceptions
from rest_framework.pagination import BasePagination, CursorPagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param


def page_size_of(request, pagination) -> int:
    """The page size asked for, checked the same way on every list: absent → the default;
    anything but a whole number from 1 to max_page_size → 400 naming the parameter (DRF's
    cursor pagination quietly used the default instead)."""
    raw = request.query_params.get(pagination.page_size_query_param)
    if raw in (None, ""):
        return pagination.page_size
    try:
        size = int(raw)
    except ValueError:
        size = 0
    if not 1 <= size <= pagination.max_page_size:
        raise exceptions.ValidationError(
            {
                pagination.page_size_query_param: [
                    f"Page size must be a whole number from 1 to {pagination.max_page_size}."
                ]
            }
        )
    return size


class StableCursorPagination(CursorPagination):
    """Cursor pagination on the primary key: unique and unchanging, so pages never skip or
    repeat rows while others write."""

    ordering = "-id"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500

    def get_page_size(self, request) -> int:
        return page_size_of(request, self)

    def decode_cursor(self, request):
        try:
            return super().decode_cursor(request)
        except exceptions.NotFound:
            # A bad cursor is bad input (400), not a missing resource.
            raise exceptions.ValidationError(
                {self.cursor_query_param: ["Invalid cursor: use the `next` link as is."]}
            ) from None


# Writers only: the application stamps updated_at at write time, and a transaction holds an
# xid from its first write on. Readers cannot make a row appear later with an old stamp.
_WRITERS_HORIZON = """(
  SELECT LEAST(clock_timestamp(), COALESCE(MIN(a.xact_start), 'infinity'::timestamptz))
         - make_interval(secs => %s)
  FROM pg_stat_activity a
  WHERE a.datname = current_database() AND a.pid <> pg_backend_pid()
    AND a.backend_xid IS NOT NULL
)"""
# Every open transaction: history rows are stamped with the transaction's start (NOW()), which
# may be long before the transaction writes and commits.
_ALL_HORIZON = """(
  SELECT LEAST(clock_timestamp(), COALESCE(MIN(a.xact_start), 'infinity'::timestamptz))
         - make_interval(secs => %s)
  FROM pg_stat_activity a
  WHERE a.datname = current_database() AND a.pid <> pg_backend_pid()
    AND a.xact_start IS NOT NULL AND a.backend_type = 'client backend'
)"""


def sync_horizon(*, all_transactions: bool = False) -> RawSQL:
    margin = float(getattr(settings, "API_SYNC_MARGIN_SECONDS", 1.0))
    return RawSQL(  # noqa: S611 - constant SQL; the margin is a bound parameter
        _ALL_HORIZON if all_transactions else _WRITERS_HORIZON,
        [margin],
        output_field=DateTimeField(),
    )


class KeysetPagination(BasePagination):
    """Keyset (seek) pagination with a choice of orderings, each ending in the primary key.

    Response: {"next": url|null, "resume": url|null, "results": [...]}. `next` is null when
    the page is the last one for now; in the sync ordering `resume` is always given: store
    it and GET it later to receive what changed after this page.
    """

    page_size = 50
    max_page_size = 500
    cursor_query_param = "cursor"
    ordering_query_param = "ordering"
    page_size_query_param = "page_size"
    orderings: dict[str, tuple[str, ...]] = {
        "-id": ("-id",),
        "id": ("id",),
        "updated_at": ("updated_at", "id"),
        "-updated_at": ("-updated_at", "-id"),
        "created_at": ("created_at", "id"),
        "-created_at": ("-created_at", "-id"),
    }
    default_ordering = "-id"
    sync_ordering: str | None = "updated_at"
    sync_field = "updated_at"
    sync_all_transactions = False
    pk_field = "id"

    # --- request parsing ---------------------------------------------------------------

    def get_ordering(self, request) -> str:
        ordering = request.query_params.get(self.ordering_query_param) or self.default_ordering
        if ordering not in self.orderings:
            raise exceptions.ValidationError(
                {
                    self.ordering_query_param: [
                        f"Unknown ordering {ordering!r}; use one of: {', '.join(self.orderings)}."
                    ]
                }
            )
        return ordering

    def get_page_size(self, request) -> int:
        return page_size_of(request, self)

    def decode_cursor(self, request, ordering: str) -> list | None:
        raw = request.query_params.get(self.cursor_query_param)
        if not raw:
            return None
        invalid = exceptions.ValidationError(
            {self.cursor_query_param: ["Invalid cursor: use the `next` or `resume` link as is."]}
        )
        try:
            data = json.loads(base64.urlsafe_b64decode(raw.encode() + b"=" * (-len(raw) % 4)))
        except (ValueError, binascii.Error, UnicodeDecodeError):
            raise invalid from None
        fields = self.orderings[ordering]
        if not isinstance(data, dict) or not isinstance(data.get("k"), list):
            raise invalid
        if data.get("o") != ordering:
            raise exceptions.ValidationError(
                {
                    self.cursor_query_param: [
                        f"This cursor belongs to ordering {data.get('o')!r}, not {ordering!r}."
                    ]
                }
            )
        key = data["k"]
        if len(key) != len(fields):
            raise invalid
        values = []
        for field, value in zip(fields, key, strict=True):
            name = field.lstrip("-")
            try:
                if name == self.pk_field:
                    if not isinstance(value, int) or isinstance(value, bool):
                        raise ValueError
                    values.append(value)
                else:
                    values.append(datetime.fromisoformat(value))
            except (TypeError, ValueError):
                raise invalid from None
        return values

    @staticmethod
    def encode_cursor(ordering: str, key: list) -> str:
        plain = [v.isoformat() if isinstance(v, datetime) else v for v in key]
        raw = json.dumps({"o": ordering, "k": plain}, separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    # --- the page ----------------------------------------------------------------------

    def after(self, fields: tuple[str, ...], key: list) -> Q:
        """Rows strictly after `key` in this ordering; the redundant >= on the leading
        column lets PostgreSQL start an index range scan there."""
        first = fields[0].lstrip("-")
        descending = fields[0].startswith("-")
        op, op_eq = ("lt", "lte") if descending else ("gt", "gte")
        if len(fields) == 1:
            return Q(**{f"{first}__{op}": key[0]})
        second = fields[1].lstrip("-")
        return Q(**{f"{first}__{op_eq}": key[0]}) & (
            Q(**{f"{first}__{op}": key[0]}) | Q(**{f"{first}": key[0], f"{second}__{op}": key[1]})
        )

    def paginate_queryset(self, queryset, request, view=None, *, key_of=None, id_windows=None):
        """The page's rows; `key_of(row, fields)` reads a row's key when the rows are not
        model instances. With `id_windows` (see `newest_first`), a page in the default
        ordering is read window by window."""
        self.request = request
        self.ordering = self.get_ordering(request)
        size = self.get_page_size(request)
        fields = self.orderings[self.ordering]
        position = self.decode_cursor(request, self.ordering)
        if id_windows is not None and self.reads_newest_first(request):
            upto = position[0] - 1 if position is not None else None
            rows = self.newest_first(queryset, id_windows, upto=upto, limit=size + 1)
        else:
            queryset = queryset.order_by(*fields)
            if position is not None:
                queryset = queryset.filter(self.after(fields, position))
            if self.ordering == self.sync_ordering:
                horizon = sync_horizon(all_transactions=self.sync_all_transactions)
                queryset = queryset.filter(**{f"{self.sync_field}__lt": horizon})
            rows = list(queryset[: size + 1])
        self.has_next = len(rows) > size
        rows = rows[:size]
        if rows:
            last = rows[-1]
            if key_of is not None:
                self.last_key = key_of(last, fields)
            else:
                self.last_key = [getattr(last, f.lstrip("-")) for f in fields]
        else:
            self.last_key = position
        return rows

    # Newest-first windows: the first covers the newest `first_window` ids; the next is
    # sized from the matches found so far (half as many again as the rate predicts), or
    # `window_growth` times larger after an empty window; the last holds everything older.
    first_window = 4096
    window_growth = 8

    def reads_newest_first(self, request) -> bool:
        """Whether this request's page can be read in id windows (the -id ordering)."""
        return self.orderings[self.get_ordering(request)] == ("-id",)

    def newest_first(self, queryset, id_windows, *, upto: int | None, limit: int) -> list:
        """The first `limit` rows of `queryset` in -id order with id <= `upto`, read in
        windows of ids, newest first, stopping as soon as `limit` rows are found.

        For a full-text search this is what makes a common word cheap: the plain query must
        fetch every match from the table (23,000 claims for a common word at a million
        claims) to find the newest 50, while a window of the newest few thousand ids holds
        enough of them and PostgreSQL reads only those. `id_windows(above, upto, limit)`
        returns the first `limit` rows, newest first, with above < id <= upto (ids are
        positive: above = 0 is no lower bound), the window applied inside the search too.
        Windows are disjoint and taken in order, so the rows are exactly the plain query's;
        a rare word costs a few more queries, each cheap."""
        if upto is None:
            upto = (
                queryset.model._default_manager.order_by("-id").values_list("id", flat=True).first()
            )
            if upto is None:
                return []
        rows: list = []
        span = self.first_window
        while len(rows) < limit and upto is not None and upto > 0:
            above = upto - span if upto - span > 0 else None
            found = id_windows(above or 0, upto, limit - len(rows))
            rows.extend(found)
            searched = upto - (above or 0)
            if found:
                rate = len(found) / searched
                span = max(int((limit - len(rows)) / rate * 1.5), 2 * span)
            else:
                span = searched * self.window_growth
            upto = above
        return rows

    def _link(self, key) -> str:
        url = self.request.build_absolute_uri()
        if key is None:
            return remove_query_param(url, self.cursor_query_param)
        return replace_query_param(
            url, self.cursor_query_param, self.encode_cursor(self.ordering, key)
        )

    def get_next_link(self) -> str | None:
        return self._link(self.last_key) if self.has_next else None

    def get_resume_link(self) -> str | None:
        if self.ordering != self.sync_ordering:
            return None
        return self._link(self.last_key)

    def get_paginated_response(self, data):
        return Response(
            {"next": self.get_next_link(), "resume": self.get_resume_link(), "results": data}
        )

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["next", "resume", "results"],
            "properties": {
                "next": {
                    "type": "string",
                    "format": "uri",
                    "nullable": True,
                    "description": "The next page; null when this is the last page for now.",
                },
                "resume": {
                    "type": "string",
                    "format": "uri",
                    "nullable": True,
                    "description": (
                        f"In the sync ordering (`{self.sync_ordering}`): where to continue "
                        "later to receive only what changed after this page. Null in other "
                        "orderings."
                    ),
                },
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "Opaque position from a `next` or `resume` link.",
                "schema": {"type": "string"},
            },
            {
                "name": self.ordering_query_param,
                "required": False,
                "in": "query",
                "description": (
                    f"Order of the results (default `{self.default_ordering}`). "
                    + (
                        f"`{self.sync_ordering}` is the sync ordering: oldest change first, "
                        "never skipping or repeating a row."
                        if self.sync_ordering
                        else ""
                    )
                ),
                "schema": {"type": "string", "enum": list(self.orderings)},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": f"Results per page, 1 to {self.max_page_size} "
                f"(default {self.page_size}).",
                "schema": {"type": "integer", "minimum": 1, "maximum": self.max_page_size},
            },
        ]


class TombstonePagination(KeysetPagination):
    """Deleted claims, oldest deletion first, on (deletion time, history row id)."""

    orderings = {"deleted_at": ("pgh_created_at", "pgh_id")}
    default_ordering = "deleted_at"
    sync_ordering = "deleted_at"
    sync_field = "pgh_created_at"
    sync_all_transactions = True
    pk_field = "pgh_id"

    def get_schema_operation_parameters(self, view):
        return [
            p
            for p in super().get_schema_operation_parameters(view)
            if p["name"] != self.ordering_query_param
        ]
