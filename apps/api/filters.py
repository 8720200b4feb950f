import django_filters

from apps.claims.models import Claim, Status, Verdict


class ClaimFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=Status.choices)
    verdict = django_filters.MultipleChoiceFilter(choices=Verdict.choices)

    class Meta:
        model = Claim
        fields = ["status", "verdict"]


class ArticleFilter(django_filters.FilterSet):
    outlet = django_filters.NumberFilter(field_name="outlet_id")
    language = django_filters.CharFilter()

    class Meta:
        from apps.articles.models import Article

        model = Article
        fields = ["outlet", "language"]
