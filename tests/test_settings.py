"""Production settings refuse unsafe configuration at start, with a message naming the variable."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
GOOD_KEY = "k" * 50

pytestmark = pytest.mark.slow  # every test here starts Python in a subprocess


def run(args: list[str], env: dict) -> subprocess.CompletedProcess:
    """Run `python *args` in the project with the environment's DJANGO_* and CLAIMS_*
    variables replaced by `env` (so the caller's own settings cannot leak in)."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CLAIMS_"))}
    base.update({"DATABASE_URL": "postgres://postgres@127.0.0.1:5432/claimtrack", **env})
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=base, capture_output=True, text=True, timeout=60
    )


def start(**env):
    env = {
        "DJANGO_ALLOWED_HOSTS": "claims.example.org",
        "CACHE_URL": "redis://127.0.0.1:6379/2",
    } | env
    check = ["check", "--deploy", "--settings=config.settings.production", "--fail-level=WARNING"]
    return run(["manage.py", *check], env)


def test_production_refuses_to_start_without_secret_key():
    result = start()
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is missing" in result.stderr


def test_production_refuses_to_start_with_debug_on():
    result = start(DJANGO_SECRET_KEY=GOOD_KEY, DJANGO_DEBUG="1")
    assert result.returncode != 0
    assert "DJANGO_DEBUG is on" in result.stderr


def test_production_refuses_wildcard_hosts():
    result = start(DJANGO_SECRET_KEY=GOOD_KEY, DJANGO_ALLOWED_HOSTS="*")
    assert result.returncode != 0
    assert "must not be '*'" in result.stderr


def test_bad_boolean_is_reported_with_the_variable_name():
    result = start(DJANGO_SECRET_KEY=GOOD_KEY, DJANGO_DEBUG="maybe")
    assert result.returncode != 0
    assert "DJANGO_DEBUG='maybe' is not a boolean" in result.stderr


def test_check_deploy_is_clean_under_production_settings():
    result = start(DJANGO_SECRET_KEY=secrets.token_urlsafe(50))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_warns_when_the_cache_is_per_process():
    result = start(DJANGO_SECRET_KEY=secrets.token_urlsafe(50), CACHE_URL="locmemcache://")
    assert result.returncode != 0
    assert "claimtrack.W001" in result.stderr + result.stdout
    assert "CACHE_URL" in result.stderr + result.stdout


def test_bad_cache_url_is_reported_with_the_variable_name():
    result = start(DJANGO_SECRET_KEY=GOOD_KEY, CACHE_URL="nosuch://x")
    assert result.returncode != 0
    assert "CACHE_URL is not a valid cache URL" in result.stderr


def _threshold_with(value: str) -> subprocess.CompletedProcess:
    code = "import django; django.setup(); from apps.claims import suggestions as s; "
    code += "print(s.threshold())"
    env = {"DJANGO_SETTINGS_MODULE": "config.settings.dev", "CLAIMS_SUGGESTION_THRESHOLD": value}
    return run(["-c", code], env)


def test_suggestion_threshold_comes_from_the_environment():
    from apps.claims.suggestions import checkworthy_model

    assert _threshold_with("0.55").stdout.strip() == "0.55"
    assert _threshold_with("").stdout.strip() == str(checkworthy_model().threshold)


def test_suggestion_threshold_outside_0_1_is_refused():
    result = _threshold_with("1.5")
    assert result.returncode != 0
    assert "CLAIMS_SUGGESTION_THRESHOLD=1.5 is not between 0 and 1" in result.stderr


def _max_share_with(value: str) -> subprocess.CompletedProcess:
    code = "import django; django.setup(); from apps.claims import suggestions as s; "
    code += "print(s.max_share())"
    env = {"DJANGO_SETTINGS_MODULE": "config.settings.dev", "CLAIMS_SUGGESTION_MAX_SHARE": value}
    return run(["-c", code], env)


def test_suggestion_share_comes_from_the_environment_and_is_checked():
    assert _max_share_with("0.35").stdout.strip() == "0.35"
    refused = _max_share_with("0")
    assert refused.returncode != 0
    assert "CLAIMS_SUGGESTION_MAX_SHARE=0.0 is not above 0 and at most 1" in refused.stderr


