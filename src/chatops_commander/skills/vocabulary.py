"""Words each built-in action teaches the parser, in English and French.

Owned by the language-understanding work (issue 5): every built-in action id has an entry.
Packs bring their own `Vocabulary` in their spec.
"""

from __future__ import annotations

from chatops_commander.domain.actions import Vocabulary

VOCABULARY: dict[str, Vocabulary] = {}
