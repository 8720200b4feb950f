import json
import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from apps.articles.models import Article
from apps.claims.models import Claim, Suggestion

ROOT = Path(__file__).resolve().parents[2]
ANNOTATION = ROOT / "fixtures" / "eval" / "seed-claims.json"
SEEDS = ROOT / "fixtures" / "seeds"
KEEP = ("002_f49be105a19d2bd2.txt", "004_58777fc59fe47373.txt")


@pytest.fixture
def small_annotation(tmp_path):
    """Two of the five samples, so the test stays quick."""
    data = json.loads(ANNOTATION.read_text(encoding="utf-8"))
    data["articles"] = {k: v for k, v in data["articles"].items() if k in KEEP}
    data["claims"] = [c for c in data["claims"] if c["article"] in KEEP]
    path = tmp_path / "eval" / "claims.json"
    path.parent.mkdir()
    path.write_text(json.dumps(data), encoding="utf-8")
    return path, len(data["claims"])


def _figure(pattern: str, text: str) -> float:
    match = re.search(pattern, text)
    assert match, f"{pattern!r} not in:\n{text}"
    return float(match.group(1))


@pytest.mark.django_db
def test_refuses_articles_missing_from_the_database_and_names_the_import(small_annotation):
    path, _ = small_annotation
    with pytest.raises(CommandError) as raised:
        call_command("evaluate_claims", str(path), "--seeds", str(SEEDS), stdout=StringIO())
    message = str(raised.value)
    assert all(name in message for name in KEEP)
    assert f"import_articles {SEEDS}" in message
    assert not Claim.objects.exists()


@pytest.mark.django_db
def test_prints_the_figures_for_the_imported_samples(
    small_annotation, tmp_path, django_capture_on_commit_callbacks
):
    path, quotes = small_annotation
    with django_capture_on_commit_callbacks(execute=True):  # the ingest tasks, in-process
        call_command("import_articles", str(SEEDS), stdout=StringIO())
    out = StringIO()
    figures_path = tmp_path / "figures.json"
    call_command(
        "evaluate_claims", str(path), "--seeds", str(SEEDS), "--json", str(figures_path),
        stdout=out,
    )  # fmt: skip
    text = out.getvalue()
    assert "Articles: 2" in text
    assert Article.objects.filter(source_name__in=KEEP).count() == 2
    assert Suggestion.objects.filter(article__source_name__in=KEEP).exists()
    recall = _figure(r"recall ([\d.]+) \(\d+/" + str(quotes), text)
    precision = _figure(r"precision ([\d.]+) \(\d+/\d+ suggestions", text)
    # The samples are a smoke test of the whole loop, not a target: figures are reported,
    # never held to a value here.
    assert 0 <= recall <= 1 and 0 <= precision <= 1
    assert 0 <= _figure(r"Claimant accuracy: ([\d.]+)", text) <= 1
    assert 0 <= _figure(r"MAP ([\d.]+)", text) <= 1
    assert "likely the same (score >=" in text and "possibly related (score >=" in text
    figures = json.loads(figures_path.read_text(encoding="utf-8"))
    assert set(figures["matching"]["tiers"]) == {"likely_same", "related"}
    # The claims it made to measure matching are rolled back.
    assert not Claim.objects.exists()

    again = StringIO()
    call_command("evaluate_claims", str(path), "--seeds", str(SEEDS), stdout=again)
    assert _figure(r"recall ([\d.]+)", again.getvalue()) == recall
