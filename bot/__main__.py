"""``python -m bot``: see :mod:`bot.cli`."""

import sys
import warnings

# spaCy's thinc imports TensorFlow whenever it is installed (Rasa installs it), which costs
# 5-15 s and ~500 MB for a command line that never uses it. Marking it unavailable makes
# thinc take its "no TensorFlow" path; this runs only for `python -m bot`, never under Rasa.
sys.modules.setdefault("tensorflow", None)  # type: ignore[arg-type]

# The libraries under spaCy (click, typer, pkg_resources, pyparsing) warn about their own
# deprecated calls on import; a person using the command line can do nothing about them.
# Only warnings raised outside this package are silenced: the project's own still show.
THIRD_PARTY = r"^(?!bot(\.|$))"
for category in (DeprecationWarning, PendingDeprecationWarning, FutureWarning):
    warnings.filterwarnings("ignore", category=category, module=THIRD_PARTY)

from bot.cli import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
