"""Highlighting in the browser: how long Chromium takes to build and lay out the reading
page's text with N highlighted spans, measured with the page's performance.now().

    .venv/bin/python bench/browser_highlight.py [--sizes 300,1000] [--runs 15]

For each size, the reading page is rendered by the real view (bench/article_page.py's
article: ~140,000 characters, N appearances, 30 suggestions, on a throwaway test
database) and served to Debian's Chromium (/usr/bin/chromium, headless) through
Playwright's request routing, with the real static files. In the page it times, median
of --runs:

* highlight: put the article body's HTML (N marks, ~2N pieces) into the page and force
  style and layout (innerHTML + offsetHeight): the browser's share of showing highlights;
* refresh: what follows accepting a suggestion: parse the whole page's HTML with
  DOMParser, move the new article body and claim list in, force layout;
* focus: click-a-highlight work: outline every mark of one claim (selection.js);
* span: map a selection across the whole article to code points (selection.js);
* load: navigation start to the load event, whole page (parse, styles, scripts, layout).

Prints a Markdown table. Target: highlight under 100 ms at 300 spans.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.article_page import article_with, with_test_database  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
ORIGIN = "http://bench.claimtrack.test"
STATIC = ROOT / "static"
TYPES = {".js": "text/javascript", ".css": "text/css"}

MEASURE = """
async (runs) => {
  const body = document.getElementById("article-body");
  const html = body.innerHTML;
  const pageHtml = document.documentElement.outerHTML;
  const median = (xs) => { xs.sort((a, b) => a - b); return xs[Math.floor(xs.length / 2)]; };
  const out = { marks: body.querySelectorAll("mark").length,
                pieces: body.querySelectorAll("[data-offset]").length };
  const highlight = [], refresh = [], focus = [], span = [];
  for (let i = 0; i < runs; i++) {
    body.replaceChildren();
    void body.offsetHeight;
    await new Promise(requestAnimationFrame);
    let t0 = performance.now();
    body.innerHTML = html;
    void body.offsetHeight;
    highlight.push(performance.now() - t0);

    t0 = performance.now();
    const fresh = new DOMParser().parseFromString(pageHtml, "text/html");
    for (const id of ["article-body", "claims-here"]) {
      const from = fresh.getElementById(id), to = document.getElementById(id);
      to.replaceChildren(...from.childNodes);
    }
    void body.offsetHeight;
    refresh.push(performance.now() - t0);

    const first = body.querySelector("mark[data-claim]");
    t0 = performance.now();
    window.claimtrackSelection.focusClaim(first ? first.getAttribute("data-claim") : "0", false);
    void body.offsetHeight;
    focus.push(performance.now() - t0);

    const range = document.createRange();
    const texts = body.querySelectorAll("[data-offset]");
    range.setStart(texts[0].firstChild, 0);
    const last = texts[texts.length - 1].firstChild;
    range.setEnd(last, last.length);
    t0 = performance.now();
    const result = window.claimtrackSelection.rangeToSpan(range);
    span.push(performance.now() - t0);
    out.spanEnd = result.end;
  }
  const nav = performance.getEntriesByType("navigation")[0];
  return { ...out, highlight: median(highlight), refresh: median(refresh),
           focus: median(focus), span: median(span),
           load: nav.loadEventEnd - nav.startTime };
}
"""


def render_pages(sizes: list[int]) -> dict[int, tuple[str, int]]:
    """The reading page's HTML for an article with each number of appearances."""
    from django.test import Client
    from django.urls import reverse

    from tests.factories import user_with_role

    analyst = user_with_role("analyst", username="bench-browser")
    client = Client()
    client.force_login(analyst)
    pages = {}
    for size in sizes:
        article = article_with(size, analyst)
        response = client.get(reverse("articles:detail", args=[article.pk]))
        assert response.status_code == 200
        pages[size] = (response.content.decode(), len(article.text))
    return pages


def measure(pages: dict[int, tuple[str, int]], runs: int) -> list[tuple[int, int, dict]]:
    from playwright.sync_api import sync_playwright

    rows = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"]
        )
        for size, (html, chars) in pages.items():
            page = browser.new_page(viewport={"width": 1366, "height": 900})

            def serve(route, request, html=html):
                path = request.url.removeprefix(ORIGIN).split("?", 1)[0]
                if path.startswith("/static/"):
                    file = STATIC / path.removeprefix("/static/")
                    if file.is_file():
                        return route.fulfill(
                            body=file.read_bytes(),
                            content_type=TYPES.get(file.suffix, "application/octet-stream"),
                        )
                if path == "/article/":
                    return route.fulfill(body=html, content_type="text/html; charset=utf-8")
                return route.fulfill(status=204, body="")  # htmx fragments: not measured

            page.route(f"{ORIGIN}/**", serve)
            page.goto(f"{ORIGIN}/article/", wait_until="load")
            rows.append((size, chars, page.evaluate(MEASURE, runs)))
            page.close()
        browser.close()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="0,300,1000")
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    pages = with_test_database(lambda: render_pages(sizes))
    rows = measure(pages, args.runs)
    print(
        "| spans | pieces | text (chars) | highlight ms | refresh ms | focus ms | span ms "
        "| page load ms |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    for size, chars, r in rows:
        print(
            f"| {r['marks']} ({size} appearances) | {r['pieces']} | {chars:,} "
            f"| {r['highlight']:.1f} | {r['refresh']:.1f} | {r['focus']:.1f} "
            f"| {r['span']:.3f} | {r['load']:.0f} |"
        )


if __name__ == "__main__":
    main()
