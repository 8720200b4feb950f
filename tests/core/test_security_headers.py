"""Issue 15, item 7: a strict Content-Security-Policy and a Permissions-Policy on every
response, templates that need nothing inline, and a clear start-up error when static files
were never collected."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]


def _directives(header: str) -> dict[str, list[str]]:
    parts = [p.strip().split() for p in header.split(";") if p.strip()]
    return {p[0]: p[1:] for p in parts}


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["login", "api:docs", "fact_checks:index"])
def test_every_page_carries_a_csp_without_inline_script_or_style(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 200
    policy = _directives(response["Content-Security-Policy"])
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert not any("unsafe" in value for values in policy.values() for value in values)
    permissions = response["Permissions-Policy"]
    assert "camera=()" in permissions and "geolocation=()" in permissions


@pytest.mark.django_db
def test_the_api_docs_start_from_a_script_file_not_an_inline_script(client):
    page = client.get(reverse("api:docs")).content.decode()
    scripts = re.findall(r"<script\b([^>]*)>", page)
    assert scripts and all("src=" in attributes for attributes in scripts)
    assert "<style" not in page
    script = client.get(reverse("api:docs") + "?script")
    assert script.status_code == 200
    assert "SwaggerUIBundle" in script.content.decode()


# A script element that runs (not a data block such as JSON or JSON-LD) without src=.
INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)(?![^>]*type=\"application/(ld\+)?json\")")
INLINE_STYLE = re.compile(r"<style\b|\sstyle=\"|\son[a-z]+=\"")


def inline_code(source: str) -> list[str]:
    source = re.sub(r"\{#.*?#\}", "", source, flags=re.S)  # template comments
    return [m.group(0) for m in (*INLINE_SCRIPT.finditer(source), *INLINE_STYLE.finditer(source))]


def test_the_checker_finds_inline_script_style_and_handlers():
    assert inline_code("<script>alert(1)</script>")
    assert inline_code('<div style="width: 5%">')
    assert inline_code('<button onclick="go()">')
    assert inline_code("<style>p {}</style>")
    assert not inline_code('<script src="/static/js/app.js" defer></script>')
    assert not inline_code('<script type="application/ld+json">{}</script>')
    assert not inline_code('{# <div style="x"> #}')


def test_no_template_needs_inline_script_or_style():
    templates = sorted((ROOT / "templates").rglob("*.html"))
    assert len(templates) > 20
    found = {
        str(path.relative_to(ROOT)): hits
        for path in templates
        if (hits := inline_code(path.read_text(encoding="utf-8")))
    }
    assert found == {}


def _load_wsgi(static_root: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env |= {
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": "k" * 50,
        "DJANGO_ALLOWED_HOSTS": "claims.example.org",
        "DJANGO_STATIC_ROOT": str(static_root),
        "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/claimtrack",
    }
    return subprocess.run(
        [sys.executable, "-c", "import config.wsgi"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.slow
def test_a_server_refuses_to_start_before_collectstatic_and_says_what_to_run(tmp_path):
    result = _load_wsgi(tmp_path)
    assert result.returncode != 0
    assert "Static files have not been collected" in result.stderr
    assert "manage.py collectstatic --noinput" in result.stderr

    (tmp_path / "staticfiles.json").write_text(json.dumps({"paths": {}, "version": "1.1"}))
    assert _load_wsgi(tmp_path).returncode == 0
