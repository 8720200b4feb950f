"""The torch-free sentence encoder (apps.claims.nlp.encoder): no database, no torch."""

from __future__ import annotations

import hashlib
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from apps.claims.nlp import encoder
from apps.claims.nlp.encoder import (
    DIMENSION,
    MODEL_DIR,
    MODEL_ID,
    Encoder,
    EncoderModelError,
    encode,
    from_bytes,
    to_bytes,
)

SENTENCES = [
    "Heavy rain is expected across the region on Thursday.",
    "The economy grew faster than forecast in the second quarter.",
    "Add the eggs one at a time and beat well.",
    "Is the museum open on Sundays?",
    "OK.",
]


def cosine(a: np.ndarray, b: np.ndarray) -> float:
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


def test_constants():
    assert DIMENSION == 384
    assert MODEL_ID == "minilm-l6-v2-int8"
    assert MODEL_DIR.name == MODEL_ID


def test_shape_dtype_and_unit_rows():
    vectors = encode(SENTENCES)
    assert vectors.shape == (len(SENTENCES), DIMENSION)
    assert vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_no_texts():
    vectors = encode([])
    assert vectors.shape == (0, DIMENSION)
    assert vectors.dtype == np.float32


def test_a_single_string_is_refused():
    with pytest.raises(TypeError):
        encode("one sentence")  # type: ignore[arg-type]


def test_deterministic_and_in_input_order():
    first = encode(SENTENCES)
    np.testing.assert_array_equal(first, encode(SENTENCES))
    # Reversed input (so sorted into batches the same way): the same rows, reversed.
    np.testing.assert_array_equal(encode(SENTENCES[::-1]), first[::-1])


def test_batch_size_one_depends_on_the_text_alone():
    alone = np.concatenate([encode([text]) for text in SENTENCES])
    np.testing.assert_array_equal(encode(SENTENCES, batch_size=1), alone)


def test_batch_mates_move_a_row_a_little():
    """Activations are quantised with one scale per batch, so a row depends slightly on
    the other texts in its batch (documented in the module)."""
    together = encode(SENTENCES, batch_size=32)
    alone = np.concatenate([encode([text]) for text in SENTENCES])
    similarity = np.einsum("ij,ij->i", together, alone)
    assert np.all(similarity[:-1] > 0.98)  # sentences
    assert similarity[-1] > 0.9  # "OK.": short texts move most


def test_paraphrase_is_closer_than_an_unrelated_sentence():
    a, b, c, d = encode(
        [
            "It is going to rain heavily tomorrow.",
            "Tomorrow there will be a lot of rain.",
            "The price of bread has doubled in two years.",
            "Bread costs twice as much as it did two years ago.",
        ]
    )
    assert cosine(a, b) > 0.7
    assert cosine(c, d) > 0.7
    assert cosine(a, b) > cosine(a, c) + 0.3
    assert cosine(c, d) > cosine(b, d) + 0.3


@pytest.mark.parametrize("blank", ["", " ", "\n\t  ", "\u00a0"])
def test_text_without_tokens_gives_a_zero_vector(blank):
    vectors = encode(["Snow is forecast for the hills.", blank, "Markets closed higher."])
    assert not vectors[1].any()
    np.testing.assert_allclose(np.linalg.norm(vectors[[0, 2]], axis=1), 1.0, atol=1e-5)


def test_only_blank_texts():
    vectors = encode(["", "   "])
    assert vectors.shape == (2, DIMENSION)
    assert not vectors.any()


def test_long_text_is_truncated_to_128_tokens():
    words = ("the quarterly report shows steady growth in exports and services " * 250).split()
    assert len(words) == 2500
    long_text = " ".join(words[:2000])
    prefix = " ".join(words[:300])  # already past 128 tokens
    long_vector, prefix_vector = encode([long_text]), encode([prefix])
    assert long_vector.shape == (1, DIMENSION)
    np.testing.assert_allclose(np.linalg.norm(long_vector), 1.0, atol=1e-5)
    np.testing.assert_allclose(long_vector, prefix_vector, atol=1e-6)


def test_threads_share_one_session():
    expected = encode(SENTENCES)
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda _: encode(SENTENCES), range(8)))
    for result in results:
        np.testing.assert_array_equal(result, expected)
    assert encoder.get_encoder() is encoder.get_encoder()


def test_runs_without_torch_or_django_settings():
    """A fresh interpreter: no DJANGO_SETTINGS_MODULE (the thread count falls back to 1),
    and neither torch nor sentence-transformers is imported."""
    code = (
        "import sys; from apps.claims.nlp import encoder; "
        "v = encoder.encode(['Rain is likely later today.']); "
        "assert v.shape == (1, 384) and encoder.configured_threads() == 1; "
        "assert not {'torch', 'sentence_transformers'} & set(sys.modules), 'torch imported'"
    )
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(MODEL_DIR.parents[4])}
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_threads_setting(settings):
    settings.CLAIMS_ENCODER_THREADS = 3
    assert encoder.configured_threads() == 3
    del settings.CLAIMS_ENCODER_THREADS
    assert encoder.configured_threads() == 1


def test_bytes_round_trip_within_float16_precision():
    vector = encode(SENTENCES[:1])[0]
    data = to_bytes(vector)
    assert isinstance(data, bytes)
    assert len(data) == 2 * DIMENSION == 768
    back = from_bytes(data)
    assert back.dtype == np.float32
    assert back.shape == (DIMENSION,)
    assert np.all(np.abs(back - vector) <= np.abs(vector) * 2.0**-11 + 1e-7)
    assert cosine(back, vector) > 0.99999
    np.testing.assert_array_equal(from_bytes(memoryview(data)), back)  # as a BinaryField gives it
    assert not from_bytes(to_bytes(np.zeros(DIMENSION))).any()


def test_bytes_refuse_the_wrong_size():
    with pytest.raises(ValueError):
        to_bytes(np.zeros(DIMENSION + 1))
    with pytest.raises(ValueError):
        to_bytes(np.zeros((1, DIMENSION)))
    with pytest.raises(ValueError):
        from_bytes(b"\x00" * 767)


def sha256(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("name", ["model.onnx", "tokenizer.json"])
def test_committed_files_match_the_readme(name):
    """A damaged copy or a Git LFS pointer (a small text file) fails here, by name."""
    path = MODEL_DIR / name
    assert path.is_file(), f"{path} is missing"
    head = path.read_bytes()[:100]
    assert not head.startswith(b"version https://git-lfs"), f"{path} is a Git LFS pointer"
    readme = (MODEL_DIR / "README.md").read_text()
    match = re.search(rf"^\| `{re.escape(name)}` \| [\d,]+ \| `([0-9a-f]{{64}})` \|$", readme, re.M)
    assert match, f"no sha256 for {name} in {MODEL_DIR / 'README.md'}"
    assert sha256(path) == match.group(1), f"{path} differs from the sha256 in its README"


def test_a_git_lfs_pointer_is_refused_by_name(tmp_path):
    (tmp_path / "model.onnx").write_text(
        "version https://git-lfs.github.com/spec/v1\noid sha256:00\nsize 22962162\n"
    )
    (tmp_path / "tokenizer.json").write_bytes((MODEL_DIR / "tokenizer.json").read_bytes())
    with pytest.raises(EncoderModelError, match="Git LFS"):
        Encoder(tmp_path)


def test_licence_names_both_licences():
    licence = (MODEL_DIR / "LICENSE").read_text()
    assert "Apache License, Version 2.0" in licence
    assert "MIT License" in licence
