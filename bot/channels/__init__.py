"""Ways to reach the assistant: the web chat page and the messaging platforms.

Each module adapts one channel to Rasa's connectors. The pure helpers
(:mod:`bot.channels.emergency`, :mod:`bot.channels.credentials`) import no
Rasa code, so they are cheap to test; the connector modules do import Rasa,
because a connector is by nature a Rasa class.
"""
