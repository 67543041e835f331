"""Speech: SSML built from engine outcomes, with wording from per-locale resource files."""

from skill.speech.compose import Card, Composer, Reply
from skill.speech.phrases import Phrases, phrases_for
from skill.speech.ssml import Speech, SpeechLimitError

__all__ = ["Card", "Composer", "Phrases", "Reply", "Speech", "SpeechLimitError", "phrases_for"]
