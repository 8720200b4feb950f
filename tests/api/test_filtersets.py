"""The API's FilterSet base: shallow per-request filter copies and one form class per
FilterSet class must behave exactly as django-filter's own."""

import django_filters
import pytest
from django.http import QueryDict

from apps.api.filters import ClaimFilter
from apps.claims.models import Claim

pytestmark = pytest.mark.django_db


def test_each_filterset_gets_its_own_filters_bound_to_itself():
    first = ClaimFilter(QueryDict("claimant=1&q=grain"), queryset=Claim.objects.all())
    second = ClaimFilter(QueryDict("claimant=2"), queryset=Claim.objects.all())
    assert set(first.filters) >= {"claimant", "q"}
    for name, filter_ in first.filters.items():
        assert filter_ is not ClaimFilter.base_filters[name]
        assert filter_ is not second.filters[name]
        assert filter_.parent is first and filter_.model is Claim
        assert getattr(ClaimFilter.base_filters[name], "parent", None) is None
    method = first.filters["claimant"].filter
    assert (
        isinstance(method, django_filters.filters.FilterMethod)
        and method.f is first.filters["claimant"]
    )
    assert method.method == first.filter_claimant
    assert second.filters["claimant"].filter.method == second.filter_claimant


def test_form_class_is_shared_but_each_form_validates_its_own_data():
    good = ClaimFilter(QueryDict("status=new&status=published&claimant=3"))
    bad = ClaimFilter(QueryDict("status=bogus&claimant=x"))
    assert type(good.form) is type(bad.form)
    assert good.is_valid() and good.form.cleaned_data["status"] == ["new", "published"]
    assert not bad.is_valid() and set(bad.errors) == {"status", "claimant"}
    # The fields are shared (validation changes nothing in them), the data and errors not.
    assert good.form.fields["status"] is bad.form.fields["status"]
    assert good.form.errors == {} and good.form.cleaned_data is not bad.form.cleaned_data
    new = Claim.objects.create(statement="a")
    Claim.objects.create(statement="b", status="researching")
    statuses = ClaimFilter(QueryDict("status=new&status=published"))
    assert statuses.is_valid() and list(statuses.qs) == [new]


def test_status_and_verdict_filters_need_no_distinct():
    """They filter the claim's own columns, so no claim can repeat; DISTINCT over every
    selected column only made PostgreSQL sort the page's candidates."""
    filterset = ClaimFilter(QueryDict("status=new&verdict=false&verdict=true"))
    assert filterset.is_valid()
    assert "DISTINCT" not in str(filterset.qs.query)
