import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from apps.claims.nlp.checkworthy import load_model

SENTENCES = [
    "Russia used 12 million shells in Ukraine in 2022.",
    "Thank you very much, it is good to be here.",
    "Unemployment fell by 3 percent last year, the ministry said.",
]


def _run(*args) -> list[tuple[str, float]]:
    out = StringIO()
    call_command("score_sentences", *args, stdout=out, stderr=StringIO())
    rows = []
    for line in out.getvalue().splitlines():
        key, score = line.split("\t")
        rows.append((key, float(score)))
    return rows


def _expected() -> list[float]:
    return [round(s, 4) for s in load_model().score(SENTENCES)]


def test_plain_lines_are_numbered_and_scored_with_the_workers_model(tmp_path):
    path = tmp_path / "sentences.txt"
    path.write_text("\n".join(SENTENCES) + "\n", encoding="utf-8")
    rows = _run(str(path))
    assert [key for key, _ in rows] == ["1", "2", "3"]
    assert [score for _, score in rows] == pytest.approx(_expected(), abs=1e-4)
    assert rows[0][1] > rows[1][1]


def test_tsv_with_a_header_uses_its_id_and_text_columns(tmp_path):
    path = tmp_path / "data.tsv"
    lines = ["Sentence_id\tText\tclass_label"]
    lines += [f"s{i}\t{text}\tNo" for i, text in enumerate(SENTENCES)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    rows = _run(str(path))
    assert [key for key, _ in rows] == ["s0", "s1", "s2"]
    assert [score for _, score in rows] == pytest.approx(_expected(), abs=1e-4)


def test_jsonl_with_named_keys(tmp_path):
    path = tmp_path / "data.jsonl"
    path.write_text(
        "\n".join(json.dumps({"key": f"k{i}", "sentence": t}) for i, t in enumerate(SENTENCES)),
        encoding="utf-8",
    )
    rows = _run(str(path), "--id-column", "key", "--text-column", "sentence")
    assert [key for key, _ in rows] == ["k0", "k1", "k2"]
    assert [score for _, score in rows] == pytest.approx(_expected(), abs=1e-4)


def test_output_file(tmp_path):
    source = tmp_path / "s.txt"
    source.write_text(SENTENCES[0], encoding="utf-8")
    target = tmp_path / "scores.tsv"
    call_command("score_sentences", str(source), "--output", str(target), stderr=StringIO())
    key, score = target.read_text(encoding="utf-8").strip().split("\t")
    assert key == "1" and 0.0 <= float(score) <= 1.0


def test_unknown_column_is_a_clear_error(tmp_path):
    path = tmp_path / "data.tsv"
    path.write_text("a\tb\n1\tx\n", encoding="utf-8")
    with pytest.raises(CommandError, match="which column holds the id"):
        _run(str(path))


def test_a_headerless_id_tab_text_file_read_as_lines_is_refused(tmp_path):
    path = tmp_path / "sentences.txt"
    path.write_text("".join(f"{n}\t{s}\n" for n, s in enumerate(SENTENCES)), encoding="utf-8")
    with pytest.raises(CommandError, match="Line 1 holds a tab: is this a TSV"):
        _run(str(path))


def test_enclosing_quote_marks_are_scored_as_training_saw_them(tmp_path):
    from apps.claims.nlp.checkworthy import unquote

    assert unquote('"Taxes rose 5% in 2020."') == "Taxes rose 5% in 2020."
    assert unquote("“Taxes rose 5% in 2020.”") == "Taxes rose 5% in 2020."
    assert unquote("“A,” he said, “B.”") == "“A,” he said, “B.”"  # not one quote
    assert unquote("He said “yes”.") == "He said “yes”."
    path = tmp_path / "sentences.txt"
    path.write_text("\n".join(f'"{s}"' for s in SENTENCES) + "\n", encoding="utf-8")
    assert [score for _, score in _run(str(path))] == pytest.approx(_expected(), abs=1e-4)
