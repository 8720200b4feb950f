"""A page that is only a paywall or a reprint notice ends as a failed job with the
reason, through the runner (not an empty article); a layout-table page is stored whole."""

import pytest

from apps.articles.models import Article
from apps.ingestion import services
from apps.ingestion.models import IngestJob

from .test_extraction_structure import (
    HEADLINE,
    PARAGRAPHS,
    PAYWALL_JSON_LD,
    TABLE_LAYOUT,
    _page,
)

pytestmark = pytest.mark.django_db

PAYWALL = _page(
    f"<article><h1>{HEADLINE}</h1><p>{PARAGRAPHS[0]}</p>"
    "<p>Subscribe now to continue reading.</p></article>",
    head=PAYWALL_JSON_LD,
)
REPRINT = _page(
    f"<article><h1>{HEADLINE}</h1><p>This story was originally published by the Bay "
    "Herald.</p><p><a href='https://bayherald.example/harbour'>Read the original story</a>"
    "</p></article>"
)


def _run(html: str, analyst, django_capture_on_commit_callbacks) -> IngestJob:
    with django_capture_on_commit_callbacks(execute=True):
        job = services.job_submit_content(name="page.html", content=html, fmt="html", by=analyst)
    job.refresh_from_db()
    return job


@pytest.mark.parametrize(
    ("html", "reason"), [(PAYWALL, "paywall"), (REPRINT, "republished from elsewhere")]
)
def test_a_stub_page_fails_its_job_with_the_reason(
    html, reason, analyst, django_capture_on_commit_callbacks
):
    job = _run(html, analyst, django_capture_on_commit_callbacks)
    assert job.status == IngestJob.Status.FAILED
    assert reason in job.failure_reason
    assert not Article.objects.exists()


def test_a_layout_table_page_is_stored_whole(analyst, django_capture_on_commit_callbacks):
    job = _run(TABLE_LAYOUT, analyst, django_capture_on_commit_callbacks)
    assert job.status == IngestJob.Status.DONE, job.failure_reason
    text = Article.objects.get(pk=job.article_id).text
    assert all(paragraph in text for paragraph in PARAGRAPHS)
