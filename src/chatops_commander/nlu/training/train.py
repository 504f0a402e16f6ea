"""`chatops nlu train`: generate the training data from the templates, fit the intent model, export it.

Reproducible: a fixed seed, a fixed inventory, sorted features, a gzip file without a timestamp.
scikit-learn is needed here only (`pip install -e '.[train]'`); the parser never imports it.
"""

from __future__ import annotations

import json
import random
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from chatops_commander.domain.inventory import Inventory
from chatops_commander.domain.servers import Server
from chatops_commander.nlu.analysis import analyze
from chatops_commander.nlu.context import ConversationContext
from chatops_commander.nlu.intent_model import IntentModel, features, save
from chatops_commander.nlu.parser import Parser
from chatops_commander.nlu.text import raw_command
from chatops_commander.nlu.training.families import FAMILIES
from chatops_commander.nlu.training.templates import FILLERS, PREFIXES, SUFFIXES, TEMPLATES

SEED = 20261130
DEV_SHARE = 0.12  # share of the templates held out: the dev split is phrased differently from train

# The training inventory is the dev-set inventory (tests/nlu/inventory.yml): the sentences generated
# name only hosts and services that exist there, so every split is evaluated against one inventory.
TRAINING_SERVERS = (
    Server("web-01", "web-01", "10.0.1.11", tags=("web", "production"), services=("nginx", "php-fpm", "node-exporter")),
    Server("web-02", "web-02", "10.0.1.12", tags=("web", "production"), services=("nginx", "php-fpm", "node-exporter")),
    Server("web-03", "web-03", "10.0.1.13", tags=("web", "staging"), services=("node-app", "docker", "redis")),
    Server("db-master", "db-master", "10.0.2.21", tags=("db", "production"), services=("postgresql", "pgbouncer")),
    Server("db-replica", "db-replica", "10.0.2.22", tags=("db", "production"), services=("postgresql",)),
    Server("cache-01", "cache-01", "10.0.3.31", tags=("cache", "production"),
           services=("memcached", "rabbitmq-server")),
    Server("lb-01", "lb-01", "10.0.0.10", tags=("lb", "production"), services=("haproxy", "keepalived")),
    Server("mon-01", "mon-01", "10.0.4.41", tags=("monitoring", "staging"),
           services=("prometheus", "grafana", "alertmanager", "docker")),
)
SLOTS: dict[str, tuple[str, ...]] = {
    "h": ("web-01", "web02", "web 03", "db-master", "db-replica", "cache-01", "lb-01", "mon-01", "WEB-02",
          "web1", "db replica", "the web servers", "all servers", "prod", "les serveurs web", "tous les serveurs"),
    "s": ("nginx", "postgres", "postgresql", "haproxy", "redis", "memcached", "php-fpm", "grafana", "prometheus",
          "pgbouncer", "keepalived", "node-exporter", "rabbitmq", "pg", "alertmanager"),
    "n": ("5", "10", "20", "50", "100", "200"),
    "d": ("1h", "30 minutes", "2 hours", "the last hour", "yesterday", "today", "10 min", "une heure", "ce matin"),
    "v": ("2.5.0", "v3.1.4", "1.8.2", "4.0.0-rc1", "v12", "2.4.1"),
    "e": ("production", "prod", "staging", "preprod"),
    "p": ("4242", "1337", "999", "31337", "5120"),
    "u": ("https://shop.example.com", "https://api.example.com/health", "http://status.example.org",
          "https://www.example.fr"),
    "path": ("/var", "/var/log", "/home", "/", "/srv/data"),
    "c": ("redis", "grafana", "app", "worker", "nginx"),
    **FILLERS,
}
_SLOT = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True)
class Example:
    text: str
    label: str
    lang: str
    split: str  # "train" | "dev"


def training_inventory() -> Inventory:
    return Inventory.from_servers(list(TRAINING_SERVERS))


def _typo(word: str, rng: random.Random) -> str:
    if len(word) < 4 or not word.isalpha():
        return word
    i = rng.randrange(1, len(word) - 1)
    kind = rng.choice(("swap", "drop", "double", "near"))
    if kind == "swap":
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if kind == "drop":
        return word[:i] + word[i + 1 :]
    if kind == "double":
        return word[:i] + word[i] + word[i:]
    return word[:i] + rng.choice("aeiourstn") + word[i + 1 :]


def _noisy(text: str, rng: random.Random) -> str:
    words = text.split(" ")
    candidates = [i for i, w in enumerate(words) if len(w) >= 4 and w.isalpha()]
    if candidates and rng.random() < 0.3:
        i = rng.choice(candidates)
        words[i] = _typo(words[i], rng)
    text = " ".join(words)
    if rng.random() < 0.15:
        text = text.upper() if rng.random() < 0.2 else text.capitalize()
    return text


def _fill(template: str, rng: random.Random) -> str:
    return _SLOT.sub(lambda m: rng.choice(SLOTS[m.group(1)]), template)


