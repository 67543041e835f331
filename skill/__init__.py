"""Back Stretch Coach: an Alexa skill that leads back-stretching routines hands-free.

The layers, from the top; each imports only layers below it (the imports form no cycle):

    entrypoints  Lambda, the Flask web service, the command-line chat, the verify and cli tools
    app          builds the skill: the dispatcher with the handlers' tables, interceptors, the store
    handlers     the ASK glue. ``dispatch`` is the one request handler (after ``name_free``, Alexa's
                 name-free question): the answer to the question waiting first, then the request's
                 intent (or type) in the tables of ``conversation``, ``routine``, ``preferences``,
                 ``reminders`` and ``touch``, each entry reading the request and calling one flow.
                 ``responder`` is the one path from a flow's reply to the response (store once, then
                 speak); ``interceptors`` load and save the turn, log, and apologise after an error.
                 Handler modules do not import each other (``responder`` and ``slots`` are helpers).
    screen       APL documents for devices with a screen (loaded only for them)
    flows        what the skill does: each flow takes a ``Turn`` and returns a ``Reply``, with no ASK
                 objects. ``questions`` answers every question the skill asks (``turn.Question``, asked
                 through ``replies.ask_question``); ``user_data`` is the one way to the store
    speech       SSML from the engine's timeline, with the wording from per-locale files
    profile      the stored profile, validated on the way in
    engine       the routine as one state object and pure functions on it: no ASK, no words, no clock
    persistence  one store interface: SQLite locally, DynamoDB in production
    catalogue    data: stretches, routines and safety rules from the seed articles;
                 with config, spoken_numbers, reminders_api and interaction_model, the leaves
"""
