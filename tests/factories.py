import itertools

import factory
from django.contrib.auth.models import User

from apps.accounts.services import user_create_with_role
from apps.articles.models import Article, Outlet
from apps.claims.models import Claim

_counter = itertools.count(1)


def user_with_role(role: str, username: str | None = None) -> User:
    user, _password = user_create_with_role(
        username=username or f"{role}{next(_counter)}", role=role
    )
    return user


class OutletFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Outlet

    name = factory.Sequence(lambda n: f"Outlet {n}")
    domain = factory.Sequence(lambda n: f"outlet{n}.example")


class ArticleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Article

    title = factory.Sequence(lambda n: f"Article {n}")
    url = factory.Sequence(lambda n: f"https://news.example/{n}")
    canonical_url = factory.LazyAttribute(lambda o: o.url)
    url_hash = factory.Sequence(lambda n: f"{n:064d}")
    outlet = factory.SubFactory(OutletFactory)
    text = (
        "Russia is running out of munitions used in the war in Ukraine, officials said.\n\n"
        "The economy grew by 5 percent in 2023, according to the ministry."
    )
    content_hash = factory.Sequence(lambda n: f"c{n:063d}")


class ClaimFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Claim
        skip_postgeneration_save = True

    statement = factory.Sequence(lambda n: f"Claim statement number {n}")

    @factory.post_generation
    def embedding(obj, create, extracted, **kwargs):
        """Encoded as the services do on save, so search finds it by meaning."""
        if create:
            from apps.claims.embeddings import embed_claims

            embed_claims([obj])


def advance_claim(claim, status: str, by):
    """Take a new claim, with evidence, to `status` through the real services."""
    from apps.claims import services

    if status in ("in_review", "published"):
        claim = services.claim_propose_verdict(claim=claim, verdict="true", rationale="ok", by=by)
        claim = services.claim_submit_for_review(claim=claim, by=by)
    if status == "published":
        claim = services.review_approve(claim=claim, by=user_with_role("editor"))
    return claim
