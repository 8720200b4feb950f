"""The structural pass over a parsed page before trafilatura reads it (`prepare_tree`), and
what a page's markup says about itself (`PageMarkup`). Used by `extraction.extract_html`."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache

from lxml import etree

# trafilatura is built for pages whose text sits in <p> and <div> elements, with links as
# the mark of boilerplate. Three kinds of news page break those assumptions, and this
# pass puts their tree right before trafilatura reads it, from structure alone (tags,
# ARIA roles, visibility, link density, a few class words naming kinds of blocks; never a
# site's own names):
# - a body laid out in tables: trafilatura skips tables (we ask it to, for data tables),
#   so a layout table's rows and cells become <div>s;
# - prose with inline links: trafilatura drops short blocks that carry links, so a link
#   inside a sentence (its block mostly plain text) becomes plain text;
# - clutter inside the article's markup: hidden elements (hover-cards, pop-ups),
#   complementary and navigation roles, <aside>/<nav>, blocks named as related
#   stories, promotions, sign-up boxes or tooltips, groups of teaser cards (three or
#   more siblings, each headed by a link to another page), and rows of three or more
#   links with only separators between them (topic tags, section bars) outside a
#   sentence, unless one holds most of the page.

_BLOCK_TAGS = frozenset(
    {"p", "div", "li", "td", "th", "blockquote", "section", "article", "main", "body", "dd"}
    | {"dt", "figcaption", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "table", "ul", "ol"}
    | {"header", "footer", "form"}
)
# The blocks a sentence sits in; a link whose nearest block is another (the page's body,
# a header, a list) is not inside a sentence and stays a link.
_PROSE_BLOCKS = frozenset({"p", "div", "li", "td", "th", "blockquote", "dd", "figcaption"})
_CLUTTER_TAGS = frozenset({"aside", "nav", "dialog", "template"})
_CLUTTER_ROLES = frozenset(
    {"complementary", "navigation", "tooltip", "dialog", "alertdialog", "banner", "menu"}
    | {"menubar", "contentinfo", "search"}
)
# Words in class or id names that name a kind of block which is never the article's text.
# ("promoted" is not one: CMSs such as Drupal mark articles "promoted" to the front page.)
_CLUTTER_WORDS = frozenset(
    {"related", "promo", "promotion", "sponsored", "newsletter", "signup"}
    | {"recommended", "recommendations", "tooltip", "popover", "hovercard", "popup"}
)
_NAME_WORDS = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])")
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
# A hidden element with this many paragraphs is collapsed article text, not clutter.
_COLLAPSED_MIN_PARAGRAPHS = 2
_NOT_FREE = re.compile(r'"isAccessibleForFree"\s*:\s*"?false', re.IGNORECASE)
# An element holding this share of the page's text is the article, whatever its name.
_MOST_OF_PAGE = 0.5
# Inline links: their block's link text is at most the first share of the block's text,
# or at most the second when the block ends like a sentence (trafilatura's own mark of a
# link-rich block is 0.8).
_INLINE_LINK_SHARE = 0.5
_SENTENCE_LINK_SHARE = 0.8
# A layout table: this share of its text is in cells of prose (PROSE_CELL_CHARS or more,
# with a sentence end), or it holds a heading or another table.
_LAYOUT_PROSE_SHARE = 0.5
_PROSE_CELL_CHARS = 80
SENTENCE_END = re.compile(r"[.!?…][\"”’)]*(?:\s|$)")
_NORMALIZED = etree.XPath("normalize-space(.)")
_NORMALIZED_LENGTH = etree.XPath("string-length(normalize-space(.))")


@dataclass(frozen=True)
class PageMarkup:
    """What a page says about itself in markup that the text does not show."""

    not_free: bool = False  # schema.org isAccessibleForFree: false (paywall markup)


def marked_not_free(tree) -> bool:
    """The page declares paywalled content (schema.org `isAccessibleForFree: false`, the
    markup search engines ask paywalled news sites for) in its JSON-LD."""

    for script in tree.iter("script"):
        if (script.get("type") or "").strip().lower() != "application/ld+json":
            continue
        raw = script.text or ""
        if "isaccessibleforfree" not in raw.lower():
            continue
        try:
            data = json.loads(raw)
        except ValueError:  # broken JSON-LD (common): the declaration is still read
            if _NOT_FREE.search(raw):
                return True
            continue
        if _has_not_free(data):
            return True
    return False


def _has_not_free(data) -> bool:
    if isinstance(data, dict):
        for key, value in data.items():
            if key == "isAccessibleForFree" and str(value).strip().lower() == "false":
                return True
            if _has_not_free(value):
                return True
    elif isinstance(data, list):
        return any(_has_not_free(item) for item in data)
    return False


def prepare_tree(tree) -> None:
    """Put the parsed page right for trafilatura, in place (see the section's comment)."""
    body = tree.find(".//body")
    root = body if body is not None else tree
    page_chars = _length(root) or 1
    _drop_clutter(root, page_chars)
    _drop_teaser_groups(root, page_chars)
    _drop_link_rows(root)
    _unfold_layout_tables(root)
    _unwrap_inline_links(root)


def _text(element) -> str:
    """The element's text with its white space collapsed (XPath's normalize-space, in C)."""
    return str(_NORMALIZED(element))


def _length(element) -> int:
    return int(_NORMALIZED_LENGTH(element))


def _is_clutter(element) -> bool:
    tag = element.tag if isinstance(element.tag, str) else ""
    if tag in _CLUTTER_TAGS:
        return True
    hidden = element.get("hidden") is not None or element.get("aria-hidden", "") == "true"
    if hidden or _HIDDEN_STYLE.search(element.get("style") or ""):
        # A hidden block of paragraphs is the rest of the article behind a "read more"
        # button, not a hover-card or a pop-up.
        return len(element.findall(".//p")) < _COLLAPSED_MIN_PARAGRAPHS
    if (element.get("role") or "").lower() in _CLUTTER_ROLES:
        return True
    return _names_clutter(f"{element.get('class') or ''} {element.get('id') or ''}")


@lru_cache(maxsize=4096)
def _names_clutter(names: str) -> bool:
    """Class and id values repeat across a page and across pages: each is read once."""
    return any(word.lower() in _CLUTTER_WORDS for word in _NAME_WORDS.findall(names))


def _may_drop(element, page_chars: int) -> bool:
    """Clutter is never the article itself: an <article> or <main>, an element holding
    the page's headline (<h1>), or one holding most of the page's text."""
    if element.tag in ("html", "body", "main", "article") or element.find(".//h1") is not None:
        return False
    return _length(element) < page_chars * _MOST_OF_PAGE


def _drop_clutter(root, page_chars: int) -> None:
    doomed = []
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        if _is_clutter(element) and _may_drop(element, page_chars):
            doomed.append(element)
    for element in doomed:
        if element.getparent() is not None and not any(
            ancestor in doomed for ancestor in element.iterancestors()
        ):
            element.drop_tree()  # keeps the text that follows the element


_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_MIN_TEASERS = 3
_TEASER_MAX_CHARS = 300


def _first_text_holder(element):
    """The element whose own text (or a child's tail) comes first in `element`."""
    if (element.text or "").strip():
        return element
    for child in element:
        if not isinstance(child.tag, str):
            continue
        holder = _first_text_holder(child)
        if holder is not None:
            return holder
        if (child.tail or "").strip():
            return element
    return None


def _teaser_link(card):
    """The link that heads a teaser card (its first line is all a link's text), or None."""
    holder = _first_text_holder(card)
    if holder is None:
        return None
    link = holder if holder.tag == "a" else next(holder.iterancestors("a"), None)
    if link is None or not link.get("href") or card not in link.iterancestors():
        return None
    if link.xpath("boolean(.//*[self::h2 or self::h3 or self::h4 or self::h5 or self::p])"):
        return link  # the link wraps the headline block
    line = link.getparent()
    while line is not card and line.tag not in _BLOCK_TAGS:
        line = line.getparent()
    head = _text(line) if line is not card else _text(card).split("  ")[0]
    return link if head and _length(link) >= 0.9 * len(head) else None


def _is_teaser_group(element) -> bool:
    cards = [c for c in element if isinstance(c.tag, str) and c.tag not in _HEADINGS]
    if len(cards) < _MIN_TEASERS:
        return False
    targets = set()
    for card in cards:
        length = _length(card)
        if not length or length > _TEASER_MAX_CHARS:
            return False
        link = _teaser_link(card)
        if link is None:
            return False
        targets.add(link.get("href"))
    return len(targets) >= _MIN_TEASERS


def _drop_teaser_groups(root, page_chars: int) -> None:
    for element in list(root.iter("div", "section", "ul", "ol")):
        if element.getparent() is None or not _is_teaser_group(element):
            continue
        if _may_drop(element, page_chars):
            element.drop_tree()


_MIN_ROW_LINKS = 3
_SEPARATORS = re.compile(r"[\s|·•/,;:–—-]*")


def _link_rows(parent):
    """Runs of child links of `parent` with nothing but separators between them."""
    row = []
    for child in parent:
        if child.tag == "a" and (not row or _SEPARATORS.fullmatch(row[-1].tail or "")):
            row.append(child)
            continue
        if len(row) >= _MIN_ROW_LINKS:
            yield row
        row = [child] if child.tag == "a" else []
    if len(row) >= _MIN_ROW_LINKS:
        yield row


def _drop_link_rows(root) -> None:
    """Rows of links outside a sentence: their parent is not a prose block, or the row is
    (nearly) all of its text, as in a "Topics: A · B · C" line."""
    parents = {link.getparent() for link in root.iter("a")} - {None}
    for parent in parents:
        if len(parent.findall("a")) < _MIN_ROW_LINKS:
            continue
        for row in list(_link_rows(parent)):
            row_chars = sum(_length(link) for link in row)
            prose = parent.tag in _PROSE_BLOCKS
            if not prose or row_chars >= _SENTENCE_LINK_SHARE * _length(parent):
                for link in row:
                    link.drop_tree()


def _own_cells(table):
    """The table's cells, not those of tables nested in it."""
    for cell in table.iter("td", "th"):
        if next(cell.iterancestors("table"), None) is table:
            yield cell


def _is_layout_table(table) -> bool:
    if table.find(".//table") is not None:
        return True
    if table.xpath("boolean(.//h1|.//h2|.//h3)"):
        return True
    total = prose = 0
    for cell in _own_cells(table):
        text = _text(cell)
        total += len(text)
        if len(text) >= _PROSE_CELL_CHARS and SENTENCE_END.search(text):
            prose += len(text)
    return total > 0 and prose >= total * _LAYOUT_PROSE_SHARE


def _unfold_layout_tables(root) -> None:
    for table in list(root.iter("table")):
        if not _is_layout_table(table):
            continue
        own = [
            element
            for element in table.iter("tbody", "thead", "tfoot", "tr", "td", "th")
            if next(element.iterancestors("table"), None) is table
        ]
        for element in [table, *own]:
            element.tag = "div"


def _block_of(element):
    for ancestor in element.iterancestors():
        if ancestor.tag in _BLOCK_TAGS:
            return ancestor
    return None


def _unwrap_inline_links(root) -> None:
    by_block: dict = {}
    for link in root.iter("a"):
        block = _block_of(link)
        if block is not None and block.tag in _PROSE_BLOCKS:
            by_block.setdefault(block, []).append(link)
    for block, links in by_block.items():
        link_chars = sum(_length(link) for link in links)
        text = _text(block)
        share = _SENTENCE_LINK_SHARE if SENTENCE_END.search(text[-3:] + " ") else _INLINE_LINK_SHARE
        if link_chars and link_chars <= len(text) * share:
            for link in links:
                if link.getparent() is not None:
                    link.drop_tag()  # keeps its text and children in place
