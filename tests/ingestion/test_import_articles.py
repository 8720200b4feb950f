import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from apps.articles.models import Article
from apps.ingestion.models import IngestJob

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "fixtures" / "seeds"
EXPECTED = json.loads((ROOT / "fixtures" / "eval" / "seed-claims.json").read_text())["articles"]

pytestmark = pytest.mark.django_db


@pytest.fixture
def import_articles(django_capture_on_commit_callbacks):
    """The command, with the tasks it enqueues on commit run as they would be after commit."""

    def run(*paths):
        with django_capture_on_commit_callbacks(execute=True):
            call_command("import_articles", *paths)

    return run


def test_import_of_the_samples_gives_clean_titles_authors_and_no_boilerplate(
    import_articles, capsys
):
    import_articles(str(SEEDS))
    assert Article.objects.count() == len(EXPECTED) == 5
    for name, expected in EXPECTED.items():
        article = Article.objects.get(source_name=name)
        assert article.title == expected["title"]
        assert article.authors == expected["authors"]
        lines = {line.strip() for line in article.text.splitlines()}
        assert expected["boilerplate"]  # every sample has some
        for boilerplate in expected["boilerplate"]:
            assert boilerplate not in lines
            assert boilerplate not in article.text
        assert article.origin == Article.Origin.FILE
    assert IngestJob.objects.filter(status=IngestJob.Status.DONE).count() == 5


def test_importing_the_same_files_again_makes_no_new_articles(import_articles):
    import_articles(str(SEEDS))
    import_articles(str(SEEDS))
    assert Article.objects.count() == 5
    assert IngestJob.objects.filter(status=IngestJob.Status.DUPLICATE).count() == 5


def test_empty_and_binary_files_are_reported_by_name_and_the_rest_imported(
    import_articles, tmp_path, capsys
):
    (tmp_path / "empty.txt").write_text("")
    (tmp_path / "photo.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    (tmp_path / "good.txt").write_text((SEEDS / "001_fffd4934bec42331.txt").read_text())
    import_articles(*(str(p) for p in sorted(tmp_path.iterdir())))
    err = capsys.readouterr().err
    assert "empty.txt" in err and "empty" in err
    assert "photo.txt" in err and "binary" in err
    assert Article.objects.count() == 1
    assert Article.objects.get().title == EXPECTED["001_fffd4934bec42331.txt"]["title"]


def test_a_batch_of_only_bad_files_fails_with_a_message(import_articles, tmp_path):
    (tmp_path / "empty.txt").write_text("   \n")
    with pytest.raises(CommandError, match="No file could be imported"):
        call_command("import_articles", str(tmp_path / "empty.txt"))
    assert Article.objects.count() == 0


def test_json_jsonl_and_html_files_are_imported_with_their_metadata(
    import_articles, tmp_path, capsys
):
    body = "The ministry said inflation fell to 3.1 percent in October, the lowest in two years."
    (tmp_path / "one.json").write_text(
        json.dumps(
            {
                "title": "Inflation falls",
                "text": body,
                "authors": ["Ann Lee"],
                "url": "https://news.example/inflation?utm_source=x",
                "published_at": "2024-11-02",
            }
        )
    )
    (tmp_path / "many.jsonl").write_text(
        json.dumps(
            {
                "title": "Jobs",
                "text": "Unemployment rose to 4.2 percent in the third quarter, data showed.",
            }
        )
        + "\n\n"
        + json.dumps({"title": "No text"})
        + "\n"
    )
    (tmp_path / "page.html").write_text(
        "<html><head><title>Harbour reopens</title></head><body><article><h1>Harbour reopens</h1>"
        "<p>The harbour reopened on Monday after three weeks of repairs costing 2 million euros, "
        "the port authority said in a statement.</p></article></body></html>"
    )
    import_articles(str(tmp_path))
    err = capsys.readouterr().err
    assert "many.jsonl:3" in err and "neither 'text' nor 'html'" in err
    article = Article.objects.get(title="Inflation falls")
    assert article.authors == ["Ann Lee"]
    assert article.canonical_url == "https://news.example/inflation"
    assert article.published_at.year == 2024
    assert Article.objects.filter(title="Jobs").exists() is False  # the JSONL line 3 broke the file
    assert "harbour reopened on Monday" in Article.objects.get(title="Harbour reopens").text


def test_imported_articles_arrive_with_claim_suggestions(import_articles):
    from apps.claims.models import Suggestion

    import_articles(str(SEEDS / "000_d886f9ee4cc6ef26.txt"))
    article = Article.objects.get()
    sentences = list(Suggestion.objects.filter(article=article).values_list("sentence", flat=True))
    assert any("running out of munitions" in s for s in sentences)
