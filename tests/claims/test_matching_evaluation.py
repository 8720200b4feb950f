"""evaluate_claims: the matching figures per cluster (where the MAP is lost)."""

import json
from io import StringIO

import pytest
from django.core.management import call_command

ARTICLES = {
    "a.txt": (
        "Russia is running out of artillery ammunition for the war in Ukraine, officials "
        "said on Monday. North Korea could sell rockets to Russia within weeks. Few of the "
        "weapons sent so far ever reached the front lines, a researcher said. Western "
        "weapons reached the front lines in the east in March."
    ),
    "b.txt": (
        "Moscow is short of artillery shells for its war in Ukraine. The stockpiles of "
        "weapons in the North are in very poor condition. North Korea has sold rockets to "
        "Russia, the White House said on Tuesday. Iran keeps its stockpiles of drones in "
        "excellent condition."
    ),
}
CLAIMS = [
    ("a.txt", "Russia is running out of artillery ammunition for the war in Ukraine", "short"),
    ("b.txt", "Moscow is short of artillery shells for its war in Ukraine", "short"),
    ("a.txt", "North Korea could sell rockets to Russia within weeks", "rockets"),
    ("b.txt", "North Korea has sold rockets to Russia", "rockets"),
    ("a.txt", "Few of the weapons sent so far ever reached the front lines", "limited"),
    ("b.txt", "The stockpiles of weapons in the North are in very poor condition", "limited"),
    # In no cluster, each nearer one "limited" claim in its words than the other is.
    ("a.txt", "Western weapons reached the front lines in the east in March", None),
    ("b.txt", "Iran keeps its stockpiles of drones in excellent condition", None),
]


@pytest.fixture
def annotation(tmp_path):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    for name, text in ARTICLES.items():
        (seeds / name).write_text(text + "\n", encoding="utf-8")
    claims = [
        {
            "id": f"c{i}",
            "article": article,
            "quote": quote,
            "start": ARTICLES[article].index(quote),
            "end": ARTICLES[article].index(quote) + len(quote),
            "claimant": None,
            "cluster": cluster,
        }
        for i, (article, quote, cluster) in enumerate(CLAIMS, 1)
    ]
    path = tmp_path / "eval" / "claims.json"
    path.parent.mkdir()
    data = {"articles": {name: {} for name in ARTICLES}, "claims": claims}
    path.write_text(json.dumps(data), encoding="utf-8")
    return path, seeds


@pytest.mark.django_db
def test_reports_the_map_each_cluster_loses(
    annotation, tmp_path, django_capture_on_commit_callbacks
):
    path, seeds = annotation
    with django_capture_on_commit_callbacks(execute=True):  # the ingest tasks, in-process
        call_command("import_articles", str(seeds), stdout=StringIO())
    out, figures_path = StringIO(), tmp_path / "figures.json"
    call_command(
        "evaluate_claims", str(path), "--seeds", str(seeds), "--verbose",
        "--json", str(figures_path), stdout=out,
    )  # fmt: skip
    matching = json.loads(figures_path.read_text(encoding="utf-8"))["matching"]
    clusters = matching["clusters"]
    assert set(clusters) == {"short", "rockets", "limited"}
    assert all(c["queries"] == 2 for c in clusters.values())
    # The losses add up to what the MAP misses, worst cluster first.
    assert sum(c["map_loss"] for c in clusters.values()) == pytest.approx(
        1 - matching["map"], abs=0.005
    )
    losses = [c["map_loss"] for c in clusters.values()]
    assert losses == sorted(losses, reverse=True)
    # Nothing in the wording joins the two "limited" claims: that cluster costs the most.
    assert next(iter(clusters)) == "limited" and clusters["limited"]["mean_ap"] < 1
    assert "MAP lost per cluster" in out.getvalue()
    assert "    limited: " in out.getvalue()
