"""manage.py guess_claimants: id<TAB>claimant per row, in input order, with the code the
suggestions use; refuses a file without the columns it needs."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from apps.claims.nlp.attribution import guess_claimant
from apps.claims.nlp.evaluate_attribution import claimant_for_row

ROWS = [
    ("r1", "", "Greenpeace said the spill had killed thousands of seabirds.", "Greenpeace"),
    ("r2", "", "The bridge was closed after inspectors found cracks.", "none"),
    (
        "r3",
        "Maria Okafor runs the largest bakery in Enugu.",
        "She said flour prices had doubled since March.",
        "Maria Okafor",
    ),
    ("r4", "", "“Prices will fall,” said Olga Petrenko, an economist.", "Olga Petrenko"),
]


def _write(path, header, rows):
    lines = ["\t".join(header)] + ["\t".join(row) for row in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _run(*args) -> str:
    out = StringIO()
    call_command("guess_claimants", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_prints_id_and_claimant_per_row_in_input_order(tmp_path):
    path = _write(
        tmp_path / "rows.tsv",
        ["id", "context", "sentence", "extra"],
        [(i, c, s, "ignored") for i, c, s, _ in ROWS],
    )
    lines = _run(str(path)).splitlines()
    assert lines == [
        "r1\tGreenpeace",
        "r2\t",
        "r3\tMaria Okafor",
        "r4\tOlga Petrenko",
    ]


def test_columns_may_come_in_any_order(tmp_path):
    path = _write(
        tmp_path / "rows.tsv", ["sentence", "id", "context"], [(s, i, c) for i, c, s, _ in ROWS]
    )
    assert [line.split("\t")[0] for line in _run(str(path)).splitlines()] == [
        "r1",
        "r2",
        "r3",
        "r4",
    ]


def test_the_guess_is_the_one_the_suggestions_make_on_the_joined_text():
    context, sentence = ROWS[2][1], ROWS[2][2]
    text = f"{context}\n{sentence}"
    start = text.index(sentence)
    direct = guess_claimant(text, start, start + len(sentence))
    assert claimant_for_row(context, sentence) == direct


def test_evaluate_prints_accuracy_overall_none_and_per_construction(tmp_path):
    path = _write(
        tmp_path / "rows.tsv",
        ["id", "context", "sentence", "claimant", "construction"],
        [(i, c, s, e, "pronoun" if c else "plain") for i, c, s, e in ROWS],
    )
    out = _run(str(path), "--evaluate")
    assert "claimant accuracy" in out
    assert "none right" in out
    assert "  pronoun" in out and "  plain" in out


@pytest.mark.parametrize(
    "header",
    [
        ["id", "text"],  # no context or sentence column
        ["r1", "", "Greenpeace said the spill had killed seabirds."],  # no header at all
    ],
)
def test_a_file_without_the_needed_columns_is_refused(tmp_path, header):
    path = _write(tmp_path / "bad.tsv", header, [("1", "", "A sentence.")])
    with pytest.raises(CommandError, match="column"):
        _run(str(path))


def test_evaluate_needs_a_claimant_column(tmp_path):
    path = _write(tmp_path / "rows.tsv", ["id", "context", "sentence"], [("1", "", "A sentence.")])
    with pytest.raises(CommandError, match="claimant"):
        _run(str(path), "--evaluate")


def test_a_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        _run(str(tmp_path / "nope.tsv"))
