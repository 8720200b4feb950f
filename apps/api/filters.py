"""FilterSets: every user-supplied filter is declared here, never passed to .filter(**...)."""

import copy
from datetime import UTC, datetime

import django_filters
from django import forms
from django.contrib.postgres.search import SearchQuery, SearchVectorField
from django.db.models import Exists, F, Func, OuterRef, Q
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django_filters.filters import FilterMethod
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework.exceptions import ValidationError

from apps.articles.models import Article, Outlet
from apps.claims.models import Appearance, Claim, Claimant, Status, Verdict
from apps.evidence.models import EvidenceLink
from apps.ingestion.models import Feed, IngestJob

SEARCH_CONFIG = "english"


@extend_schema_field(OpenApiTypes.INT)
class IdFilter(django_filters.NumberFilter):
    """An id: a whole number (NumberFilter alone would take 1.5)."""

    field_class = forms.IntegerField


def english_document(field: str) -> Func:
    """to_tsvector('english', <field>), spelled out so that the query's expression and the
    GIN index's are the same text (SearchVector adds a COALESCE that PostgreSQL may fold
    away in an index on a NOT NULL column, and then the index no longer matches)."""
    return Func(
        F(field),
        template="to_tsvector('english'::regconfig, %(expressions)s)",
        output_field=SearchVectorField(),
    )


def claim_text_search(value: str, *, above: int | None = None, upto: int | None = None) -> Q:
    """Full-text match of `value` (web-search syntax: words, "phrases", -not, or) over the
    claim statement and the quotes of its appearances.

    Two uncorrelated sub-selects, each able to use a GIN expression index on
    to_tsvector('english', ...), instead of an OR across a join that could use neither.

    `above < id <= upto` limits the search to a window of claim ids inside both
    sub-selects, where PostgreSQL ANDs the word's index bitmap with the id range's and
    reads from the table only the matches in the window (see KeysetPagination's
    newest-first windows)."""
    query = SearchQuery(value, search_type="websearch", config=SEARCH_CONFIG)
    bounds = {}
    if above is not None:
        bounds["id__gt"] = above
    if upto is not None:
        bounds["id__lte"] = upto
    by_statement = (
        Claim.objects.annotate(document=english_document("statement"))
        .filter(document=query, **bounds)
        .order_by()
        .values("id")
    )
    by_quote = (
        Appearance.objects.annotate(document=english_document("quote"))
        .filter(document=query, **{f"claim_{lookup}": v for lookup, v in bounds.items()})
        .order_by()
        .values("claim_id")
    )
    return Q(id__in=by_statement.union(by_quote), **bounds)


def as_utc(value: datetime | None) -> datetime | None:
    """Naive times are UTC; offsets are applied here, so PostgreSQL never sees one it
    refuses (it allows at most ±15:59). Raises OverflowError at the ends of the calendar."""
    if value is None:
        return None
    if timezone.is_naive(value):
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


class _PresentIsoDateTimeField(django_filters.fields.IsoDateTimeField):
    """A date parameter that is sent must hold a date: `?updated_since=` is a mistake (a
    client's variable left empty), not "no filter", which would quietly return everything."""

    def clean(self, value):
        if value is not None and not str(value).strip():
            raise forms.ValidationError(
                "Empty date: give an ISO 8601 date-time such as 2026-11-01T00:00:00Z, or leave "
                "the parameter out."
            )
        return super().clean(value)


class UtcDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = _PresentIsoDateTimeField

    def filter(self, qs, value):
        try:
            value = as_utc(value)
        except OverflowError:
            raise ValidationError(
                {self.field_name: ["This time is outside the range the API accepts."]}
            ) from None
        return super().filter(qs, value)


def _copy_filter(filter_: django_filters.Filter) -> django_filters.Filter:
    """A filter's own copy for one FilterSet instance. django-filter deep-copies every
    filter, with its choices and help texts, on every request; nothing but the instance
    attributes set per request (parent, the method binding) needs to be its own, and the
    rest, the form field included (no filter here takes a per-request queryset), is never
    changed after the class is built."""
    copy_ = copy.copy(filter_)  # keeps the form field built once for the class (`_field`)
    copy_.extra = dict(filter_.extra)
    if isinstance(filter_.__dict__.get("filter"), FilterMethod):
        copy_.method = filter_.method  # binds a FilterMethod to the copy, not the original
    return copy_


class _Filters(dict):
    def __deepcopy__(self, memo):
        return {name: _copy_filter(filter_) for name, filter_ in self.items()}


class _SharedFields(dict):
    """A validation form's fields, shared by its instances: Django deep-copies a form's
    fields for every instance so that rendering may change them, but these forms only
    validate query parameters (fields' `clean` changes nothing), and copying the choice
    fields cost more than the rest of the filtering."""

    def __deepcopy__(self, memo):
        return dict(self)


class FilterSet(django_filters.FilterSet):
    """django-filter's FilterSet with less work per request, none of it visible: filters
    are copied shallowly (see _copy_filter) and keep the form field built once for the
    class, and the validation form class, which does not depend on the request, is built
    once per FilterSet class with fields its instances share (see _SharedFields)."""

    def __init__(self, *args, **kwargs):
        cls = type(self)
        if not isinstance(cls.__dict__.get("base_filters"), _Filters):
            for filter_ in cls.base_filters.values():
                filter_.model = cls._meta.model  # as each copy would get it: the same label
                filter_.field  # noqa: B018 - built once here, shared by the copies
            cls.base_filters = _Filters(cls.base_filters)
        super().__init__(*args, **kwargs)

    def get_form_class(self):
        cls = type(self)
        form_class = cls.__dict__.get("_form_class")
        if form_class is None:
            form_class = super().get_form_class()
            form_class.base_fields = _SharedFields(form_class.base_fields)
            cls._form_class = form_class  # two threads may both build it: equal classes
        return form_class


