"""Incremental sync: the (updated_at, id) cursor never skips or repeats a claim, even when
many claims share a timestamp or change while a client pages; deletions are reported."""

import random
import threading
import time
from datetime import timedelta

import pytest
from django.db import close_old_connections, connection, transaction
from django.utils import timezone

from apps.claims import services as claims
from apps.claims.models import Claim
from tests import factories

from .conftest import client_for

pytestmark = pytest.mark.django_db


def follow(api, url, params=None):
    """All pages from `url`: (rows, resume link)."""
    rows = []
    response = api.get(url, params)
    while True:
        assert response.status_code == 200, response.content
        body = response.json()
        rows.extend(body["results"])
        if not body["next"]:
            return rows, body["resume"]
        response = api.get(body["next"])


def test_claims_sharing_one_timestamp_are_paged_without_skip_or_repeat(analyst_api):
    made = Claim.objects.bulk_create(Claim(statement=f"C{n}") for n in range(23))
    Claim.objects.update(updated_at=timezone.now() - timedelta(minutes=5))
    rows, resume = follow(analyst_api, "/api/claims/", {"ordering": "updated_at", "page_size": 5})
    assert [r["id"] for r in rows] == sorted(c.id for c in made)
    assert resume
    # Nothing changed since: the resume link gives an empty page and is stable.
    later = analyst_api.get(resume).json()
    assert later["results"] == [] and later["next"] is None and later["resume"] == resume


def test_a_claim_changed_during_paging_moves_to_the_end_and_is_not_lost(analyst, analyst_api):
    made = Claim.objects.bulk_create(Claim(statement=f"C{n}") for n in range(6))
    Claim.objects.update(updated_at=timezone.now() - timedelta(minutes=5))
    first = analyst_api.get("/api/claims/", {"ordering": "updated_at", "page_size": 2}).json()
    seen = [r["id"] for r in first["results"]]
    assert seen == [made[0].id, made[1].id]
    # Another user edits one claim already seen and one not yet seen.
    for claim in (made[0], made[4]):
        claims.claim_update(claim=Claim.objects.get(pk=claim.pk), by=analyst, tags=["edited"])
    rows, resume = follow(analyst_api, first["next"])
    seen += [r["id"] for r in rows]
    assert seen == [m.id for m in made[:4]] + [made[5].id, made[0].id, made[4].id]
    assert {r["id"]: r["tags"] for r in rows}[made[4].id] == ["edited"]


def test_updated_since_with_the_sync_ordering(analyst_api):
    old = factories.ClaimFactory()
    Claim.objects.filter(pk=old.pk).update(updated_at=timezone.now() - timedelta(days=2))
    new = factories.ClaimFactory()
    since = (timezone.now() - timedelta(days=1)).isoformat()
    rows, _resume = follow(
        analyst_api, "/api/claims/", {"ordering": "updated_at", "updated_since": since}
    )
    assert [r["id"] for r in rows] == [new.id]


def test_changes_younger_than_the_margin_wait_for_the_next_request(analyst_api, settings):
    settings.API_SYNC_MARGIN_SECONDS = 3600
    factories.ClaimFactory()
    body = analyst_api.get("/api/claims/", {"ordering": "updated_at"}).json()
    assert body["results"] == [] and body["resume"]


def test_deleted_claims_are_reported_as_tombstones(editor, editor_api):
    keep, gone = factories.ClaimFactory(), factories.ClaimFactory()
    before = timezone.now() - timedelta(seconds=1)
    claims.claim_delete(claim=gone, by=editor)
    rows, resume = follow(editor_api, "/api/claims/deleted/")
    assert [r["id"] for r in rows] == [gone.id]
    assert rows[0]["deleted_at"] >= before.isoformat()[:19]
    assert follow(editor_api, resume)[0] == []
    claims.claim_delete(claim=keep, by=editor)
    assert [r["id"] for r in follow(editor_api, resume)[0]] == [keep.id]
    later = (timezone.now() + timedelta(minutes=1)).isoformat()
    assert follow(editor_api, "/api/claims/deleted/", {"since": later})[0] == []
    assert editor_api.get("/api/claims/deleted/", {"since": "yesterday"}).status_code == 400


