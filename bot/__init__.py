"""The clinical core of the B12 deficiency checker, usable without Rasa.

Importing this package is cheap: knowledge files, the spaCy pipeline and the
database are loaded on first use, never at import time.
"""
