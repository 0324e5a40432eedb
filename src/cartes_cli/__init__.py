"""cartes: the command-line administration tool for the Géoplateforme (cartes.gouv.fr)."""

__version__ = "0.1.0"
