"""The history reads as a person would tell it (issue 16, item 6): what was done, by whom
and when, field labels, old → new with lists and choices in words, the editor's note; the
same on the claim page and on the full history page, without blank "update" lines."""

import re

import pytest

from apps.claims import services
from apps.evidence.services import evidence_add

pytestmark = pytest.mark.django_db
QUOTE = "Russia is running out of munitions used in the war in Ukraine"


@pytest.fixture
def sent_back(article, analyst, editor):
    claim = services.claim_create(article=article, start=0, end=len(QUOTE), quote=QUOTE, by=analyst)
    claim = services.claim_update(
        claim=claim, by=analyst, tags=["war", "ukraine"], assignee=analyst
    )
    claim = services.claim_start_research(claim=claim, by=analyst)
    evidence_add(
        claim=claim, by=analyst, stance="supports", url="https://example.org/x", note="MoD"
    )
    claim = services.claim_propose_verdict(
        claim=claim, verdict="mostly_true", rationale="Because.", by=analyst
    )
    claim = services.claim_submit_for_review(claim=claim, by=analyst)
    return services.review_send_back(claim=claim, by=editor, note="Need a second source")


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def _history(html: str) -> str:
    found = re.search(
        r'<ol class="timeline">.*?</ol>\s*(</section>|{% endblock|</main>|$)', html, re.S
    )
    return _text(found.group(0) if found else html)


@pytest.mark.parametrize("page", ["claim", "full"])
def test_history_reads_as_people_tell_it(editor_client, sent_back, analyst, editor, page):
    url = f"/claims/{sent_back.pk}/" if page == "claim" else f"/desk/claims/{sent_back.pk}/history/"
    html = editor_client.get(url).content.decode()
    text = _history(html)
    assert f"Sent back for more work · {editor.username}" in text
    assert "Editor's note : Need a second source" in text or "Editor's note: " in text
    assert "Need a second source" in text
    assert "Status : In review → Researching" in text
    assert "Tags : — → war, ukraine" in text
    assert f"Assigned to : — → {analyst.username}" in text
    assert "Verdict : — → Mostly true" in text
    assert f"Proposed a verdict · {analyst.username}" in text
    assert f"Submitted for review · {analyst.username}" in text
    for raw in (
        "[&#x27;",
        "['",
        "in_review",
        "mostly_true",
        "assignee_id",
        "send_back",
        " update ",
    ):
        assert raw not in text, raw


def test_full_history_has_no_blank_update_lines(editor_client, sent_back):
    html = editor_client.get(f"/desk/claims/{sent_back.pk}/history/").content.decode()
    items = re.findall(
        r'<li class="timeline-item[^"]*">(.*?)</li>\s*(?=<li class="timeline-item|</ol>)',
        html,
        re.S,
    )
    assert items
    for item in items:
        assert re.search(r'<ul class="changes">\s*<li', item), _text(item)
