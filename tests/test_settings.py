"""Production settings refuse unsafe configuration at start, with a message naming the variable."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GOOD_KEY = "k" * 50


def run(args: list[str], env: dict) -> subprocess.CompletedProcess:
    """Run `python *args` in the project with the environment's DJANGO_* and CLAIMS_*
    variables replaced by `env` (so the caller's own settings cannot leak in)."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CLAIMS_"))}
    base.update(DATABASE_URL="postgres://postgres@127.0.0.1:5432/claimtrack", **env)
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
