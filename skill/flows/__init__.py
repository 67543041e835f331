"""Flows: what the skill does for each thing a user can say, between the thin ASK handlers and the
engine. A flow takes a ``Turn`` (dependencies, session state, the user's data, the request's moment)
and returns a ``Reply``; it never sees ASK objects."""
