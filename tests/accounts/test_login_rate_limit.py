import pytest

from tests import factories

pytestmark = pytest.mark.django_db


def attempt(client, username, password):
    return client.post("/accounts/login/", {"username": username, "password": password})


def test_login_is_locked_after_repeated_failures_even_with_the_right_password(client, settings):
    factories.user_with_role("analyst", username="ana")
    user = factories.user_with_role("editor", username="eddie")
    user.set_password("right-horse-battery")
    user.save()
    failures_allowed = range(settings.AXES_FAILURE_LIMIT - 1)
    assert failures_allowed  # some failed log-ins are let through before the lock
    for _ in failures_allowed:
        assert attempt(client, "eddie", "wrong").status_code == 200
    assert attempt(client, "eddie", "wrong").status_code == 429  # the attempt that hits the limit
    locked = attempt(client, "eddie", "right-horse-battery")
    assert locked.status_code == 429
    assert "Too many failed log-ins" in locked.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_correct_password_before_the_limit_logs_in(client):
    user = factories.user_with_role("analyst", username="ann")
    user.set_password("right-horse-battery")
    user.save()
    attempt(client, "ann", "wrong")
    response = attempt(client, "ann", "right-horse-battery")
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)
