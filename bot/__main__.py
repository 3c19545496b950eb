"""``python -m bot``: see :mod:`bot.cli`."""

import sys

# spaCy's thinc imports TensorFlow whenever it is installed (Rasa installs it), which costs
# 5-15 s and ~500 MB for a command line that never uses it. Marking it unavailable makes
# thinc take its "no TensorFlow" path; this runs only for `python -m bot`, never under Rasa.
sys.modules.setdefault("tensorflow", None)  # type: ignore[arg-type]

from bot.quiet import quiet_library_warnings  # noqa: E402

quiet_library_warnings()

from bot.cli import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
