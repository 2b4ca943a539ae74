"""okr: Objectives and Key Results as plain YAML files in git."""

__version__ = "0.1.0"
