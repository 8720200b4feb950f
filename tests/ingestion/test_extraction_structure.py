"""extract_html keeps the article and only the article, whatever the page's layout.

Each page here is written for the test in the style of a real news site (none is one of
the sample articles): a body laid out in tables, paragraphs carrying inline links, a
paywall or a reprint notice instead of the article, and the clutter that sits inside
an article's markup (related-headline lists, hover-cards, promotions).
"""

import pytest

from apps.ingestion.extraction import ExtractionError, extract_html

URL = "https://coast.example/news/2024/05/harbour-vote"

PARAGRAPHS = [
    "The city council voted on Tuesday to expand the harbour by 40 hectares, a plan that "
    "has divided residents for more than a decade.",
    "The mayor said the expansion would bring 1,200 jobs to the district within five "
    "years, according to the council's own estimate.",
    "Opponents say the port authority has not published the environmental study that it "
    "promised in 2019, and they plan to appeal the decision.",
    "The vote passed by seven votes to four after a debate that lasted almost six hours "
    "and ended shortly before midnight.",
    "Work on the first quay is due to start next spring, the port authority said in a "
    "statement issued after the meeting.",
]
HEADLINE = "Council backs harbour expansion after six-hour debate"
HEAD = f"<html lang='en'><head><meta charset='utf-8'><title>{HEADLINE} | Coast Courier</title>"
SITE_NAV = (
    "<header><a href='/' class='logo'>Coast Courier</a><nav><ul>"
    "<li><a href='/news'>News</a></li><li><a href='/sport'>Sport</a></li>"
    "<li><a href='/business'>Business</a></li><li><a href='/opinion'>Opinion</a></li>"
    "</ul></nav></header>"
)
FOOTER = "<footer><p>© 2024 Coast Courier Media</p><a href='/privacy'>Privacy</a></footer>"


def _page(article: str, head: str = "") -> str:
    return f"{HEAD}{head}</head><body>{SITE_NAV}<main>{article}</main>{FOOTER}</body></html>"


def _article(body: str) -> str:
    return (
        f"<article><h1>{HEADLINE}</h1><p class='byline'>By Maria Olsen</p>"
        f"<div class='article-body'>{body}</div></article>"
    )


def _paragraphs(items=PARAGRAPHS) -> str:
    return "".join(f"<p>{p}</p>" for p in items)


def _assert_all_paragraphs(text: str) -> None:
    for paragraph in PARAGRAPHS:
        assert paragraph in text


# --------------------------------------------------------------------- table layout

TABLE_LAYOUT = (
    f"{HEAD}</head><body bgcolor='#ffffff'>"
    "<table width='760' border='0' cellpadding='0' cellspacing='0'>"
    "<tr><td colspan='2'><a href='/'><img src='/img/masthead.gif' alt='Coast Courier'></a>"
    "</td></tr>"
    "<tr><td width='140' valign='top' class='leftnav'>"
    "<a href='/news'>News</a><br><a href='/sport'>Sport</a><br><a href='/obits'>Obituaries</a>"
    "<br><a href='/classifieds'>Classifieds</a></td>"
    "<td width='620' valign='top'>"
    f"<font face='Arial' size='4'><b>{HEADLINE}</b></font><br>"
    "<font size='2'>By Maria Olsen, Staff Writer</font><br><br>"
    "<font face='Arial' size='2'>" + "<br><br>".join(PARAGRAPHS) + "</font>"
    "</td></tr>"
    "<tr><td colspan='2' align='center'><font size='1'>© 2024 Coast Courier</font></td></tr>"
    "</table></body></html>"
)

TABLE_ROWS = _page(
    "<table class='story'>"
    f"<tr><td class='headline'><h1>{HEADLINE}</h1></td></tr>"
    + "".join(f"<tr><td class='storytext'>{p}</td></tr>" for p in PARAGRAPHS)
    + "</table>"
)


@pytest.mark.parametrize("html", [TABLE_LAYOUT, TABLE_ROWS], ids=["cells", "rows"])
def test_a_body_laid_out_in_tables_keeps_its_text(html):
    extracted = extract_html(html, url=URL)
    _assert_all_paragraphs(extracted.text)
    assert "Classifieds" not in extracted.text  # the navigation cell stays out


def test_a_data_table_inside_an_article_is_not_taken_for_layout():
    results = (
        "<table class='results'><tr><th>Party</th><th>Seats</th></tr>"
        "<tr><td>Harbour First</td><td>7</td></tr><tr><td>Green Coast</td><td>4</td></tr></table>"
    )
    extracted = extract_html(_page(_article(_paragraphs() + results)), url=URL)
    _assert_all_paragraphs(extracted.text)
    assert "Harbour First" not in extracted.text


