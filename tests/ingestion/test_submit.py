"""Every channel makes its jobs through one service, `jobs_create`, and the role check is
made there: no caller (a page, the API, a command, a feed poll) can skip it."""

import ast
from pathlib import Path

import pytest
from django.contrib.auth.models import User

from apps.core.errors import NotAllowed
from apps.ingestion import services
from apps.ingestion.models import Feed, IngestJob
from apps.ingestion.services import submit
from tests.core.httpserver import Reply
from tests.ingestion.helpers import rss

pytestmark = pytest.mark.django_db

URL = "https://news.example/story"


def _url(by):
    return services.job_submit_url(url=URL, by=by)


def _file(by):
    return services.job_submit_content(name="a.txt", content="Some text.", by=by)


def _push(by):
    return services.job_submit_content(
        name="push", content="Some text.", by=by, channel=IngestJob.Channel.PUSH
    )


def _batch(by):
    return services.batch_submit_urls(text=f"{URL}\n{URL}/2", by=by)


def _feed_entries(by):
    feed, _ = Feed.objects.get_or_create(url="https://news.example/feed.xml")
    return services.jobs_create(
        channel=IngestJob.Channel.FEED, new=[submit.NewJob.for_url(URL)], by=by, feed=feed
    )


CHANNELS = {"url": _url, "file": _file, "push": _push, "batch": _batch, "feed": _feed_entries}


@pytest.fixture
def not_sent(monkeypatch):
    """The jobs stay queued: what is checked here is who may make them."""
    sent = []
    monkeypatch.setattr(services.dispatch, "jobs_enqueue", sent.extend)
    return sent


@pytest.mark.parametrize("channel", CHANNELS)
def test_a_reader_cannot_make_jobs_on_any_channel(channel, not_sent):
    reader = User.objects.create_user("reader")
    with pytest.raises(NotAllowed, match="Only analysts, editors and admins"):
        CHANNELS[channel](reader)
    assert not IngestJob.objects.exists() and not not_sent


@pytest.mark.parametrize("channel", CHANNELS)
def test_an_analyst_and_the_system_can(channel, analyst, not_sent):
    CHANNELS[channel](analyst)
    if channel != "batch":  # a batch is always someone's
        CHANNELS[channel](None)
    made = IngestJob.objects.count()
    assert made >= 1 and sorted(not_sent) == sorted(IngestJob.objects.values_list("id", flat=True))


@pytest.mark.parametrize("channel", CHANNELS)
def test_every_channel_goes_through_jobs_create(channel, analyst, not_sent, monkeypatch):
    calls = []
    real = submit.jobs_create

    def spy(**kwargs):
        calls.append(kwargs["channel"])
        return real(**kwargs)

    monkeypatch.setattr(submit, "jobs_create", spy)
    monkeypatch.setattr(services, "jobs_create", spy)
    CHANNELS[channel](analyst)
    assert calls == [{"batch": "url"}.get(channel, channel)]


def test_a_feed_poll_makes_its_jobs_through_jobs_create(allowed, monkeypatch, not_sent):
    server = allowed
    links = [(f"Story {n}", server.url(f"/a/{n}")) for n in range(3)]
    server.route("/rss.xml", Reply(200, {"Content-Type": "application/rss+xml"}, rss(links)))
    calls = []
    real = submit.jobs_create
    monkeypatch.setattr(
        submit, "jobs_create", lambda **kw: calls.append(kw["channel"]) or real(**kw)
    )
    feed = Feed.objects.create(url=server.url("/rss.xml"))
    lease = services.feeds_lease(feed_ids=[feed.pk])
    assert lease == [feed.pk]
    feed.refresh_from_db()
    services.feed_poll_run(feed.pk, feed.next_poll_at.isoformat())
    assert calls == [IngestJob.Channel.FEED] and IngestJob.objects.filter(feed=feed).count() == 3


def test_the_services_never_import_the_tasks_module():
    """services -> tasks would close a cycle (the tasks import the services)."""
    package = Path(services.__file__).parent
    modules = sorted(package.glob("*.py"))
    assert len(modules) >= 8
    for module in modules:
        tree = ast.parse(module.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                names = [node.module or ""] + [alias.name for alias in node.names]
                assert not any(name == "tasks" or name.endswith(".tasks") for name in names), (
                    module.name
                )
            elif isinstance(node, ast.Import):
                assert not any(a.name.endswith(".tasks") for a in node.names), module.name


def test_every_services_module_is_under_500_lines():
    package = Path(services.__file__).parent
    sizes = {m.name: len(m.read_text().splitlines()) for m in package.glob("*.py")}
    assert sizes and all(n < 500 for n in sizes.values()), sizes
