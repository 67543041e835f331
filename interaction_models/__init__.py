"""The Alexa interaction models, installed as the package ``skill.models`` (see pyproject.toml).

Only the ``.json`` files beside this one are data; ``skill.interaction_model`` reads them.
"""
