"""What cleaning removes as page furniture is kept with its place (issue 16 item 2): the
extraction reports it, the store keeps it on the article, and a re-extraction replaces it
with the new text's."""

import pytest
from django.urls import reverse

from apps.articles.cleaning import RemovedLine, restore_removed
from apps.articles.models import Article
from apps.ingestion import services
from apps.ingestion.extraction import extract_html, extract_plain
from apps.ingestion.models import IngestJob
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

BODY = [
    "The city council voted on Tuesday to cut the bus budget by 12 percent, the mayor said.",
    "Opposition members said the cut would close three routes that serve 40,000 riders.",
]
RAW = "\n\n".join(["Advertisement", BODY[0], "Read more", BODY[1], "© 2026 Harbour Gazette"])


def test_plain_text_extraction_reports_each_removed_line_with_its_place():
    extracted = extract_plain(RAW, metadata={"title": "Council cuts the bus budget"})
    assert extracted.text == "\n\n".join(BODY)
    assert extracted.removed == [
        RemovedLine("Advertisement", 0),
        RemovedLine("Read more", 1),
        RemovedLine("© 2026 Harbour Gazette", 2),
    ]
    assert restore_removed(extracted.text, extracted.removed)[0] == RAW


def test_a_photo_credit_cut_from_its_line_goes_back_at_the_end_of_that_line():
    raw = f"{BODY[0]} Photo: Ann Lee/AFP\n\n{BODY[1]}"
    extracted = extract_plain(raw, metadata={"title": "Council cuts the bus budget"})
    assert extracted.removed == [RemovedLine("Photo: Ann Lee/AFP", 1, inline=True)]
    assert restore_removed(extracted.text, extracted.removed)[0] == raw


def test_html_extraction_reports_removed_lines():
    html = (
        "<html><body><article>"
        + "".join(f"<p>{p}</p>" for p in [BODY[0], "Read more", BODY[1]])
        + "</article></body></html>"
    )
    extracted = extract_html(html, metadata={"title": "Council cuts the bus budget"})
    assert "Read more" not in extracted.text
    assert [piece.text for piece in extracted.removed] == ["Read more"]
    assert extracted.removed_json() == [{"line": "Read more", "after": 1, "inline": False}]


def test_a_stored_article_keeps_its_removed_lines(
    analyst_client, django_capture_on_commit_callbacks
):
    data = {"text": RAW, "format": "text", "title": "Council cuts the bus budget", "language": "en"}
    with django_capture_on_commit_callbacks(execute=True):
        analyst_client.post(reverse("ingestion:add_content"), data)
    job = IngestJob.objects.get()
    assert job.status == IngestJob.Status.DONE, job.failure_reason
    article = Article.objects.get(pk=job.article_id)
    assert article.text == "\n\n".join(BODY)
    assert article.removed_lines == [
        {"line": "Advertisement", "after": 0, "inline": False},
        {"line": "Read more", "after": 1, "inline": False},
        {"line": "© 2026 Harbour Gazette", "after": 2, "inline": False},
    ]


def test_replacing_the_text_replaces_its_removed_lines(editor):
    old = [{"line": "Advertisement", "after": 0, "inline": False}]
    article = ArticleFactory(text="\n\n".join(BODY), removed_lines=old)
    new = [{"line": "Read more", "after": 1, "inline": False}]
    services.article_text_replace(
        article=article, text=f"{BODY[1]}\n\n{BODY[0]}", by=editor, removed_lines=new
    )
    article.refresh_from_db()
    assert article.removed_lines == new
    # A text given without them (a correction) keeps none: the old places no longer fit.
    services.article_text_replace(article=article, text=BODY[0], by=editor)
    article.refresh_from_db()
    assert article.removed_lines == []
