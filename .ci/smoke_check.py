"""Log in as the demo analyst and check the article list shows the five sample titles."""

import html
import json
import re
import sys
from pathlib import Path

import requests

base, credentials = sys.argv[1], Path(sys.argv[2])
annotation = json.loads(Path("fixtures/eval/seed-claims.json").read_text())
expected = [article["title"] for article in annotation["articles"].values()]
users = dict(
    line.split(None, 1)
    for line in credentials.read_text().splitlines()
    if line.strip() and not line.startswith("#")
)

session = requests.Session()
login = session.get(f"{base}/accounts/login/", timeout=10)
assert login.status_code == 200, f"log-in page answered {login.status_code}"
token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login.text).group(1)
session.post(
    f"{base}/accounts/login/",
    data={
        "username": "analyst",
        "password": users["analyst"].strip(),
        "csrfmiddlewaretoken": token,
    },
    headers={"Referer": f"{base}/accounts/login/"},
    timeout=10,
)
page = session.get(f"{base}/articles/", timeout=10)
assert page.status_code == 200, f"article list answered {page.status_code}"
assert "/accounts/login/" not in page.url, "the demo analyst could not log in"
text = html.unescape(page.text)
missing = [title for title in expected if title not in text]
assert not missing, f"article list lacks: {missing}"
print(f"smoke: log-in page OK, article list shows all {len(expected)} sample titles")