# --------------------------------------------------------------------- inline links


LINKED_SENTENCES = [
    "<a href='/people/ines-calder'>Ines Calder</a>, the mayor, called it "
    "<a href='/topics/harbour'>a historic night</a>.",
    "The <a href='/council'>council</a> meets again in June.",
]
LINKED_DIVS = _page(
    _article(
        "".join(
            f"<div class='paragraph'>{p}</div>"
            for p in PARAGRAPHS[:3] + LINKED_SENTENCES + PARAGRAPHS[3:]
        )
    )
)


def test_text_inside_inline_links_is_kept_in_short_paragraphs():
    """Sites that set each paragraph in its own <div>: a short one with a link is prose."""
    extracted = extract_html(LINKED_DIVS, url=URL)
    _assert_all_paragraphs(extracted.text)
    assert "Ines Calder, the mayor, called it a historic night." in extracted.text
    assert "The council meets again in June." in extracted.text


LINK_BAR = " | ".join(
    f"<a href='/{s}'>{s.title()} news and more</a>" for s in ("world", "money", "travel")
)
TOPIC_LINKS = " ".join(
    f"<a href='/topic/{t}'>{t.title()} stories</a>" for t in ("harbour", "council", "jobs")
)
LINK_ROWS_PAGE = (
    f"{HEAD}</head><body>{LINK_BAR}<header><a href='/'>Coast Courier</a> "
    "<a href='/weather'>Weather today</a> and <a href='/tides'>tides</a></header>"
    f"<article><h1>{HEADLINE}</h1>{TOPIC_LINKS}{_paragraphs()}</article></body></html>"
)


def test_rows_of_links_outside_a_sentence_stay_out():
    """A bar of links or a row of topic tags is navigation, wherever it sits."""
    text = extract_html(LINK_ROWS_PAGE, url=URL).text
    _assert_all_paragraphs(text)
    assert "Travel news and more" not in text
    assert "Weather today" not in text
    assert "Council stories" not in text


def test_a_list_of_linked_places_inside_a_sentence_is_kept():
    sentence = (
        "Ferries from <a href='/t/oslo'>Oslo</a>, <a href='/t/bergen'>Bergen</a>, "
        "<a href='/t/tromso'>Tromsø</a> and <a href='/t/kiel'>Kiel</a> will use the new quay."
    )
    body = _paragraphs(PARAGRAPHS[:2]) + f"<p>{sentence}</p>" + _paragraphs(PARAGRAPHS[2:])
    text = extract_html(_page(_article(body)), url=URL).text
    assert "Ferries from Oslo, Bergen, Tromsø and Kiel will use the new quay." in text


def test_a_sentence_that_is_mostly_one_link_is_kept():
    sentence = (
        "<a href='/2024/04/port-study'>The port authority's own study found that dredging "
        "would double the silt in the bay</a>, the report says."
    )
    body = _paragraphs(PARAGRAPHS[:2]) + f"<p>{sentence}</p>" + _paragraphs(PARAGRAPHS[2:])
    extracted = extract_html(_page(_article(body)), url=URL)
    _assert_all_paragraphs(extracted.text)
    assert "would double the silt in the bay, the report says." in extracted.text


# --------------------------------------------------------------------- paywall and reprint

PAYWALL_JSON_LD = (
    '<script type=\'application/ld+json\'>{"@context": "https://schema.org", '
    '"@type": "NewsArticle", "headline": "Council backs harbour expansion", '
    '"isAccessibleForFree": false, "hasPart": {"@type": "WebPageElement", '
    '"isAccessibleForFree": false, "cssSelector": ".article-body"}}</script>'
)


def test_a_paywall_stub_fails_with_a_clear_reason():
    stub = (
        f"<article><h1>{HEADLINE}</h1><p class='standfirst'>{PARAGRAPHS[0]}</p>"
        "<div class='subscribe-box'><h2>This article is for subscribers only</h2>"
        "<p>Subscribe now to continue reading. Already a subscriber? "
        "<a href='/login'>Log in</a></p><a class='button' href='/subscribe'>"
        "Get unlimited access for £1 a week</a></div></article>"
    )
    with pytest.raises(ExtractionError) as caught:
        extract_html(_page(stub, head=PAYWALL_JSON_LD), url=URL)
    assert "paywall" in caught.value.message
    assert caught.value.code == "extraction_failed"


def test_a_paywall_prompt_without_markup_fails_too():
    stub = (
        f"<article><h1>{HEADLINE}</h1>"
        "<p>To continue reading this article, please subscribe or sign in.</p>"
        "<p>Subscribers get unlimited access to every story, the e-paper and the archive.</p>"
        "</article>"
    )
    with pytest.raises(ExtractionError) as caught:
        extract_html(_page(stub), url=URL)
    assert "paywall" in caught.value.message