def generate(seed: int = SEED, per_template: int = 7) -> list[Example]:
    """Every template filled `per_template` times with prefixes, suffixes, typos; held-out templates → dev."""
    rng = random.Random(seed)
    out: list[Example] = []
    # The first round's templates first, then the families (families.py): the first round's train/dev draw is
    # unchanged, so its dev sentences stay comparable from one round to the next.
    tables = [(label, lang, templates) for table in (TEMPLATES, FAMILIES) for label, by_lang in table.items()
              for lang, templates in by_lang.items()]
    for label, lang, templates in tables:
        for template in templates:
            split = "dev" if rng.random() < DEV_SHARE else "train"
            count = per_template if label not in ("chat.choose",) else 2
            seen: set[str] = set()
            for _ in range(count):
                text = _fill(template, rng)
                if label.startswith("chat.") is False:
                    text = rng.choice(PREFIXES[lang]) + text + rng.choice(SUFFIXES[lang])
                text = _noisy(text, rng)
                if text not in seen:
                    seen.add(text)
                    out.append(Example(text, label, lang, split))
    return out


def from_cases(cases: Iterable[dict[str, Any]]) -> list[Example]:
    """The hand-written evaluation cases (tests/nlu/cases.jsonl) as more training sentences (no context)."""
    out = []
    for case in cases:
        action = (case.get("expect") or {}).get("action")
        if case.get("context") or not isinstance(action, str) or len(case["text"]) > 500:
            continue
        out.append(Example(case["text"], action, "?", "train"))
    return out


def scoring_text(parser: Parser, text: str) -> str:
    """What the model reads: the parser's scoring text (names, values, negated words blanked) and markers."""
    command, rest = raw_command(text)
    return analyze(rest, ConversationContext(), parser.matcher, parser.names, command=command).model_text


def fit(texts: Sequence[str], labels: Sequence[str], c: float = 8.0) -> IntentModel:
    """Logistic regression on binary n-gram features (L2-normalized), exported as int8 rows."""
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import normalize

    vec = DictVectorizer()
    x = normalize(vec.fit_transform([dict.fromkeys(features(t), 1) for t in texts]))
    clf = LogisticRegression(C=c, max_iter=3000)
    clf.fit(x, list(labels))
    weights = clf.coef_  # (classes, features)
    scale = float(abs(weights).max()) / 127.0
    rows: dict[str, bytes] = {}
    names = vec.get_feature_names_out()
    quantized = (weights / scale).round().clip(-127, 127).astype("int8")
    for j, name in enumerate(names):
        column = quantized[:, j]
        if abs(column).max() >= 2:
            rows[str(name)] = column.tobytes()
    return IntentModel([str(x) for x in clf.classes_], [float(b) for b in clf.intercept_], scale, rows)


def accuracy(model: IntentModel, texts: Sequence[str], labels: Sequence[str]) -> float:
    hits = sum(1 for t, y in zip(texts, labels, strict=True) if model.predict(t)[0].label == y)
    return hits / len(texts) if texts else 0.0


def write_split(examples: Sequence[Example], path: Path) -> None:
    """The generated sentences as evaluation cases (expect the action; `none` → unknown)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as fh:
        fh.write("# Generated by `chatops nlu train` from src/chatops_commander/nlu/training/templates.py\n")
        for i, ex in enumerate(examples, 1):
            expect: dict[str, Any] = ({"action": None, "intent": "unknown"} if ex.label == "none"
                                      else {"action": ex.label})
            fh.write(json.dumps({"id": f"{ex.split[0]}{i:04d}", "text": ex.text, "lang": ex.lang,
                                 "expect": expect}, ensure_ascii=False) + "\n")


@dataclass(frozen=True)
class TrainReport:
    train: int
    dev: int
    dev_accuracy: float
    features: int
    labels: Counter[str]


def train(
    catalog_specs: Sequence[Any], out: Path, data_dir: Path | None, cases: Iterable[dict[str, Any]] = (),
    seed: int = SEED, holdout: Iterable[str] = (),
) -> TrainReport:
    """`holdout`: sentences never trained on (the frozen test split): dropped from the generated data and
    from `cases`, whatever their source."""
    parser = Parser(catalog_specs, training_inventory())
    held = {" ".join(t.lower().split()) for t in holdout}
    examples = [e for e in generate(seed) + from_cases(cases) if " ".join(e.text.lower().split()) not in held]
    train_ex = [e for e in examples if e.split == "train"]
    dev_ex = [e for e in examples if e.split == "dev"]
    x_train = [scoring_text(parser, e.text) for e in train_ex]
    x_dev = [scoring_text(parser, e.text) for e in dev_ex]
    model = fit(x_train, [e.label for e in train_ex])
    save(model, out)
    if data_dir is not None:
        write_split([e for e in train_ex if e.lang != "?"], data_dir / "train.jsonl")
        write_split(dev_ex, data_dir / "dev.jsonl")
    return TrainReport(len(train_ex), len(dev_ex), accuracy(model, x_dev, [e.label for e in dev_ex]),
                       len(model.rows), Counter(e.label for e in examples))
