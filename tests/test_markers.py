"""tests/conftest.py marks the tests that `make test-fast` leaves out as `slow`."""

from types import SimpleNamespace

import pytest

from tests import conftest


class Item(SimpleNamespace):
    def __init__(self, nodeid, markers=(), fixturenames=(), module=None):
        name = nodeid.split("::")[-1]
        super().__init__(
            nodeid=nodeid,
            name=name,
            originalname=name,
            fixturenames=list(fixturenames),
            module=module,
            markers=set(markers),
            added=[],
        )

    def get_closest_marker(self, name):
        return name if name in self.markers else None

    def add_marker(self, marker):
        self.added.append(marker.name)


@pytest.mark.parametrize(
    "item",
    [
        Item("tests/browser/test_x.py::test_a"),
        Item("tests/faults/test_x.py::test_a"),
        Item("tests/api/test_schemathesis.py::test_api_matches_its_schema[GET /api/claims/]"),
        Item("tests/web/test_x.py::test_a", markers={"browser"}),
        Item("tests/web/test_x.py::test_a", markers={"broker"}),
        Item("tests/web/test_x.py::test_a", fixturenames={"db", "real_worker"}),
        Item("tests/claims/test_x.py::test_training_saves_a_model"),
        Item("tests/claims/test_encoder.py::test_runs_without_torch_or_django_settings"),
    ],
    ids=["browser dir", "faults dir", "fuzzing", "browser", "broker", "worker", "train", "named"],
)
def test_these_are_slow(item):
    assert conftest.is_slow(item)


def test_others_are_not():
    assert not conftest.is_slow(Item("tests/web/test_x.py::test_a", fixturenames={"db"}))
    assert not conftest.is_slow(Item("tests/claims/test_encoder.py::test_constants"))


def test_collection_marks_slow_items_and_leaves_the_rest():
    slow, fast = Item("tests/faults/test_x.py::test_a"), Item("tests/web/test_x.py::test_a")
    conftest.pytest_collection_modifyitems(None, [slow, fast])
    assert (slow.added, fast.added) == (["slow"], [])


def test_a_named_slow_test_that_no_longer_exists_stops_the_run():
    path = "tests/claims/test_encoder.py"
    module = SimpleNamespace()  # has none of the names listed for the file
    with pytest.raises(pytest.UsageError, match="test_runs_without_torch_or_django_settings"):
        conftest.pytest_collection_modifyitems(None, [Item(f"{path}::test_x", module=module)])
