"""Sentence embeddings without torch: all-MiniLM-L6-v2 as an int8 ONNX model.

The default encoder for claim matching (a claim is encoded on save, a search query when
it is asked) and, later, check-worthiness. It runs sentence-transformers'
all-MiniLM-L6-v2 converted to ONNX and dynamically quantised to int8
(``models/minilm-l6-v2-int8/``, rebuilt by ``models/build_minilm_onnx.py``; its README
has the provenance and the parity with the original), with onnxruntime and
HuggingFace ``tokenizers``. Why ONNX int8 rather than the original model:

- no torch in the default install (torch and sentence-transformers are hundreds of MB of
  wheels and take seconds to import); onnxruntime and tokenizers are small and load the
  model in well under a second;
- speed and size: int8 weights make the model a quarter of the float32 size (23 MB, small
  enough to commit) and about twice as fast on a CPU (about 3 CPU ms for a claim-length
  sentence, 500+ sentences per CPU second in batches; ``bench/encoder_speed.py``), for a
  mean cosine to the original's embeddings of 0.992.

``encode`` returns float32 rows, L2-normalised, 384 wide. The mean pooling over the
attention mask and the normalisation are inside the ONNX graph. Text is truncated to 128
tokens (the length the model was trained at). A text with no tokens (empty, whitespace or
control characters only) gives a zero vector, not a unit one: test it with
``not vector.any()``; its dot product with anything is 0.

Batches: the int8 model quantises activations with one scale per batch, so a text's
vector moves a little with the other texts in its batch (cosine to the same text encoded
alone: typically above 0.99, down to about 0.95 for two-word texts). A text encoded
alone, or with ``batch_size=1``, depends on the text only, at about half the throughput
of batches of 32. Either way it is within about 0.99 of the original model on average.

The session is created on first use, once per process, and is safe to call from several
threads. Its intra-op thread count is the setting ``CLAIMS_ENCODER_THREADS`` (default 1;
1 when Django settings are not configured).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np

DIMENSION = 384
# Stored beside each embedding: a vector from another model is re-encoded, not compared.
MODEL_ID = "minilm-l6-v2-int8"
MAX_TOKENS = 128
MODEL_DIR = Path(__file__).resolve().parent / "models" / MODEL_ID
THREADS_SETTING = "CLAIMS_ENCODER_THREADS"
_STORED_DTYPE = np.dtype("<f2")  # to_bytes: little-endian float16, 768 bytes a vector


class EncoderModelError(RuntimeError):
    """The model files are missing or damaged (a Git LFS pointer, a truncated copy)."""


class Encoder:
    """One ONNX session and tokenizer. Most code wants the module's `encode`."""

    def __init__(self, model_dir: Path = MODEL_DIR, *, threads: int = 1) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        model_path = Path(model_dir) / "model.onnx"
        tokenizer_path = Path(model_dir) / "tokenizer.json"
        try:
            tokenizer = Tokenizer.from_file(str(tokenizer_path))
            options = ort.SessionOptions()
            options.intra_op_num_threads = max(1, threads)
            options.inter_op_num_threads = 1
            options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
            options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
            # Idle pool threads sleep rather than spin: the web and worker processes share cores.
            options.add_session_config_entry("session.intra_op.allow_spinning", "0")
            session = ort.InferenceSession(
                str(model_path), sess_options=options, providers=["CPUExecutionProvider"]
            )
        except Exception as exc:  # onnxruntime and tokenizers raise their own types
            raise EncoderModelError(
                f"cannot load the {MODEL_ID} encoder from {model_dir} ({exc}); a Git LFS "
                "pointer or a damaged file? Compare the sha256 in its README.md, or rebuild "
                "it with apps/claims/nlp/models/build_minilm_onnx.py"
            ) from exc
        tokenizer.no_padding()  # encode pads each length-sorted batch itself
        tokenizer.enable_truncation(max_length=MAX_TOKENS)
        self._tokenizer = tokenizer
        self._session = session
        self._output = session.get_outputs()[0].name

    def encode(self, texts: Sequence[str], *, batch_size: int = 32) -> np.ndarray:
        """An (n, DIMENSION) float32 array: one L2-normalised row per text, zero for a text
        with no tokens. Texts are sorted by length into batches, so little is padding; a row
        depends slightly on its batch-mates unless batch_size is 1 (see the module)."""
        if isinstance(texts, str):
            raise TypeError("encode takes a sequence of texts, not one string")
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        out = np.zeros((len(texts), DIMENSION), dtype=np.float32)
        if not texts:
            return out
        token_ids = [e.ids for e in self._tokenizer.encode_batch(list(texts))]
        # [CLS] and [SEP] only: nothing to embed.
        todo = sorted(
            (i for i, ids in enumerate(token_ids) if len(ids) > 2), key=lambda i: len(token_ids[i])
        )
        for start in range(0, len(todo), batch_size):
            rows = todo[start : start + batch_size]
            width = len(token_ids[rows[-1]])
            input_ids = np.zeros((len(rows), width), dtype=np.int64)
            attention_mask = np.zeros((len(rows), width), dtype=np.int64)
            for row, i in enumerate(rows):
                ids = token_ids[i]
                input_ids[row, : len(ids)] = ids
                attention_mask[row, : len(ids)] = 1
            (vectors,) = self._session.run(
                [self._output],
                {
                    "input_ids": input_ids,
                    "attention_mask": attention_mask,
                    "token_type_ids": np.zeros_like(input_ids),
                },
            )
            out[rows] = vectors
        return out


_encoder: Encoder | None = None
_encoder_lock = threading.Lock()


def configured_threads() -> int:
    """The setting CLAIMS_ENCODER_THREADS, or 1 (also when Django is not configured)."""
    try:
        from django.conf import settings
        from django.core.exceptions import ImproperlyConfigured
    except ImportError:
        return 1
    try:
        value = getattr(settings, THREADS_SETTING, 1)
    except ImproperlyConfigured:
        return 1
    return max(1, int(value))


def get_encoder() -> Encoder:
    """The process-wide encoder, created on first use."""
    global _encoder
    if _encoder is None:
        with _encoder_lock:
            if _encoder is None:
                _encoder = Encoder(threads=configured_threads())
    return _encoder


def encode(texts: Sequence[str], *, batch_size: int = 32) -> np.ndarray:
    """Embed texts: (len(texts), DIMENSION) float32, L2-normalised rows; a text with no
    tokens (empty, whitespace) gives a zero row. At most MAX_TOKENS tokens are read."""
    return get_encoder().encode(texts, batch_size=batch_size)


def to_bytes(vector: np.ndarray) -> bytes:
    """A DIMENSION-long vector as 768 bytes (little-endian float16), for a BinaryField."""
    array = np.asarray(vector, dtype=np.float32)
    if array.shape != (DIMENSION,):
        raise ValueError(f"expected a vector of shape ({DIMENSION},), got {array.shape}")
    return array.astype(_STORED_DTYPE).tobytes()


def from_bytes(data: bytes | bytearray | memoryview) -> np.ndarray:
    """The float32 vector stored by `to_bytes` (a BinaryField may give a memoryview). Each
    component is within float16 rounding of the original (relative error at most 2**-11)."""
    if len(data) != DIMENSION * _STORED_DTYPE.itemsize:
        raise ValueError(f"expected {DIMENSION * _STORED_DTYPE.itemsize} bytes, got {len(data)}")
    return np.frombuffer(data, dtype=_STORED_DTYPE).astype(np.float32)
