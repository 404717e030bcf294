"""Mapping tables: units of measure (UN/CEFACT, UCUM, QUDT) and SSSOM/TSV term mappings."""
