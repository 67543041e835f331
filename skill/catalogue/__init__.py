"""The stretch catalogue: stretches, routines and safety rules, loaded from JSON."""

from skill.catalogue.model import Catalogue, Routine, RoutineItem, Stretch, load_catalogue

__all__ = ["Catalogue", "Routine", "RoutineItem", "Stretch", "load_catalogue"]
