"""Importing other organisations' fact-checks (apps/claims/factchecks.py)."""

import json

import pytest
from django.core.management import CommandError, call_command

from apps.claims.factchecks import FactCheckImportError, factchecks_import, verdict_for
from apps.claims.models import ExternalFactCheck, Verdict
from apps.claims.nlp import encoder

pytestmark = pytest.mark.django_db


def review(n, **extra):
    data = {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": f"https://checker.example/reviews/{n}",
        "claimReviewed": f"Claim number {n} about the harbour bridge toll",
        "author": {
            "@type": "Organization",
            "name": "Checker Desk",
            "url": "https://checker.example",
        },
        "datePublished": "2023-04-05",
        "itemReviewed": {
            "@type": "Claim",
            "author": {"@type": "Person", "name": "Jo Mayor"},
            "appearance": [{"@type": "CreativeWork", "url": "https://news.example/story"}],
        },
        "reviewRating": {
            "@type": "Rating",
            "ratingValue": 1,
            "bestRating": 5,
            "worstRating": 1,
            "alternateName": "False",
        },
        "inLanguage": "en",
    }
    data.update(extra)
    return data


def dumps(value) -> bytes:
    return json.dumps(value).encode()


def test_one_claimreview_object_is_imported_with_every_field():
    result = factchecks_import(dumps(review(1)))
    assert (result.format, result.created, result.updated, result.skipped) == ("json", 1, 0, [])
    row = ExternalFactCheck.objects.get()
    assert row.url == "https://checker.example/reviews/1"
    assert row.publisher == "Checker Desk"
    assert row.publisher_url == "https://checker.example"
    assert row.claimant == "Jo Mayor"
    assert row.appearances == ["https://news.example/story"]
    assert (row.rating_text, row.verdict) == ("False", Verdict.FALSE)
    assert (row.rating_value, row.best_rating, row.worst_rating) == (1, 5, 1)
    assert str(row.date_published) == "2023-04-05"
    assert row.language == "en"
    assert row.original == review(1)
    assert row.vector_model == encoder.MODEL_ID
    assert encoder.from_bytes(bytes(row.vector)).any()


def test_a_list_and_a_graph_are_read():
    assert factchecks_import(dumps([review(1), review(2)])).created == 2
    graph = {"@context": "https://schema.org", "@graph": [review(3), review(4), review(5)]}
    assert factchecks_import(dumps(graph)).created == 3
    assert ExternalFactCheck.objects.count() == 5


def test_the_datafeed_wrapper_is_read():
    feed = {
        "@context": "https://schema.org",
        "@type": "DataFeed",
        "dataFeedElement": [
            {"@type": "DataFeedItem", "item": [review(1), review(2)]},
            {"@type": "DataFeedItem", "item": [review(3)]},
            {"@type": "DataFeedItem", "item": review(4)},
        ],
    }
    result = factchecks_import(dumps(feed))
    assert (result.created, result.skipped) == (4, [])


def test_json_lines_are_read_and_a_broken_line_is_reported_by_number():
    lines = [json.dumps(review(1)), "{not json", "", json.dumps(review(2))]
    result = factchecks_import("\n".join(lines).encode())
    assert (result.format, result.created) == ("jsonl", 2)
    assert [(s.where, s.reason[:8]) for s in result.skipped] == [("line 2", "not JSON")]


def test_a_json_line_nested_too_deeply_is_reported_not_raised():
    deep = "[" * 100_000 + "]" * 100_000  # RecursionError in json.loads, not JSONDecodeError
    lines = [json.dumps(review(1)), deep, json.dumps(review(2))]
    result = factchecks_import("\n".join(lines).encode())
    assert (result.format, result.created) == ("jsonl", 2)
    assert [(s.where, s.reason[:8]) for s in result.skipped] == [("line 2", "not JSON")]


def test_csv_with_mapped_columns():
    text = (
        "Claim text,Who said it,Verdict,Link,Checked by,Date\n"
        '"Bridge tolls <b>doubled</b> in 2022",Jo Mayor,Mostly true,'
        "https://checker.example/r/9,Checker Desk,2022-12-01\n"
    )
    columns = {
        "claim": "Claim text",
        "claimant": "Who said it",
        "url": "Link",
        "publisher": "Checked by",
    }
    result = factchecks_import(text.encode(), columns=columns)
    assert (result.format, result.created) == ("csv", 1)
    row = ExternalFactCheck.objects.get()
    assert row.claim_reviewed == "Bridge tolls doubled in 2022"
    assert (row.claimant, row.publisher, row.verdict) == ("Jo Mayor", "Checker Desk", "mostly_true")
    assert str(row.date_published) == "2022-12-01"


