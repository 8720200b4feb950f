"""Near-duplicates: a republished or synonym-spun copy is linked to the original through
MinHash LSH bands stored in PostgreSQL; different stories on the same topic are not."""

import random
import re
import threading

import pytest
from django.db import connection

from apps.articles.models import Article
from apps.ingestion import dedupe, services
from apps.ingestion.models import ArticleSignature, IngestJob
from tests.ingestion.helpers import seed_texts

pytestmark = pytest.mark.django_db

SYNONYMS = {
    "said": "stated",
    "war": "battle",
    "weapons": "arms",
    "leader": "chief",
    "country": "nation",
    "meeting": "summit",
    "military": "armed",
    "however": "nevertheless",
    "because": "as",
    "train": "practice",
    "where": "the place",
    "experts": "specialists",
    "likely": "probable",
    "would": "might",
    "could": "may",
    "large": "big",
    "support": "backing",
    "also": "additionally",
    "many": "numerous",
    "against": "versus",
    "people": "folks",
    "years": "12 months",
}


def spin(text: str, rate: float = 0.3, seed: int = 3) -> str:
    """What a synonym spinner does to a text: a share of the words swapped for others."""
    rnd = random.Random(seed)

    def swap(match):
        word = match.group(0)
        if word.lower() in SYNONYMS:
            return SYNONYMS[word.lower()]
        if len(word) > 3 and rnd.random() < rate:
            return word[::-1]
        return word

    return re.sub(r"[A-Za-z]+", swap, text)


def push(on_commit, text, url):
    job = on_commit(
        services.job_submit_content,
        name=url,
        content=text,
        metadata={"url": url, "title": url.rsplit("/", 1)[-1]},
        channel=IngestJob.Channel.PUSH,
    )
    job.refresh_from_db()
    return job


@pytest.fixture
def original(on_commit):
    job = push(on_commit, seed_texts()[1], "https://paper-one.example/kim-putin")
    return job.article


def test_a_spun_copy_is_linked_to_the_original(on_commit, original):
    job = push(on_commit, spin(seed_texts()[1]), "https://spinner.example/kim-putin-arms")
    job.refresh_from_db()
    assert job.status == IngestJob.Status.DONE
    copy = job.article
    assert copy.pk != original.pk
    assert copy.duplicate_of_id == original.pk
    assert 0.2 <= copy.duplicate_similarity < 0.8
    original.refresh_from_db()
    assert original.duplicate_of_id is None


def test_a_republished_copy_with_other_framing_is_linked(on_commit, original):
    text = (
        "Republished with permission from Paper One.\n\n"
        + seed_texts()[1]
        + "\n\nFollow us for more world news. Subscribe to our newsletter today."
    )
    job = push(on_commit, text, "https://aggregator.example/story/123")
    job.refresh_from_db()
    assert job.article.duplicate_of_id == original.pk
    assert job.article.duplicate_similarity > 0.9


def test_different_stories_on_the_same_topic_are_not_linked(on_commit):
    for i, text in enumerate(seed_texts()):
        push(on_commit, text, f"https://outlet{i}.example/story")
    assert Article.objects.count() == 5
    assert not Article.objects.filter(duplicate_of__isnull=False).exists()
    assert ArticleSignature.objects.count() == 5


def test_a_copy_of_a_copy_points_at_the_original(on_commit, original):
    push(on_commit, spin(seed_texts()[1], rate=0.1, seed=1), "https://b.example/x")
    job = push(on_commit, spin(seed_texts()[1], rate=0.1, seed=2), "https://c.example/x")
    job.refresh_from_db()
    assert job.article.duplicate_of_id == original.pk


def test_signature_is_stored_with_indexed_bands_and_lookup_is_one_query(
    on_commit, original, django_assert_max_num_queries
):
    signature = ArticleSignature.objects.get(article=original)
    assert len(signature.bands) == dedupe.BANDS
    assert len(bytes(signature.minhash)) == dedupe.NUM_PERM * 4
    copy = Article.objects.create(
        title="copy", text=spin(seed_texts()[1]), url_hash="f" * 64, content_hash="e" * 64
    )
    # lock + upsert (select, insert) + candidate query, then the texts of the candidates
    # and the link: a fixed number, whatever the number of articles stored.
    with django_assert_max_num_queries(8):
        linked, similarity = dedupe.near_duplicate_link(copy)
    assert linked == original and similarity > 0.2


def test_linking_again_is_idempotent_and_never_makes_a_cycle(on_commit, original):
    job = push(on_commit, spin(seed_texts()[1]), "https://spinner.example/x")
    copy = Article.objects.get(pk=job.article_id)
    first = (copy.duplicate_of_id, copy.duplicate_similarity)
    dedupe.near_duplicate_link(copy)
    original.refresh_from_db()
    assert dedupe.near_duplicate_link(original) == (None, None)  # not linked back to its copy
    copy.refresh_from_db()
    assert (copy.duplicate_of_id, copy.duplicate_similarity) == first
    assert ArticleSignature.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_two_near_duplicates_stored_at_the_same_moment_are_linked():
    texts = [seed_texts()[4], spin(seed_texts()[4])]
    articles = [
        Article.objects.create(
            title=f"t{i}", text=t, url_hash=f"{i}" * 64, content_hash=f"{i}" * 64
        )
        for i, t in enumerate(texts)
    ]
    barrier = threading.Barrier(2)

    def link(article):
        try:
            barrier.wait()
            dedupe.near_duplicate_link(article)
        finally:
            connection.close()

    threads = [threading.Thread(target=link, args=(a,)) for a in articles]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    links = {a.pk: a.duplicate_of_id for a in Article.objects.all()}
    # whichever took the lock second saw the other: exactly one link, no cycle
    assert sorted(v is None for v in links.values()) == [False, True]


def test_the_older_article_links_a_newer_copy_that_missed_it():
    # B was stored, and looked for candidates, before A's signature was committed: B
    # found nothing. A, looking after B committed, links the newer B to itself.
    a = Article.objects.create(
        title="A", text=seed_texts()[2], url_hash="a" * 64, content_hash="a" * 64
    )
    b = Article.objects.create(
        title="B", text=spin(seed_texts()[2]), url_hash="b" * 64, content_hash="b" * 64
    )
    assert dedupe.near_duplicate_link(b) == (None, None)  # A has no signature yet

    assert dedupe.near_duplicate_link(a) == (None, None)  # A itself links to nothing older
    b.refresh_from_db()
    assert b.duplicate_of_id == a.pk and b.duplicate_similarity >= dedupe.DEFAULT_THRESHOLD
