"""Mapping tables shipped with mimbridge (installed as the package ``mimbridge.mappings``)."""
