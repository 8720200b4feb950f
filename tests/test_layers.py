"""The app order core < accounts < articles < claims < evidence < ingestion < api, for what
import-linter cannot see (.importlinter checks the Python imports).

A template under templates/<dir>/ belongs to an app (TEMPLATE_OWNERS); an app's Python
modules (template tags included) belong to that app. Neither may use a higher app's:

* template tag library (`{% load %}`),
* URL name (`{% url %}` in templates; `reverse`/`redirect`/`reverse_lazy` in Python), owned
  by the app whose view the name resolves to,
* templates (`{% include %}`, `{% extends %}`; a template name rendered from Python).

The one exception is the project's frame, templates/base.html with its menu
(_nav_links.html, which only base.html includes) and the admin's base_site.html: it sits
with config/urls.py at the top, where every app is wired together. Its navigation links to
every app's pages and it loads the claims app's unread-notifications tag; every page extends
it by name, as Django's admin pages extend the project's admin/base_site.html. An app
template extending it depends on the block names only.

KNOWN_UPWARD lists the dependencies that remain, each with its reason: the test fails on any
other one, and on an entry that no longer occurs (so the list only shrinks).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from django.template import engines
from django.urls import URLPattern, URLResolver, get_resolver

ROOT = Path(__file__).resolve().parent.parent
ORDER = ["core", "accounts", "articles", "claims", "evidence", "ingestion", "api"]
RANK = {app: rank for rank, app in enumerate(ORDER)}
PROJECT = "project"  # config and the frame: above every app
RANK[PROJECT] = len(ORDER)

# templates/<dir>/ -> the app that owns it; "" is the top-level shared partials, which any
# app includes and which therefore depend on nothing (core's rank).
TEMPLATE_OWNERS = {
    "": "core",
    "accounts": "accounts",
    "registration": "accounts",
    "claims": "claims",
    "desk": "claims",
    "public": "claims",
    "evidence": "evidence",
    "ingestion": "ingestion",
    "api": "api",
    "admin": PROJECT,
}
FRAME = {"base.html", "_nav_links.html", "admin/base_site.html"}  # _nav_links: base.html's menu

# (where, what) pairs still pointing upward. Each needs a template content change or a
# design change that was outside the session that wrote this test; see the reason.
KNOWN_UPWARD: set[tuple[str, str]] = set()

LOAD = re.compile(r"\{%\s*load\s+(.+?)\s*%\}")
URL = re.compile(r"""\{%\s*url\s+(['"])([^'"]+)\1""")
INCLUDE = re.compile(r"""\{%\s*(?:include|extends)\s+(['"])([^'"]+)\1""")
PY_URL_CALLS = {"reverse", "reverse_lazy", "redirect"}
PY_TEMPLATE_CALLS = {"render", "render_to_string", "get_template", "TemplateResponse"}


def app_of_module(module: str | None) -> str | None:
    """`apps.<app>.…` -> <app>; `config…` -> PROJECT; Django and third parties -> None."""
    parts = (module or "").split(".")
    if parts[0] == "apps" and len(parts) > 1 and parts[1] in RANK:
        return parts[1]
    if parts[0] == "config":
        return PROJECT
    return None


def template_owner(name: str) -> str | None:
    """The app owning a template name, None for Django's and third parties' templates."""
    if name in FRAME:
        return PROJECT
    directory = name.split("/")[0] if "/" in name else ""
    if directory == "" and not (ROOT / "templates" / name).exists():
        return None
    if directory and not (ROOT / "templates" / directory).is_dir():
        return None  # a package's templates (drf_spectacular/…, admin's own)
    return TEMPLATE_OWNERS[directory]


def library_owners() -> dict[str, str | None]:
    """Every tag library's `{% load %}` name -> the app it comes from (None: Django's or a
    package's)."""
    libraries = engines["django"].engine.libraries  # installed ones and settings' extras
    return {name: app_of_module(module) for name, module in libraries.items()}


def url_owners() -> dict[str, str | None]:
    """Every URL name ("namespace:name") -> the app of the view it resolves to."""
    owners: dict[str, str | None] = {}

    def walk(resolver: URLResolver, prefix: str) -> None:
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                ns = f"{prefix}{pattern.namespace}:" if pattern.namespace else prefix
                walk(pattern, ns)
            elif isinstance(pattern, URLPattern) and pattern.name:
                callback = pattern.callback
                module = getattr(callback, "__module__", None)
                view_class = getattr(callback, "view_class", None) or getattr(callback, "cls", None)
                if view_class is not None:
                    module = view_class.__module__
                owners.setdefault(prefix + pattern.name, app_of_module(module))

    walk(get_resolver(), "")
    return owners


def template_uses(text: str) -> list[tuple[str, str]]:
    """(kind, target) for each tag library, URL name and template a template uses."""
    uses = []
    for match in LOAD.finditer(text):
        words = match.group(1).split()
        names = words[words.index("from") + 1 :] if "from" in words else words
        uses += [("load", name) for name in names]
    uses += [("url", m.group(2)) for m in URL.finditer(text)]
    uses += [("template", m.group(2)) for m in INCLUDE.finditer(text)]
    return uses


def python_uses(source: str) -> list[tuple[str, str]]:
    """URL names and template names given as literals to reverse/redirect/render & co."""
    uses = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            literals = [
                a.value
                for a in [*node.args, *(k.value for k in node.keywords)]
                if isinstance(a, ast.Constant) and isinstance(a.value, str)
            ]
            if name in PY_URL_CALLS:
                uses += [("url", v) for v in literals if re.fullmatch(r"[\w-]+(:[\w-]+)*", v)]
            if name in PY_TEMPLATE_CALLS:
                uses += [("template", v) for v in literals if v.endswith((".html", ".txt"))]
            if name == "inclusion_tag":
                uses += [("template", v) for v in literals]
    return uses


def violations(owner: str, uses, libraries, urls) -> list[str]:
    found = []
    for kind, target in uses:
        if kind == "load":
            used_by = libraries.get(target)
        elif kind == "url":
            if target not in urls:
                found.append(f"url {target} (no such URL name)")
                continue
            used_by = urls[target]
        else:
            used_by = template_owner(target)
            if used_by == PROJECT and target in FRAME:
                continue  # extending/including the frame: see the module docstring
        if used_by is not None and RANK[used_by] > RANK[owner]:
            found.append(f"{kind} {target}")
    return found


def all_violations() -> set[tuple[str, str]]:
    libraries, urls = library_owners(), url_owners()
    found = set()
    for path in sorted((ROOT / "templates").rglob("*.html")):
        name = path.relative_to(ROOT / "templates").as_posix()
        owner = template_owner(name)
        if owner == PROJECT:
            continue  # the frame
        uses = template_uses(path.read_text(encoding="utf-8"))
        for v in violations(owner, uses, libraries, urls):
            found.add((f"templates/{name}", v))
    for path in sorted((ROOT / "apps").rglob("*.py")):
        if "migrations" in path.parts:
            continue
        owner = path.relative_to(ROOT / "apps").parts[0]
        if owner not in RANK:
            continue
        uses = python_uses(path.read_text(encoding="utf-8"))
        for v in violations(owner, uses, libraries, urls):
            found.add((path.relative_to(ROOT).as_posix(), v))
    return found


# --- The checks ----------------------------------------------------------------------------


def test_the_frame_is_included_by_the_frame_only():
    """The frame may link anywhere because no app template uses it but by extending it."""
    templates = list((ROOT / "templates").rglob("*.html"))
    assert len(templates) > 3  # more than the frame
    for path in templates:
        name = path.relative_to(ROOT / "templates").as_posix()
        if name in FRAME:
            continue
        included = {t for kind, t in template_uses(path.read_text(encoding="utf-8"))}
        assert not (included & (FRAME - {"base.html", "admin/base_site.html"})), name


def test_every_template_directory_has_an_owner():
    directories = {p.name for p in (ROOT / "templates").iterdir() if p.is_dir()}
    assert directories, "no template directories found"
    assert directories <= set(TEMPLATE_OWNERS), directories - set(TEMPLATE_OWNERS)


def test_templates_and_app_code_use_only_their_own_or_lower_apps():
    found = all_violations()
    new = found - KNOWN_UPWARD
    assert not new, "Upward dependencies (see tests/test_layers.py):\n" + "\n".join(
        f"  {where}: {what}" for where, what in sorted(new)
    )


def test_known_upward_dependencies_still_exist():
    """An entry fixed must leave KNOWN_UPWARD, so the list only shrinks."""
    stale = KNOWN_UPWARD - all_violations()
    assert not stale, f"Remove from KNOWN_UPWARD: {sorted(stale)}"


def test_owners_are_resolved_for_the_real_project():
    """The maps the checker relies on point where the app order says (guards against a
    checker that silently classifies everything as third-party)."""
    urls, libraries = url_owners(), library_owners()
    assert urls["articles:detail"] == "claims"  # the reading page is a claims screen
    assert urls["evidence:add"] == "evidence"
    assert urls["ingestion:jobs"] == "ingestion"
    assert urls["accounts:tokens"] == "accounts"
    assert libraries["evidence_ui"] == "evidence"
    assert libraries["claimtrack_nav"] == "claims"
    assert libraries["claim_evidence"] == "claims"
    assert libraries["static"] is None


# --- The checker on planted violations ----------------------------------------------------


@pytest.mark.parametrize(
    ("owner", "text", "expected"),
    [
        ("articles", "{% load claimtrack_nav %}", ["load claimtrack_nav"]),
        ("claims", "{% load static evidence_ui %}", ["load evidence_ui"]),
        ("claims", "{% load evidence_by_stance from evidence_ui %}", ["load evidence_ui"]),
        ("evidence", "<a href=\"{% url 'ingestion:jobs' %}\">", ["url ingestion:jobs"]),
        ("accounts", '{% url "articles:detail" 1 as u %}', ["url articles:detail"]),
        ("claims", '{% include "evidence/_link.html" %}', ["template evidence/_link.html"]),
        ("claims", "{% url 'claims:nope' %}", ["url claims:nope (no such URL name)"]),
        # Allowed: own app, lower apps, Django's, the frame.
        ("evidence", "{% load static evidence_ui %}{% url 'claims:detail' 1 %}", []),
        ("claims", '{% extends "base.html" %}{% include "_pagination.html" %}', []),
        ("ingestion", "{% url 'articles:detail' 1 %}{% url 'logout' %}", []),
    ],
)
def test_checker_finds_planted_template_violations(owner, text, expected):
    uses = template_uses(text)
    assert violations(owner, uses, library_owners(), url_owners()) == expected


def test_checker_finds_planted_python_violations():
    source = (
        "from django.shortcuts import redirect, render\n"
        "from django.urls import reverse\n"
        "def view(request):\n"
        "    reverse('ingestion:jobs')\n"
        "    render(request, 'evidence/_form.html', {})\n"
        "    return redirect('claims:detail', pk=1)\n"
        "register.inclusion_tag('api/swagger_ui.html')(f)\n"
    )
    found = violations("claims", python_uses(source), library_owners(), url_owners())
    assert sorted(found) == [
        "template api/swagger_ui.html",
        "template evidence/_form.html",
        "url ingestion:jobs",
    ]
