"""File formats: safe, located YAML reading and validation into domain models."""

from ccdrill.formats.validate import KINDS, load_document, model_class, parse_document

__all__ = ["KINDS", "load_document", "model_class", "parse_document"]
