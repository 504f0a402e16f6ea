"""The learned intent component (docs/adr/0010): a linear model over word and character n-grams.

Trained offline by `chatops nlu train` (scikit-learn, a training-only dependency) and exported to a
compact data file shipped with the package (`nlu/model/intent.json.gz`). Inference is plain Python:
the features of the text, a sum of int8 weight rows, a softmax — no scikit-learn import, nothing
downloaded, loaded lazily on the first parse that needs it.

The text it reads is the parser's scoring text: folded, names and values blanked, negated and
read-about action words blanked — so it learns how requests are phrased, never which hosts exist.
"""

from __future__ import annotations

import base64
import gzip
import itertools
import json
import math
import re
from array import array
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

MODEL_FILE = "intent.json.gz"
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
NONE_LABEL = "none"


def features(text: str) -> list[str]:
    """Word unigrams and bigrams, and character 3- to 5-grams inside padded words (typos share most of them)."""
    words = _WORD.findall(text)
    out = [f"w:{w}" for w in words]
    out += [f"b:{a}_{b}" for a, b in itertools.pairwise(words)]
    for w in words:
        if w.isdigit():
            continue
        padded = f" {w} "
        for n in (3, 4, 5):
            out += [f"c:{padded[i:i + n]}" for i in range(max(1, len(padded) - n + 1))]
    return out


@dataclass(frozen=True)
class Prediction:
    label: str
    probability: float


class IntentModel:
    """Labels (catalog ids and `none`), biases, and one int8 row of weights per feature."""

    def __init__(self, labels: list[str], bias: list[float], scale: float, rows: dict[str, bytes]) -> None:
        self.labels = labels
        self.bias = bias
        self.scale = scale
        self.rows = {k: array("b", v) for k, v in rows.items()}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> IntentModel:
        rows = {k: base64.b64decode(v) for k, v in data["rows"].items()}
        return cls(list(data["labels"]), [float(b) for b in data["bias"]], float(data["scale"]), rows)

    def to_json(self) -> dict[str, Any]:
        return {"labels": self.labels, "bias": [round(b, 5) for b in self.bias], "scale": self.scale,
                "rows": {k: base64.b64encode(v.tobytes()).decode("ascii") for k, v in sorted(self.rows.items())}}

    def known_words(self, text: str) -> int:
        """How many whole words of `text` the model learned (0: it would only guess from letters)."""
        return sum(1 for w in _WORD.findall(text) if f"w:{w}" in self.rows)

    def predict(self, text: str) -> list[Prediction]:
        """Every label with its probability, most likely first."""
        present = list(dict.fromkeys(f for f in features(text) if f in self.rows))
        n = len(self.labels)
        totals = [0] * n
        for feat in present:
            row = self.rows[feat]
            for i in range(n):
                totals[i] += row[i]
        norm = self.scale / math.sqrt(len(present)) if present else 0.0
        scores = [b + t * norm for b, t in zip(self.bias, totals, strict=True)]
        top = max(scores)
        exps = [math.exp(s - top) for s in scores]
        total = sum(exps)
        ranked = sorted(range(n), key=lambda i: -exps[i])
        return [Prediction(self.labels[i], exps[i] / total) for i in ranked]


def load(path: Path) -> IntentModel:
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        return IntentModel.from_json(json.load(fh))


def save(model: IntentModel, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    raw = json.dumps(model.to_json(), separators=(",", ":"), sort_keys=True).encode("utf-8")
    with path.open("wb") as fh, gzip.GzipFile(fileobj=fh, mode="wb", mtime=0) as gz:
        gz.write(raw)


def packaged_path() -> Path:
    return Path(str(resources.files("chatops_commander.nlu") / "model" / MODEL_FILE))


@lru_cache(maxsize=1)
def default_model() -> IntentModel | None:
    """The shipped model, read once on first use; None when the package has none (the rules still work)."""
    path = packaged_path()
    if not path.is_file():
        return None
    try:
        return load(path)
    except (OSError, ValueError, KeyError):
        return None