def test_utf16_csv_is_read():
    text = "claim,url,rating\nBridge tolls doubled,https://checker.example/r/1,False\n"
    assert factchecks_import(text.encode("utf-16")).created == 1


def test_tsv_with_default_column_names():
    text = "claim\tclaimant\trating\turl\tpublisher\tdate\n" + (
        "Bridge tolls doubled\tJo Mayor\tPants on fire\thttps://checker.example/r/1\tDesk\t\n"
    )
    result = factchecks_import(text.encode())
    assert (result.format, result.created) == ("tsv", 1)
    row = ExternalFactCheck.objects.get()
    assert (row.verdict, row.date_published) == ("false", None)


def test_rating_with_only_alternate_name_is_mapped_by_the_table():
    factchecks_import(
        dumps(review(1, reviewRating={"@type": "Rating", "alternateName": "Misleading"}))
    )
    row = ExternalFactCheck.objects.get()
    assert (row.verdict, row.rating_value) == ("misleading", None)


@pytest.mark.parametrize(
    ("words", "verdict"),
    [
        ("False", "false"),
        ("Mostly true", "mostly_true"),
        ("Pants on Fire!", "false"),
        ("Misleading", "misleading"),
        ("Half-True", "mixed"),
        ("False. The photo was taken in 2015.", "false"),
        ("Satire", ""),
    ],
)
def test_rating_words_table(words, verdict):
    assert verdict_for(words) == verdict


@pytest.mark.parametrize(
    ("value", "best", "worst", "verdict"),
    [
        (1, 5, 1, "false"),
        (5, 5, 1, "true"),
        (7, 10, 0, "mostly_true"),
        (0, 0, 6, "true"),  # a scale where lower is better
        ("2", "4", "0", "mixed"),
        (3, None, None, ""),  # a number without its scale says nothing
        (11, 10, 0, ""),  # off the scale
    ],
)
def test_numeric_ratings_on_other_scales_are_placed_on_ours(value, best, worst, verdict):
    assert verdict_for("", value, best, worst) == verdict


def test_numeric_rating_on_a_ten_point_scale_is_stored_and_mapped():
    rating = {"@type": "Rating", "ratingValue": "2", "bestRating": "10", "worstRating": "0"}
    factchecks_import(dumps(review(1, reviewRating=rating)))
    row = ExternalFactCheck.objects.get()
    assert (row.rating_value, row.best_rating, row.verdict, row.rating_text) == (
        2,
        10,
        "misleading",
        "",
    )


def test_claimant_as_a_string_or_an_object():
    item_string = {"@type": "Claim", "author": "Pat Senator"}
    item_list = {"@type": "Claim", "author": [{"name": "A One"}, "B Two"]}
    factchecks_import(
        dumps([review(1, itemReviewed=item_string), review(2, itemReviewed=item_list)])
    )
    assert ExternalFactCheck.objects.get(url__endswith="/1").claimant == "Pat Senator"
    assert ExternalFactCheck.objects.get(url__endswith="/2").claimant == "A One, B Two"


@pytest.mark.parametrize(
    ("appearance", "urls"),
    [
        ("https://social.example/p/1", ["https://social.example/p/1"]),
        (
            {"@type": "CreativeWork", "url": "https://social.example/p/2"},
            ["https://social.example/p/2"],
        ),
        (
            ["https://social.example/p/3", {"url": "https://social.example/p/4"}, "not a url"],
            ["https://social.example/p/3", "https://social.example/p/4"],
        ),
    ],
)
def test_appearance_as_url_object_or_list(appearance, urls):
    factchecks_import(dumps(review(1, itemReviewed={"@type": "Claim", "appearance": appearance})))
    assert ExternalFactCheck.objects.get().appearances == urls


def test_missing_date_and_publisher_fall_back():
    data = review(1)
    del data["datePublished"], data["author"]
    factchecks_import(dumps(data))
    row = ExternalFactCheck.objects.get()
    assert (row.date_published, row.publisher) == (None, "checker.example")