@pytest.mark.django_db(transaction=True)
def test_client_syncing_while_another_process_edits_and_deletes_ends_with_the_servers_set(
    settings,
):
    """Two writer threads (each its own database connection) create, edit and delete claims
    — one in transactions that stay open after stamping updated_at — while a client syncs
    page by page. At the end the client's copy is exactly the server's set, and no claim
    reached the client more often than it changed."""
    settings.API_SYNC_MARGIN_SECONDS = 0.05
    analyst = factories.user_with_role("analyst")
    editor = factories.user_with_role("editor")
    api = client_for(editor, scope="read")
    seeded = Claim.objects.bulk_create(Claim(statement=f"Seed {n}") for n in range(60))
    Claim.objects.update(updated_at=timezone.now() - timedelta(minutes=1))  # one shared stamp

    changes = {c.pk: 1 for c in seeded}  # how often each claim may be served
    stop = threading.Event()
    failures = []

    def fast_writer():
        """Creates, edits and deletes odd-numbered claims in short transactions."""
        rng = random.Random(6)
        try:
            for step in range(150):
                live = list(Claim.objects.filter(id__in=odd_ids()).values_list("pk", flat=True))
                roll = rng.random()
                if roll < 0.2 or not live:
                    made = Claim.objects.create(statement=f"New {step}")
                    changes[made.pk] = 1
                elif roll < 0.35:
                    claims.claim_delete(claim=Claim.objects.get(pk=rng.choice(live)), by=editor)
                else:
                    pk = rng.choice(live)
                    claims.claim_update(
                        claim=Claim.objects.get(pk=pk), by=analyst, tags=[f"f{step}"]
                    )
                    changes[pk] += 1
                time.sleep(rng.random() * 0.004)
        except Exception as exc:  # pragma: no cover - reported by the assertion below
            failures.append(exc)
        finally:
            connection.close()

    def slow_writer():
        """Edits even-numbered claims in transactions that stay open after the stamp, so
        their updated_at is older than changes the fast writer commits meanwhile."""
        rng = random.Random(7)
        try:
            step = 0
            while not stop.is_set():
                step += 1
                pk = rng.choice([c.pk for c in seeded if c.pk % 2 == 0])
                with transaction.atomic():
                    claims.claim_update(
                        claim=Claim.objects.get(pk=pk), by=analyst, tags=[f"s{step}"]
                    )
                    time.sleep(0.03)
                changes[pk] += 1
        except Exception as exc:  # pragma: no cover
            failures.append(exc)
        finally:
            connection.close()

    def odd_ids():
        return [pk for pk in changes if pk % 2 == 1]

    local: dict[int, tuple] = {}
    served: dict[int, int] = {}
    changes_url = "/api/claims/?ordering=updated_at&page_size=7"
    deleted_url = "/api/claims/deleted/?page_size=5"

    def sync_round():
        nonlocal changes_url, deleted_url
        rows, changes_url = follow(api, changes_url)
        for row in rows:
            local[row["id"]] = (row["version"], row["statement"], tuple(row["tags"]))
            served[row["id"]] = served.get(row["id"], 0) + 1
        tombstones, deleted_url = follow(api, deleted_url)
        for row in tombstones:
            local.pop(row["id"], None)

    fast, slow = threading.Thread(target=fast_writer), threading.Thread(target=slow_writer)
    fast.start()
    slow.start()
    try:
        rounds = 0
        while fast.is_alive():
            sync_round()
            rounds += 1
    finally:
        stop.set()
        fast.join()
        slow.join()
    time.sleep(0.1)  # past the margin
    sync_round()
    close_old_connections()
    assert not failures, failures
    assert rounds > 3  # the client really synced while the writer worked
    server = {
        pk: (version, statement, tuple(tags))
        for pk, version, statement, tags in Claim.objects.values_list(
            "pk", "version", "statement", "tags"
        )
    }
    assert local == server
    repeated = {pk: n for pk, n in served.items() if n > changes.get(pk, 0)}
    assert repeated == {}
