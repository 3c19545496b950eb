"""Language understanding: turn a message into findings for the clinical core.

``bot.nlu.extract(text)`` returns a :class:`bot.findings.Extraction`. Importing the
package is cheap; the spaCy pipeline is built on the first call and cached.
"""

from bot.nlu.reading import extract

__all__ = ["extract"]
