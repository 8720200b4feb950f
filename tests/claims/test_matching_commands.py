"""The matcher's commands: compare_claims, evaluate_matching and train_matcher, on small
files written here in the formats of the public sets (never the sets themselves)."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from apps.claims.models import Claim

PAIRS = [
    (
        "The bakery raised the price of bread by ten cents",
        "Bread at the bakery now costs ten cents more",
    ),
    (
        "The bakery raised the price of bread by ten cents",
        "The bakery cut the price of bread by ten cents",
    ),
    ("The mayor opened the new library on Monday", "Heavy snow closed the mountain pass"),
]


def _pairs_file(tmp_path, rows, header="a\tb\textra"):
    path = tmp_path / "pairs.tsv"
    lines = [header] + [f"{a}\t{b}\tignored" for a, b in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_compare_claims_prints_score_and_tier_in_input_order(tmp_path):
    out = StringIO()
    call_command("compare_claims", str(_pairs_file(tmp_path, PAIRS)), stdout=out)
    lines = out.getvalue().splitlines()
    assert len(lines) == 3
    scores = [float(line.split("\t")[0]) for line in lines]
    tiers = [line.split("\t")[1] for line in lines]
    assert tiers == ["likely_same", "related", ""]
    assert scores[0] > scores[2] and scores[1] > scores[2]


def test_compare_claims_refuses_a_file_without_the_columns(tmp_path):
    path = tmp_path / "bad.tsv"
    path.write_text("first\tsecond\nx\ty\n", encoding="utf-8")
    with pytest.raises(CommandError, match="columns `a` and `b`"):
        call_command("compare_claims", str(path))
    with pytest.raises(CommandError, match="no such file"):
        call_command("compare_claims", str(tmp_path / "missing.tsv"))


@pytest.fixture
def clef_dir(tmp_path):
    """A tiny set in CLEF 2020 task 2's layout: fact-checks, tweets and qrels."""
    root = tmp_path / "clef"
    claims = [
        ("1", "A town in Ohio banned the sale of fireworks for good", "Fireworks ban?"),
        ("2", "Eating carrots at night improves your eyesight", "Carrots and eyesight"),
        ("3", "The museum sold its famous painting to a private buyer", "Museum sale"),
        ("4", "A new law makes cycling on pavements a crime", "Pavement cycling"),
    ]
    tweets = {
        "train": [
            ("10", "So an Ohio town just banned fireworks sales forever?! https://t.co/x", "1"),
            ("11", "My grandma says carrots before bed fix your eyes 🥕", "2"),
            ("12", "Wow the museum sold the painting to some private collector", "3"),
        ],
        "dev": [
            (
                "20",
                "Cycling on the pavement is now a crime under the new law — Ann (@ann) May 2, 2020",
                "4",
            ),
            ("21", "fireworks sales banned for good in that Ohio town", "1"),
        ],
    }
    root.mkdir()
    lines = ["\tvclaim\ttitle"] + ["\t".join(c) for c in claims]
    (root / "verified_claims.docs.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    for split, rows in tweets.items():
        (root / split).mkdir()
        queries = ["\ttweet_content"] + [f"{t}\t{text}" for t, text, _ in rows]
        (root / split / "tweets.queries.tsv").write_text("\n".join(queries) + "\n")
        qrels = [f"{t}\t0\t{c}\t1" for t, _, c in rows]
        (root / split / "tweet-vclaim-pairs.qrels").write_text("\n".join(qrels) + "\n")
    return root


@pytest.mark.django_db
def test_evaluate_matching_ranks_the_dev_tweets_and_rolls_back(clef_dir, tmp_path):
    out = StringIO()
    pairs = tmp_path / "polarity.tsv"
    pairs.write_text(
        "expect\ta\tb\tkind\n"
        f"same\t{PAIRS[0][0]}\t{PAIRS[0][1]}\tparaphrase\n"
        f"different\t{PAIRS[1][0]}\t{PAIRS[1][1]}\tantonym-verb\n",
        encoding="utf-8",
    )
    call_command("evaluate_matching", "--clef", str(clef_dir), "--polarity", str(pairs), stdout=out)
    text = out.getvalue()
    assert "Matching: 2 dev tweets against 4 fact-checked claims" in text
    assert "MAP@5 1.0000   P@1 1.0000" in text
    assert "must differ, called likely_same: 0 of 1" in text
    assert "same meaning, called likely_same: 1 of 1" in text
    assert not Claim.objects.exists()


def test_evaluate_matching_needs_a_set():
    with pytest.raises(CommandError, match="at least one"):
        call_command("evaluate_matching")


def test_train_matcher_fits_on_train_and_writes_the_model(clef_dir, tmp_path):
    output = tmp_path / "matcher.json"
    call_command(
        "train_matcher", "--clef", str(clef_dir), "--output", str(output), stdout=StringIO()
    )
    model = json.loads(output.read_text(encoding="utf-8"))
    assert set(model["weights"]) == {"cosine", "overlap", "chars"}
    assert model["weights"]["cosine"] > 0
    thresholds = model["thresholds"]
    assert 0 <= thresholds["shown"] <= thresholds["related"] <= thresholds["likely_same"] <= 1
    assert "CLEF" in model["about"]


@pytest.mark.django_db
def test_embed_claims_encodes_what_a_bulk_load_left_without_vectors():
    from apps.claims.models import ClaimEmbedding

    Claim.objects.bulk_create([Claim(statement=f"Bulk loaded claim {i}") for i in range(3)])
    out = StringIO()
    call_command("embed_claims", stdout=out)
    assert "Encoded 3 claim(s)" in out.getvalue()
    assert ClaimEmbedding.objects.count() == 3
    again = StringIO()
    call_command("embed_claims", stdout=again)
    assert "Encoded 0 claim(s)" in again.getvalue()