def test_paywall_markup_in_broken_json_ld_is_still_read():
    broken = (
        '<script type=\'application/ld+json\'>{"@type": "NewsArticle", '
        '"isAccessibleForFree": "False", "headline": "Council backs</script>'
    )
    stub = f"<article><h1>{HEADLINE}</h1><p>{PARAGRAPHS[0]}</p></article>"
    with pytest.raises(ExtractionError) as caught:
        extract_html(_page(stub, head=broken), url=URL)
    assert "paywall" in caught.value.message
    _assert_all_paragraphs(extract_html(_page(_article(_paragraphs()), head=broken)).text)


def test_a_paywalled_page_that_carries_the_whole_text_is_kept():
    """The schema.org markup says "not free"; the full text sent to crawlers is kept."""
    extracted = extract_html(_page(_article(_paragraphs()), head=PAYWALL_JSON_LD), url=URL)
    _assert_all_paragraphs(extracted.text)


def test_a_page_with_only_a_reprint_notice_fails_with_a_clear_reason():
    notice = (
        f"<article><h1>{HEADLINE}</h1>"
        "<p>This article was originally published by the Bay Herald and is republished "
        "here with permission.</p>"
        "<p><a href='https://bayherald.example/harbour'>Read the original article</a></p>"
        "</article>"
    )
    with pytest.raises(ExtractionError) as caught:
        extract_html(_page(notice), url=URL)
    assert "republished" in caught.value.message


def test_a_reprinted_article_keeps_its_text_without_the_notice():
    notice = (
        "<p><em>This story was originally published by the Bay Herald. It is republished "
        "under a Creative Commons licence.</em></p>"
    )
    extracted = extract_html(_page(_article(_paragraphs() + notice)), url=URL)
    _assert_all_paragraphs(extracted.text)
    assert "originally published" not in extracted.text


# --------------------------------------------------------------------- clutter in the article


RELATED_LIST = (
    "<div class='story-list'><h3>More on this story</h3><ul>"
    "<li><a href='/news/2024/05/ferry-fares'>Ferry fares to rise by 8 percent from "
    "June as fuel costs bite</a></li>"
    "<li><a href='/news/2024/04/dredging'>Residents fear dredging will ruin the "
    "bay's oyster beds for a generation</a></li>"
    "<li><a href='/news/2024/03/port-jobs'>Port operator promises hundreds of new "
    "jobs if the quay is built on time</a></li></ul></div>"
)
RELATED_PAGE = _page(
    _article(_paragraphs(PARAGRAPHS[:3]) + RELATED_LIST + _paragraphs(PARAGRAPHS[3:]))
)


def test_a_related_headlines_list_inside_the_article_stays_out():
    extracted = extract_html(RELATED_PAGE, url=URL)
    _assert_all_paragraphs(extracted.text)
    assert "Ferry fares" not in extracted.text
    assert "oyster beds" not in extracted.text


TEASER_CARDS = "".join(
    f"<div class='card'><a href='/news/2024/05/{slug}'><h4>{headline}</h4></a><p>{teaser}</p></div>"
    for slug, headline, teaser in (
        (
            "ferry-fares",
            "Ferry fares to rise by 8 percent",
            "The operator blames fuel costs and says winter timetables will be cut.",
        ),
        (
            "oysters",
            "Growers fear for the oyster beds",
            "Three farms say dredging could end a harvest that dates to the 1800s.",
        ),
        (
            "quay-jobs",
            "Port promises hundreds of jobs",
            "The operator says hiring starts once the first quay is approved.",
        ),
    )
)
TEASER_PAGE = _page(
    _article(
        _paragraphs(PARAGRAPHS[:3])
        + f"<section class='story-grid'><h3>Read next</h3>{TEASER_CARDS}</section>"
        + _paragraphs(PARAGRAPHS[3:])
    )
)


def test_related_story_cards_with_teasers_stay_out():
    """Cards that carry a teaser sentence each are not a plain list of links."""
    extracted = extract_html(TEASER_PAGE, url=URL)
    _assert_all_paragraphs(extracted.text)
    assert "winter timetables" not in extracted.text
    assert "oyster beds" not in extracted.text


HOVER_CARD = (
    "<p><span class='person-mention'><a href='/people/ines-calder'>Ines Calder</a>"
    "<span class='profile-card' role='tooltip' hidden><img src='/i/calder.jpg' alt=''>"
    "<span>Ines Calder has been mayor of Coastville since 2019 and previously ran the "
    "regional ports board.</span><a href='/people/ines-calder'>Follow</a></span></span>"
    " said the vote showed the town was ready to grow.</p>"
)
HOVER_CARD_SENTENCE = "Ines Calder said the vote showed the town was ready to grow."
HOVER_PAGE = _page(_article(_paragraphs(PARAGRAPHS[:2]) + HOVER_CARD + _paragraphs(PARAGRAPHS[2:])))


