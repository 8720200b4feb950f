"""Steps a person takes in the browser, shared by the browser tests."""

PASSWORD = "browser-test-pw-1"  # noqa: S105


def make_user(role: str, username: str):
    from tests import factories

    user = factories.user_with_role(role, username=username)
    user.set_password(PASSWORD)
    user.save(update_fields=["password"])
    return user


def log_in(page, live_server, username: str) -> None:
    """Through the real log-in form, as a person would."""
    page.goto(f"{live_server.url}/articles/")
    assert "/accounts/login/" in page.url  # anonymous: sent to log in first
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server.url}/articles/")


# JavaScript helpers: find a string in the article's text nodes and select it.
FIND_TEXT = """
(needle) => {
  const body = document.getElementById("article-body");
  const walker = document.createTreeWalker(body, NodeFilter.SHOW_TEXT);
  let node;
  while ((node = walker.nextNode())) {
    const i = node.data.indexOf(needle);
    if (i >= 0) {
      node.parentElement.scrollIntoView({block: "center"});
      const first = document.createRange();
      first.setStart(node, i);
      first.setEnd(node, i + 1);
      const last = document.createRange();
      last.setStart(node, i + needle.length - 1);
      last.setEnd(node, i + needle.length);
      const a = first.getClientRects()[0], b = last.getClientRects()[0];
      return {x1: a.left + 1, y1: a.top + a.height / 2, x2: b.right - 1, y2: b.top + b.height / 2};
    }
  }
  return null;
}
"""

SELECT_RANGE = """
([startText, endText]) => {
  // Select from the first character of startText to the last of endText (possibly in
  // different paragraphs) with a DOM Range, then release the mouse as a person would.
  const body = document.getElementById("article-body");
  const find = (needle) => {
    const walker = document.createTreeWalker(body, NodeFilter.SHOW_TEXT);
    let node;
    while ((node = walker.nextNode())) {
      const i = node.data.indexOf(needle);
      if (i >= 0) return [node, i];
    }
    throw new Error("not in the article: " + needle);
  };
  const [startNode, startIndex] = find(startText);
  const [endNode, endIndex] = find(endText);
  const range = document.createRange();
  range.setStart(startNode, startIndex);
  range.setEnd(endNode, endIndex + endText.length);
  const selection = window.getSelection();
  selection.removeAllRanges();
  selection.addRange(range);
  startNode.parentElement.scrollIntoView({block: "center"});
  endNode.parentElement.dispatchEvent(new MouseEvent("mouseup", {bubbles: true}));
}
"""


def drag_select(page, needle: str) -> None:
    """Select `needle` with a real mouse drag from its first to its last character."""
    box = page.evaluate(FIND_TEXT, needle)
    assert box, f"{needle!r} is not in the article text"
    page.mouse.move(box["x1"], box["y1"])
    page.mouse.down()
    page.mouse.move(box["x2"], box["y2"], steps=12)
    page.mouse.up()


def range_select(page, start_text: str, end_text: str | None = None) -> None:
    page.evaluate(SELECT_RANGE, [start_text, end_text or start_text])
