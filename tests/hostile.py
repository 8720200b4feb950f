"""Hostile content from outside, in one place, so every test that checks it stays inert tries
the same payloads: text shown in pages (titles, statements, claimant names, evidence, notes)
and the tricks a feed uses to hide XML entity declarations.

Text payloads are plain strings; put them inside a field's value (``f"Title {SCRIPT}"``).
"""

# --- Text shown in HTML pages ---------------------------------------------------------------

SCRIPT = "<script>alert(1)</script>"
# Ends an inline <script> element (the JSON-LD) and starts a new one.
SCRIPT_BREAKOUT = "</script><script>alert(1)</script>"
# Opens an HTML comment, which would swallow the rest of the page.
COMMENT = "<!--"
IMG = "<img src=x onerror=alert(1)>"
JS_URL = "javascript:alert(1)"
LINK = f'<a href="{JS_URL}">click</a>'
# Leaves a <textarea> (a statement re-shown in a form) and injects an element.
TEXTAREA = "</textarea><img src=y onerror=alert(2)>"
# Leaves a quoted attribute value.
ATTRIBUTE = 'x" onfocus="alert(1)'
# U+202E RIGHT-TO-LEFT OVERRIDE shows "report\u202efdp.exe" as "reportexe.pdf"; zero-width
# space, joiner and byte-order mark are invisible. Both must reach the reader unchanged (not
# dropped, not turned into entities or escapes a JSON parser would not undo).
RTL_OVERRIDE = "report\u202efdp.exe"
ZERO_WIDTH = "zero\u200bwidth\u200djoin\ufeffbom"

# Everything a value inside an inline <script> (the JSON-LD) must not break out of.
IN_SCRIPT = f"{SCRIPT_BREAKOUT}{COMMENT}{RTL_OVERRIDE}{ZERO_WIDTH}"

# The beginnings of the payloads above as markup: none may appear in a page.
_AS_MARKUP = (
    "<script>alert",
    "</script><script>",
    "<img src=x",
    "<img src=y",
    'href="javascript:',
    '" onfocus="',
)


def assert_inert(page: str) -> None:
    """No payload appears in `page` as markup (escaped, as text, is fine). Comments are
    checked by the tests whose pages have none of their own."""
    for markup in _AS_MARKUP:
        assert markup not in page, markup


# --- Feeds: where XML entity declarations hide ----------------------------------------------

# A DOCTYPE declaring a "billion laughs" entity (10 lol per lol2).
ENTITY_DTD = b"""<!DOCTYPE rss [<!ENTITY lol "lol">
<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
"""
# Put before the DOCTYPE: a check that looks for declarations only before the first element
# takes the comment for the root (so does feedparser); a check of the first megabyte only
# misses what follows the padding.
BEHIND_COMMENT = b"<!-- <a href='x'> -->"
BEHIND_1MB_PADDING = b"<!-- " + b"<a> padding " * 90_000 + b" -->"
BEHIND_PROCESSING_INSTRUCTION = b"<?xml-stylesheet href='<a'?>"
