"""A small newsroom in every state a page can show, for the layout and accessibility tests:
an article with claims in each status and open suggestions, evidence, a claim in review,
a published fact-check, ingest jobs (one failed on a long URL), a batch, a feed, an API
token and notifications."""

from dataclasses import dataclass
from pathlib import Path

from apps.accounts.services import api_token_create
from apps.claims import services
from apps.claims.models import Claim, Suggestion
from apps.evidence.services import evidence_add
from apps.ingestion.models import Feed, IngestBatch, IngestJob
from tests import factories
from tests.browser.helpers import make_user

SEED = Path(__file__).resolve().parents[2] / "fixtures" / "seeds" / "000_d886f9ee4cc6ef26.txt"
IN_REVIEW = "Russia is running out of munitions used in the war in Ukraine"
PUBLISHED = "North Korea is one of the few countries that recognized the annexation of Crimea"
NEW = "The Russian president will meet in Vladivostok tomorrow"
SUGGESTED = (
    "Now it has been speculated that Russia is trying to buy weapons and ammunition from "
    "North Korea, especially 152 millimeter artillery shells."
)
# Long unbroken strings are what push a narrow page sideways.
LONG_URL = (
    "https://www.example-national-broadcaster.example/news/world/2023/09/12/"
    "north-korea-russia-ammunition-deal-analysis-kim-jong-un-vladimir-putin-vladivostok"
    "?utm_source=newsletter&utm_medium=email&utm_campaign=morning_briefing_20230912"
)


@dataclass
class Newsroom:
    editor: object
    analyst: object
    article: object
    in_review: Claim
    published: Claim
    new: Claim
    suggestion: Suggestion
    failed_job: IngestJob
    batch: IngestBatch
    feed: Feed


def _claim(article, quote, by, **kwargs):
    start = article.text.index(quote)
    return services.claim_create(
        article=article, start=start, end=start + len(quote), quote=quote, by=by, **kwargs
    )


def build_newsroom() -> Newsroom:
    editor = make_user("editor", "eddie")
    analyst = make_user("analyst", "ana")
    text = SEED.read_text(encoding="utf-8").strip("\n")
    outlet = factories.OutletFactory(name="Yleisradio Uutiset", domain="yle.example")
    article = factories.ArticleFactory(
        title=text.split("\n", 1)[0], text=text, outlet=outlet, url=LONG_URL
    )
    in_review = _claim(article, IN_REVIEW, analyst, claimant_name="Arkady Moshes")
    evidence_add(claim=in_review, by=analyst, stance="refutes", url=LONG_URL)
    evidence_add(claim=in_review, by=analyst, stance="context", note="Output figures vary.")
    in_review = services.claim_propose_verdict(
        claim=in_review,
        verdict="misleading",
        rationale="Stocks are low but production rose through 2023.",
        by=analyst,
    )
    in_review = services.claim_submit_for_review(claim=in_review, by=analyst)
    published = _claim(article, PUBLISHED, analyst, claimant_name="Arkady Moshes")
    evidence_add(claim=published, by=analyst, stance="supports", url=f"{LONG_URL}&p=2")
    published = factories.advance_claim(published, "published", by=analyst)
    new = _claim(article, NEW, analyst)
    start = article.text.index(SUGGESTED)
    suggestion = Suggestion.objects.create(
        article=article,
        start=start,
        end=start + len(SUGGESTED),
        sentence=SUGGESTED,
        score=0.91,
        claimant_name="Arkady Moshes",
    )
    batch = IngestBatch.objects.create(
        label="Morning sweep of the ministry's pages", created_by=editor
    )
    failed_job = IngestJob.objects.create(
        channel="url",
        url=LONG_URL,
        status="failed",
        failure_reason=f"HTTP 403 from {LONG_URL}",
        created_by=editor,
        batch=batch,
    )
    IngestJob.objects.create(
        channel="url",
        url=f"{LONG_URL}&x=1",
        status="done",
        created_by=editor,
        batch=batch,
        article=article,
    )
    feed = Feed.objects.create(url=f"{LONG_URL}&format=rss", title="Yle news, world section")
    api_token_create(user=editor, name="Newsroom dashboard on the wall screen")
    return Newsroom(
        editor=editor,
        analyst=analyst,
        article=article,
        in_review=in_review,
        published=published,
        new=new,
        suggestion=suggestion,
        failed_job=failed_job,
        batch=batch,
        feed=feed,
    )
