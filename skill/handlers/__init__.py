"""Thin ASK handlers: each reads the request, calls the engine, and speaks through the composer."""
