"""`manage.py import_factchecks` imports a large file as an import run in chunks, printing
progress, and `--resume RUN` finishes a run the command was stopped in."""

import json

import pytest
from django.core.management import CommandError, call_command

from apps.claims import factcheck_runs
from apps.claims.factcheck_matching import reset_factcheck_index
from apps.claims.models import ExternalFactCheck, FactCheckImportRun

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_index():
    reset_factcheck_index()
    yield
    reset_factcheck_index()


def feed(n: int) -> bytes:
    return json.dumps(
        [
            {
                "@type": "ClaimReview",
                "url": f"https://checker.example/r/{i}",
                "claimReviewed": f"Claim number {i} about the harbour budget of town {i}",
                "reviewRating": {"alternateName": "False"},
            }
            for i in range(n)
        ]
    ).encode()


def test_a_large_file_is_imported_in_chunks_with_progress_and_no_task(
    tmp_path, capsys, settings, django_capture_on_commit_callbacks
):
    settings.FACTCHECK_IMPORT_BACKGROUND_BYTES = 100
    path = tmp_path / "feed.json"
    path.write_bytes(feed(25))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        call_command("import_factchecks", str(path), "--chunk-size", "10")
    assert callbacks == []  # the command imports the chunks itself
    run = FactCheckImportRun.objects.get()
    out = capsys.readouterr().out
    assert f"25 reviews in 3 chunks, import run {run.pk}" in out
    assert "chunk 1/3: imported 10, updated 0" in out
    assert "chunk 3/3: imported 25, updated 0" in out
    assert "json: imported 25, updated 0, skipped 0" in out
    assert (run.state, run.filename, run.created_by) == ("done", "feed.json", None)
    assert ExternalFactCheck.objects.count() == 25


def test_a_command_stopped_mid_import_is_resumed_and_imports_each_review_once(
    tmp_path, capsys, monkeypatch
):
    path = tmp_path / "feed.json"
    path.write_bytes(feed(25))
    real_upsert = factcheck_runs._upsert
    calls = []

    def stopped_in_second_chunk(rows):
        calls.append(len(rows))
        if len(calls) == 2:
            real_upsert(rows)  # written, then Ctrl-C before the commit
            raise KeyboardInterrupt
        return real_upsert(rows)

    monkeypatch.setattr(factcheck_runs, "_upsert", stopped_in_second_chunk)
    with pytest.raises(KeyboardInterrupt):
        call_command("import_factchecks", str(path), "--chunked", "--chunk-size", "10")
    run = FactCheckImportRun.objects.get()
    assert (run.state, run.chunks_done) == ("running", 1)
    assert ExternalFactCheck.objects.count() == 10
    assert f"--resume {run.pk}" in capsys.readouterr().out

    monkeypatch.setattr(factcheck_runs, "_upsert", real_upsert)
    call_command("import_factchecks", "--resume", str(run.pk))
    out = capsys.readouterr().out
    assert f"Resuming run {run.pk} at chunk 2." in out
    assert "imported 25, updated 0" in out
    assert ExternalFactCheck.objects.count() == 25
    run.refresh_from_db()
    assert (run.state, run.created, run.updated) == ("done", 25, 0)

    call_command("import_factchecks", "--resume", str(run.pk))
    assert "is already done: imported 25, updated 0" in capsys.readouterr().out
    FactCheckImportRun.objects.filter(pk=run.pk).update(state="failed", error="Lost.")
    with pytest.raises(CommandError, match=r"failed \(Lost\.\); import the file again"):
        call_command("import_factchecks", "--resume", str(run.pk))
    with pytest.raises(CommandError, match="no import run"):
        call_command("import_factchecks", "--resume", "999999")
    with pytest.raises(CommandError, match="not both"):
        call_command("import_factchecks", str(path), "--resume", str(run.pk))


def test_a_chunked_csv_keeps_its_column_mapping(tmp_path, capsys):
    path = tmp_path / "sheet.csv"
    path.write_text(
        "Claim text,Link,Rating\n"
        "Tram fares doubled,https://checker.example/csv/1,False\n"
        "Bridge closed for a year,https://checker.example/csv/2,Mostly true\n"
    )
    call_command(
        "import_factchecks",
        str(path),
        "--chunked",
        "--chunk-size",
        "1",
        "--column",
        "claim=Claim text",
        "--column",
        "url=Link",
    )
    assert "csv: imported 2, updated 0, skipped 0" in capsys.readouterr().out
    run = FactCheckImportRun.objects.get()
    assert run.columns == {"claim": "Claim text", "url": "Link"}
    assert ExternalFactCheck.objects.get(url__endswith="/csv/2").verdict == "mostly_true"


def test_a_large_file_that_is_not_a_factcheck_file_makes_no_run(tmp_path, settings):
    settings.FACTCHECK_IMPORT_BACKGROUND_BYTES = 10
    path = tmp_path / "junk.json"
    path.write_bytes(b"[" + b"{not json" * 20)
    with pytest.raises(CommandError, match="not valid JSON"):
        call_command("import_factchecks", str(path))
    assert not FactCheckImportRun.objects.exists()
