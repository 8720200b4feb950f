"""config/gunicorn.conf.py: worker counts from the environment, bad values refused."""

import os
import runpy
from pathlib import Path

import pytest

CONF = str(Path(__file__).resolve().parents[1] / "config" / "gunicorn.conf.py")


def load(monkeypatch, **env):
    for name in ("WEB_CONCURRENCY", "GUNICORN_THREADS", "GUNICORN_BIND"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(CONF)


def test_defaults_two_processes_per_core_keep_alive(monkeypatch):
    conf = load(monkeypatch)
    assert conf["workers"] == 2 * (os.cpu_count() or 1)
    assert conf["threads"] == 1 and conf["worker_class"] == "gthread"
    assert conf["keepalive"] > 0 and conf["bind"] == "0.0.0.0:8000"


def test_environment_sets_counts(monkeypatch):
    conf = load(monkeypatch, WEB_CONCURRENCY="5", GUNICORN_THREADS="3", GUNICORN_BIND="x:1")
    assert (conf["workers"], conf["threads"], conf["bind"]) == (5, 3, "x:1")


@pytest.mark.parametrize("value", ["0", "two", "-1"])
def test_bad_count_is_refused_with_its_name(monkeypatch, value):
    with pytest.raises(SystemExit, match=f"WEB_CONCURRENCY={value!r} must be a whole number"):
        load(monkeypatch, WEB_CONCURRENCY=value)


def test_each_worker_warms_the_claim_matcher_before_its_first_request(monkeypatch):
    from apps.claims import matching

    calls = []
    monkeypatch.setattr(matching, "warm_up", lambda: calls.append("warm"))
    load(monkeypatch)["post_worker_init"](worker=None)
    assert calls == ["warm"]


def test_warm_up_loads_the_encoder_and_the_model():
    from apps.claims import matching
    from apps.claims.nlp import encoder

    matching.MatcherModel.load.cache_clear()
    encoder._encoder = None
    matching.warm_up()
    assert encoder._encoder is not None
    assert matching.MatcherModel.load.cache_info().currsize == 1