def test_a_hover_card_on_a_name_stays_out():
    extracted = extract_html(HOVER_PAGE, url=URL)
    _assert_all_paragraphs(extracted.text)
    assert HOVER_CARD_SENTENCE in extracted.text
    assert "regional ports board" not in extracted.text


NEWSLETTER = (
    "<aside class='inline-signup'><h4>The morning briefing</h4><p>Get the day's top "
    "stories from the coast in your inbox every weekday morning, free of charge.</p>"
    "<form><input type='email' placeholder='Your email'><button>Sign up</button></form>"
    "</aside>"
)
OFFER = (
    "<div class='promo-box'><p>Enjoying our journalism? Support local reporting and get "
    "unlimited access to the Courier for just £1 a week for the first three months.</p>"
    "</div>"
)
PROMO_PAGE = _page(
    _article(
        _paragraphs(PARAGRAPHS[:2])
        + NEWSLETTER
        + _paragraphs(PARAGRAPHS[2:4])
        + OFFER
        + _paragraphs(PARAGRAPHS[4:])
    )
)


def test_the_rest_of_an_article_hidden_behind_a_read_more_button_is_kept():
    body = (
        _paragraphs(PARAGRAPHS[:2])
        + "<button class='expand'>Continue reading</button>"
        + f"<div class='article-rest' hidden>{_paragraphs(PARAGRAPHS[2:])}</div>"
    )
    _assert_all_paragraphs(extract_html(_page(_article(body)), url=URL).text)


def test_promotions_inside_the_article_stay_out():
    extracted = extract_html(PROMO_PAGE, url=URL)
    _assert_all_paragraphs(extracted.text)
    assert "inbox" not in extracted.text
    assert "£1 a week" not in extracted.text


def test_paragraphs_that_open_with_a_linked_name_are_not_taken_for_teasers():
    opening = [
        f"<p><a href='/people/{slug}'>{name}</a>, {rest}</p>"
        for slug, name, rest in (
            ("ines-calder", "Ines Calder", "the mayor, said the vote was a turning point."),
            ("tom-reyes", "Tom Reyes", "who leads the residents' group, said they would appeal."),
            ("ana-cruz", "Ana Cruz", "of the port authority, said work could start in spring."),
        )
    ]
    body = _paragraphs(PARAGRAPHS[:2]) + "".join(opening) + _paragraphs(PARAGRAPHS[2:])
    extracted = extract_html(_page(_article(body)), url=URL)
    _assert_all_paragraphs(extracted.text)
    assert "Tom Reyes, who leads the residents' group, said they would appeal." in extracted.text


def test_an_article_whose_class_names_a_kind_of_clutter_is_kept():
    """CMS flags on the article element itself ("sponsored", "related-to-x") name the
    article, not a block inside it; nor is an element holding the headline clutter."""
    sidebar = "".join(
        f"<li><a href='/news/{n}'>Other story number {n} about the region</a></li>"
        for n in range(40)
    )
    for wrapper in ("<article class='node node-sponsored'>", "<div class='related-article'>"):
        end = "</article>" if wrapper.startswith("<article") else "</div>"
        page = _page(
            f"{wrapper}<h1>{HEADLINE}</h1>{_paragraphs()}{end}"
            f"<div class='sidebar'><ul>{sidebar}</ul></div>"
        )
        _assert_all_paragraphs(extract_html(page, url=URL).text)


def benchmark_cases() -> list[tuple[str, str, str]]:
    """(name, page, gold body) for the article pages above, for bench/extraction_quality.py
    (the cases these rules were written for, not a benchmark)."""
    body = "\n".join(PARAGRAPHS)
    linked = "\n".join(
        PARAGRAPHS[:3]
        + [
            "Ines Calder, the mayor, called it a historic night.",
            "The council meets again in June.",
        ]
        + PARAGRAPHS[3:]
    )
    hover = "\n".join(PARAGRAPHS[:2] + [HOVER_CARD_SENTENCE] + PARAGRAPHS[2:])
    return [
        ("cases/table-cells", TABLE_LAYOUT, body),
        ("cases/table-rows", TABLE_ROWS, body),
        ("cases/links-in-div-paragraphs", LINKED_DIVS, linked),
        ("cases/related-list", RELATED_PAGE, body),
        ("cases/teaser-cards", TEASER_PAGE, body),
        ("cases/hover-card", HOVER_PAGE, hover),
        ("cases/promotions", PROMO_PAGE, body),
        ("cases/link-rows", LINK_ROWS_PAGE, body),
    ]
