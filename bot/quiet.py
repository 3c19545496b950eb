"""Library deprecation warnings, kept out of the way of the people using the tools.

spaCy, click, typer, pkg_resources and pyparsing warn about their own
deprecated calls on import: a page of them greets whoever runs the command
line, who can do nothing about them. Only
warnings raised outside this project's packages are silenced: ours still show.
"""

from __future__ import annotations

import warnings

THIRD_PARTY = r"^(?!(bot|actions)(\.|$))"


def quiet_library_warnings() -> None:
    for category in (DeprecationWarning, PendingDeprecationWarning, FutureWarning):
        warnings.filterwarnings("ignore", category=category, module=THIRD_PARTY)