def test_factcheck_import_sizes_come_from_the_environment_and_are_checked():
    code = "from django.conf import settings as s; "
    code += "print(s.FACTCHECK_IMPORT_BACKGROUND_BYTES, s.FACTCHECK_IMPORT_STALL_SECONDS)"
    env = {"DJANGO_SETTINGS_MODULE": "config.settings.base"}
    shown = run(["-c", code], {**env, "FACTCHECK_IMPORT_BACKGROUND_BYTES": "2000000"})
    assert shown.stdout.split() == ["2000000", "360"], shown.stderr
    short = run(["-c", code], {**env, "FACTCHECK_IMPORT_STALL_SECONDS": "60"})
    assert short.returncode != 0
    assert "FACTCHECK_IMPORT_STALL_SECONDS=60 must be at least 301" in short.stderr


# Settings never start servers: only dev and test settings start the embedded PostgreSQL,
# and only when DATABASE_URL is unset. apps.core.embedded_db is replaced (or blocked) in
# the child process, so no server starts here either.
FAKE_EMBEDDED = (
    "import apps.core.embedded_db as e; "
    "e.ensure_server = lambda d, n: {'ENGINE': 'django.db.backends.postgresql', "
    "'NAME': 'embedded-' + n, 'HOST': str(d)}; "
)
NO_EMBEDDED = "import sys; sys.modules['apps.core.embedded_db'] = None; "
SHOW_DATABASE = (
    "from django.conf import settings; d = settings.DATABASES.get('default', {}); "
    "print(d.get('NAME'), d.get('HOST'), d.get('CONN_MAX_AGE'))"
)


def settings_with(module: str, code: str, **env) -> subprocess.CompletedProcess:
    return run(["-c", code + SHOW_DATABASE], {"DJANGO_SETTINGS_MODULE": module, **env})


def test_production_refuses_to_start_without_database_url():
    result = start(DJANGO_SECRET_KEY=GOOD_KEY, DATABASE_URL="")
    assert result.returncode != 0
    assert "DATABASE_URL is not set; production needs its PostgreSQL server" in result.stderr


def test_production_without_database_url_never_reaches_for_the_embedded_server():
    env = {"DJANGO_SECRET_KEY": GOOD_KEY, "DJANGO_ALLOWED_HOSTS": "claims.example.org"}
    result = settings_with("config.settings.production", NO_EMBEDDED, DATABASE_URL="", **env)
    assert result.returncode != 0
    assert "ImproperlyConfigured: DATABASE_URL is not set" in result.stderr
    assert "embedded_db" not in result.stderr


def test_production_uses_database_url():
    env = {"DJANGO_SECRET_KEY": GOOD_KEY, "DJANGO_ALLOWED_HOSTS": "claims.example.org"}
    url = "postgres://app@db.example:5432/claims"
    result = settings_with("config.settings.production", NO_EMBEDDED, DATABASE_URL=url, **env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["claims", "db.example", "60"]


def test_base_settings_without_database_url_start_nothing_and_name_no_database():
    result = settings_with("config.settings.base", NO_EMBEDDED, DATABASE_URL="")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["None", "None", "None"]


@pytest.mark.parametrize("module", ["config.settings.dev", "config.settings.test"])
def test_dev_and_test_settings_start_the_embedded_server_without_database_url(module):
    env = {"DATABASE_URL": "", "CLAIMTRACK_EMBEDDED_DB": "probe"}
    result = settings_with(module, FAKE_EMBEDDED, **env)
    assert result.returncode == 0, result.stderr
    name, host, conn_max_age = result.stdout.split()
    assert (name, conn_max_age) == ("embedded-probe", "60")
    assert Path(host) == ROOT / "var" / "pgdata"


@pytest.mark.parametrize("module", ["config.settings.dev", "config.settings.test"])
def test_dev_and_test_settings_use_database_url_when_set(module):
    url = "postgres://app@db.example:5432/claims"
    result = settings_with(module, NO_EMBEDDED, DATABASE_URL=url)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["claims", "db.example", "60"]


def test_database_url_must_be_postgresql():
    result = settings_with("config.settings.dev", NO_EMBEDDED, DATABASE_URL="mysql://a@b/c")
    assert result.returncode != 0
    assert "DATABASE_URL must point at PostgreSQL" in result.stderr


def test_the_csp_lets_the_organisation_logo_through_and_nothing_else():
    show = (
        "from django.conf import settings; "
        "print(' '.join(settings.CONTENT_SECURITY_POLICY['DIRECTIVES']['img-src']))"
    )
    env = {"DJANGO_SETTINGS_MODULE": "config.settings.base"}
    with_logo = run(["-c", show], {**env, "CLAIMTRACK_LOGO_URL": "https://cdn.example.org/a.png"})
    assert with_logo.returncode == 0, with_logo.stderr
    assert with_logo.stdout.split() == ["'self'", "data:", "https://cdn.example.org"]
    without = run(["-c", show], env)
    assert without.stdout.split() == ["'self'", "data:"]
