"""Validation of data against shared models: SHACL shapes (:mod:`mimbridge.validate.shacl`)."""
