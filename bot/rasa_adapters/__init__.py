"""Everything of the project that plugs into Rasa, in one place.

The rest of ``bot/`` is Rasa-free (a test keeps it so): the clinical core, the
knowledge base, the language pipeline, storage helpers and the channel-neutral
message shaping. This package adapts them to Rasa Open Source 3.6 at its
extension points:

===================  ==========================================================
``nlu_component``    the NLU component running the clinical extractor (config.yml)
``encoder_featurizer``  dense sentence features from the pretrained encoder (config.yml)
``emergency_net``    the emergency net after the extractor (config.yml)
``intent_ensemble``  DIET's and the FAQ selector's rankings averaged with a classifier
                     over the sentence embedding (config.yml)
``faq_selector``     the FAQ response selector, run only where an answer may be read
``policies``         Rasa's memoization and rule policies over the recent turns
``tracker_store``    Rasa's SQL tracker store, configured from the environment and
                     failing closed (endpoints.yml)
``lock_store``       Rasa's lock stores, with atomic and renewed tickets (endpoints.yml)
``webchat``          the web chat channel: page and Socket.IO on one port
``rest``             the REST channel behind a token
``platforms``        Telegram, Slack, Messenger and Twilio with private ids
``server``           the launcher: ``python -m bot.rasa_adapters.server run ...``
                     installs :mod:`.patches` and passes secrets from the environment
``patches``          the three fixes to Rasa internals, each with its reason
===================  ==========================================================
"""
