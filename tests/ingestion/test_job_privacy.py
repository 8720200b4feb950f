"""Ingest jobs are private to whoever submitted them, in the pages as in the API
(apps/api/views.py IngestJobViewSet): editors see every job, a user with no role none."""

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from apps.ingestion.models import IngestJob
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def jobs(analyst):
    other = factories.user_with_role("analyst")
    mine = IngestJob.objects.create(
        channel="url", url="https://mine.example/a", status="failed", created_by=analyst
    )
    theirs = IngestJob.objects.create(
        channel="url", url="https://theirs.example/b", status="failed", created_by=other
    )
    return mine, theirs


def test_an_analyst_lists_and_opens_only_their_own_jobs(analyst_client, jobs):
    mine, theirs = jobs
    listing = analyst_client.get(reverse("ingestion:jobs")).content.decode()
    assert "mine.example" in listing and "theirs.example" not in listing
    assert analyst_client.get(reverse("ingestion:job_detail", args=[mine.pk])).status_code == 200
    assert analyst_client.get(reverse("ingestion:job_detail", args=[theirs.pk])).status_code == 404


def test_an_analyst_cannot_retry_someone_elses_job(analyst_client, jobs, monkeypatch):
    from apps.ingestion import services

    monkeypatch.setattr(services.dispatch, "jobs_enqueue", lambda ids: None)
    _mine, theirs = jobs
    response = analyst_client.post(reverse("ingestion:job_retry", args=[theirs.pk]))
    assert response.status_code == 404
    assert IngestJob.objects.get(pk=theirs.pk).status == "failed"


def test_an_editor_sees_every_job(editor_client, jobs):
    listing = editor_client.get(reverse("ingestion:jobs")).content.decode()
    assert "mine.example" in listing and "theirs.example" in listing
    _mine, theirs = jobs
    assert editor_client.get(reverse("ingestion:job_detail", args=[theirs.pk])).status_code == 200


def test_a_user_with_no_role_sees_no_jobs(client, jobs):
    client.force_login(User.objects.create_user("reader"))
    listing = client.get(reverse("ingestion:jobs")).content.decode()
    assert "mine.example" not in listing and "theirs.example" not in listing
    mine, _theirs = jobs
    assert client.get(reverse("ingestion:job_detail", args=[mine.pk])).status_code == 404
