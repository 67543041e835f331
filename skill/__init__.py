"""Back Stretch Coach: an Alexa skill that leads back-stretching routines hands-free.

The package is layered so that each layer only knows the ones above it:

    catalogue  (data: stretches, routines, safety rules from the seed articles)
    engine     (plain-Python routine state machine, no ASK imports)
    speech     (SSML built from engine outcomes, wording from per-locale files)
    handlers   (thin ASK request handlers and interceptors)
    persistence(one store interface: SQLite locally, DynamoDB in production)
    entrypoints(Lambda, Flask web service, command-line chat)
"""
