"""Issue 18: no module outside the claims app (whose NLP two other issues rewrite) grows past
500 lines; a module that does has more than one topic and becomes a package."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LIMIT = 500


def test_every_module_outside_claims_is_under_500_lines():
    modules = [
        path
        for folder in ("apps", "config")
        for path in (ROOT / folder).rglob("*.py")
        if "migrations" not in path.parts
        and path.parts[len(ROOT.parts) : len(ROOT.parts) + 2] != ("apps", "claims")
    ]
    assert len(modules) > 50
    too_long = {
        str(path.relative_to(ROOT)): n
        for path in modules
        if (n := len(path.read_text(encoding="utf-8").splitlines())) >= LIMIT
    }
    assert too_long == {}
