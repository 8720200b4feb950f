"""Every list endpoint checks its paging and date parameters as /api/claims/ does: a bad
cursor, a page size that is not a whole number from 1 to 500, or an empty or malformed
date answers 400 in the JSON error shape, naming the parameter."""

import pytest

pytestmark = pytest.mark.django_db

LISTS = [
    "/api/claims/",
    "/api/claims/deleted/",
    "/api/articles/",
    "/api/appearances/",
    "/api/evidence/",
    "/api/claimants/",
    "/api/outlets/",
    "/api/jobs/",
    "/api/feeds/",
]
BAD_PAGING = [
    ("cursor", "not-a-cursor"),
    ("page_size", "0"),
    ("page_size", "-3"),
    ("page_size", "many"),
    ("page_size", "100000"),
]


@pytest.fixture
def api(admin_user):
    from tests.api.conftest import client_for

    return client_for(admin_user, scope="read")


@pytest.mark.parametrize("path", LISTS)
@pytest.mark.parametrize(("name", "value"), BAD_PAGING, ids=[f"{n}={v}" for n, v in BAD_PAGING])
def test_bad_paging_is_400_on_every_list(api, path, name, value):
    response = api.get(path, {name: value})
    assert response.status_code == 400, (path, name, value, response.status_code)
    error = response.json()["error"]
    assert name in error["details"], error
    assert error["message"]


DATES = [
    ("/api/claims/", "updated_since"),
    ("/api/claims/", "published_since"),
    ("/api/claims/deleted/", "since"),
    ("/api/articles/", "published_since"),
]


@pytest.mark.parametrize(("path", "name"), DATES)
@pytest.mark.parametrize("value", ["", "yesterday", "2026-13-45"])
def test_an_empty_or_bad_date_is_400_on_every_list(api, path, name, value):
    response = api.get(path, {name: value})
    assert response.status_code == 400, (path, name, value, response.status_code)
    assert name in response.json()["error"]["details"]