def test_html_in_text_fields_is_stripped_never_kept():
    data = review(
        1,
        claimReviewed='<p>The <a href="x">bridge</a> toll &amp; fare rose</p>'
        "<script>alert(1)</script>",
        itemReviewed={"@type": "Claim", "author": {"name": "<i>Jo</i> Mayor"}},
        reviewRating={"alternateName": "<strong>False</strong>"},
    )
    factchecks_import(dumps(data))
    row = ExternalFactCheck.objects.get()
    assert row.claim_reviewed == "The bridge toll & fare rose"
    assert (row.claimant, row.rating_text, row.verdict) == ("Jo Mayor", "False", "false")


def test_duplicates_in_one_file_make_one_row_the_later_wins():
    later = review(1, claimReviewed="The corrected wording of the claim")
    result = factchecks_import(dumps([review(1), review(2), later]))
    assert (result.created, result.duplicates) == (2, 1)
    assert (
        ExternalFactCheck.objects.get(url__endswith="/1").claim_reviewed == later["claimReviewed"]
    )


def test_the_same_file_twice_updates_and_never_duplicates():
    content = dumps([review(n) for n in range(5)])
    first = factchecks_import(content)
    before = {r.pk: r.vector for r in ExternalFactCheck.objects.all()}
    second = factchecks_import(content)
    assert (first.created, first.updated, second.created, second.updated) == (5, 0, 0, 5)
    assert ExternalFactCheck.objects.count() == 5
    assert {r.pk: r.vector for r in ExternalFactCheck.objects.all()} == before


def test_same_review_under_a_differently_written_url_is_the_same_row():
    factchecks_import(dumps(review(1)))
    moved = review(1, url="HTTPS://Checker.Example:443/reviews/1/#top", claimReviewed="New text")
    result = factchecks_import(dumps(moved))
    assert (result.created, result.updated) == (0, 1)
    assert ExternalFactCheck.objects.get().claim_reviewed == "New text"


@pytest.mark.parametrize(
    "content",
    [
        b"%PDF-1.7\n\x00\x01binary",
        b"<html><body>Not a feed</body></html>",
        b"just some words\nand more words",
        b"[1, 2, 3",
        b"\xc3\x28\xa0\xa1",
        b"",
    ],
)
def test_a_file_that_is_not_json_or_csv_is_refused_and_nothing_imported(content):
    with pytest.raises(FactCheckImportError) as caught:
        factchecks_import(content)
    assert "nothing was imported" in caught.value.message.lower()
    assert ExternalFactCheck.objects.count() == 0


def test_a_bad_element_in_the_middle_of_a_large_file_is_reported_and_the_rest_imported():
    # ~2,000 reviews with long bodies (about 10 MB); element 1001 has no URL.
    filler = "x" * 4000
    reviews = [review(n, reviewBody=filler) for n in range(2001)]
    del reviews[1000]["url"]
    content = dumps({"@type": "DataFeed", "dataFeedElement": [{"item": reviews}]})
    assert len(content) > 8_000_000
    result = factchecks_import(content, chunk=500)
    assert result.created == 2000
    assert [(s.where, s.reason) for s in result.skipped] == [
        ("element 1001 (dataFeedElement[0].item[1000])", "no http(s) url")
    ]
    assert ExternalFactCheck.objects.count() == 2000


def test_elements_that_are_not_claimreviews_are_reported():
    content = dumps(
        [
            review(1),
            {"@type": "NewsArticle", "url": "https://n.example/a"},
            7,
            review(2, claimReviewed=""),
        ]
    )
    result = factchecks_import(content)
    assert result.created == 1
    assert [s.where for s in result.skipped] == [
        "element 2 ([1])",
        "element 3 ([2])",
        "element 4 ([3])",
    ]
    assert "NewsArticle" in result.skipped[0].reason
    assert result.skipped[2].reason == "no claimReviewed text"


def test_command_reads_a_file_and_stdin(tmp_path, capsys, monkeypatch):
    path = tmp_path / "reviews.json"
    path.write_bytes(dumps([review(1), 5]))
    call_command("import_factchecks", str(path))
    out = capsys.readouterr().out
    assert "imported 1, updated 0, skipped 1" in out
    assert "element 2 ([1]): not an object (int)" in out

    import io
    import sys

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(dumps(review(1)))))
    call_command("import_factchecks", "-")
    assert "imported 0, updated 1" in capsys.readouterr().out


def test_command_says_why_a_file_is_refused(tmp_path):
    path = tmp_path / "junk.bin"
    path.write_bytes(b"\x00\x01\x02")
    with pytest.raises(CommandError, match="binary file"):
        call_command("import_factchecks", str(path))
