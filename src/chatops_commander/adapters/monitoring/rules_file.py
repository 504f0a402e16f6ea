"""Load alert rules from YAML (the bundled defaults or a file named in the settings)."""

from __future__ import annotations

from pathlib import Path

import yaml

from chatops_commander.domain.errors import ValidationFailed
from chatops_commander.domain.monitoring.rules import Rule, rules_from_document

DEFAULT_RULES = Path(__file__).with_name("default_rules.yaml")


def load_rules(path: Path | None = None) -> tuple[Rule, ...]:
    """Raise ValidationFailed naming the file and each problem (unreadable file, bad YAML, bad rule)."""
    target = path or DEFAULT_RULES
    try:
        doc = yaml.safe_load(target.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ValidationFailed([(str(target), f"cannot read the rules file: {exc.strerror or exc}")]) from exc
    except yaml.YAMLError as exc:
        raise ValidationFailed([(str(target), f"not valid YAML: {exc}")]) from exc
    try:
        return rules_from_document(doc)
    except ValidationFailed as exc:
        raise ValidationFailed([(f"{target}: {f}", p) for f, p in exc.problems]) from exc