class ClaimFilter(FilterSet):
    # distinct=False: a column of the claim itself cannot repeat a claim, and DISTINCT over
    # every selected column made PostgreSQL sort each page's candidates.
    status = django_filters.MultipleChoiceFilter(
        choices=Status.choices,
        distinct=False,
        help_text="Workflow status; repeat for any of several.",
    )
    verdict = django_filters.MultipleChoiceFilter(
        choices=Verdict.choices, distinct=False, help_text="Verdict; repeat for any of several."
    )
    claimant = IdFilter(
        method="filter_claimant", help_text="Claims with an appearance by this claimant id."
    )
    outlet = IdFilter(
        method="filter_outlet", help_text="Claims appearing in an article of this outlet id."
    )
    article = IdFilter(method="filter_article", help_text="Claims appearing in this article id.")
    tag = django_filters.CharFilter(
        method="filter_tag", help_text="Claims carrying this tag (lower case)."
    )
    assignee = IdFilter(field_name="assignee_id", help_text="Claims assigned to this user id.")
    published_since = UtcDateTimeFilter(
        field_name="published_at",
        lookup_expr="gte",
        help_text="Published at or after this time (ISO 8601).",
    )
    updated_since = UtcDateTimeFilter(
        field_name="updated_at",
        lookup_expr="gte",
        help_text="Changed at or after this time (ISO 8601). For sync, prefer the `resume` "
        "link, which never skips a change.",
    )
    q = django_filters.CharFilter(
        method="filter_q",
        max_length=500,
        help_text='Full-text search over the statement and the quotes: words, "a phrase", '
        "-excluded, or.",
    )

    class Meta:
        model = Claim
        fields = ["status", "verdict"]

    def _with_appearance(self, queryset, condition: Q):
        return queryset.filter(
            Exists(Appearance.objects.filter(condition, claim_id=OuterRef("pk")))
        )

    def filter_claimant(self, queryset, name, value):
        return self._with_appearance(queryset, Q(claimant_id=value))

    def filter_outlet(self, queryset, name, value):
        # The claims of an outlet's articles, computed first (OFFSET 0 keeps PostgreSQL
        # from folding it into a semi-join that walks every appearance in claim order to
        # fill a LIMIT: 20 ms instead of 200-400 ms at 2M appearances). `value` is a
        # validated integer, passed as a parameter.
        return queryset.filter(
            id__in=RawSQL(
                "SELECT claim_id FROM (SELECT a.claim_id FROM claims_appearance a "
                "JOIN articles_article r ON r.id = a.article_id WHERE r.outlet_id = %s "
                "OFFSET 0) AS outlet_claims",
                [int(value)],
            )
        )

    def filter_article(self, queryset, name, value):
        return self._with_appearance(queryset, Q(article_id=value))

    def filter_tag(self, queryset, name, value):
        tag = " ".join(value.split()).lower()
        return queryset.filter(tags__contains=[tag]) if tag else queryset

    # (above, upto): search only claims with above < id <= upto (None: no bound).
    id_window: tuple[int | None, int | None] = (None, None)

    def filter_q(self, queryset, name, value):
        if not value.strip():
            return queryset
        above, upto = self.id_window
        return queryset.filter(claim_text_search(value, above=above, upto=upto))

    def searches(self) -> bool:
        """Whether this filtering includes a full-text search (valid filtersets only)."""
        return bool((self.form.cleaned_data.get("q") or "").strip())


class ArticleFilter(FilterSet):
    outlet = IdFilter(field_name="outlet_id", help_text="Outlet id.")
    language = django_filters.CharFilter(help_text="Language code, e.g. `en`.")
    status = django_filters.ChoiceFilter(choices=Article.Status.choices)
    published_since = UtcDateTimeFilter(field_name="published_at", lookup_expr="gte")

    class Meta:
        model = Article
        fields = ["outlet", "language", "status"]


class OutletFilter(FilterSet):
    q = django_filters.CharFilter(method="filter_q", max_length=200, help_text="Name or domain.")
    country = django_filters.CharFilter(help_text="ISO 3166 alpha-2 code.")

    class Meta:
        model = Outlet
        fields = ["country"]

    def filter_q(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(domain__icontains=value))


class ClaimantFilter(FilterSet):
    q = django_filters.CharFilter(method="filter_q", max_length=200, help_text="Name or alias.")
    kind = django_filters.ChoiceFilter(choices=Claimant.Kind.choices)

    class Meta:
        model = Claimant
        fields = ["kind"]

    def filter_q(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(key__icontains=value))


class AppearanceFilter(FilterSet):
    claim = IdFilter(field_name="claim_id")
    article = IdFilter(field_name="article_id")
    claimant = IdFilter(field_name="claimant_id")

    class Meta:
        model = Appearance
        fields = ["claim", "article", "claimant"]


class EvidenceFilter(FilterSet):
    claim = IdFilter(field_name="claim_id")
    stance = django_filters.ChoiceFilter(choices=EvidenceLink.Stance.choices)

    class Meta:
        model = EvidenceLink
        fields = ["claim", "stance"]


class IngestJobFilter(FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=IngestJob.Status.choices)
    channel = django_filters.ChoiceFilter(choices=IngestJob.Channel.choices)

    class Meta:
        model = IngestJob
        fields = ["status", "channel"]


class FeedFilter(FilterSet):
    outlet = IdFilter(field_name="outlet_id")
    is_active = django_filters.BooleanFilter()

    class Meta:
        model = Feed
        fields = ["outlet", "is_active"]
