"""What an Echo Show (or any device with a screen) shows: APL documents and the pictures in them.

Imported only when the request's device supports ``Alexa.Presentation.APL``, so a voice-only
request never loads it (cold starts stay short).
"""
