"""The SSSOM vocabulary mimbridge relies on: built-in prefixes, mapping predicates,
justifications and the slots of the SSSOM 1.1 schema (checked against the schema by the tests).

>>> PREDICATES["http://www.w3.org/2004/02/skos/core#broadMatch"]
'broad'
"""

from __future__ import annotations

__all__ = [
    "BROAD",
    "BUILTIN_PREFIXES",
    "CLOSE",
    "DOUBLES",
    "ENTITY_REFERENCES",
    "EXACT",
    "INVERSE_KIND",
    "JUSTIFICATIONS",
    "MAPPING_SLOTS",
    "MULTIVALUED",
    "NARROW",
    "NO_TERM",
    "PREDICATES",
    "RELATED",
    "SET_SLOTS",
    "SKOS",
    "SKOS_OF_KIND",
    "STRENGTH",
]

#: Prefixes every SSSOM file may use without declaring them (SSSOM specification).
BUILTIN_PREFIXES: dict[str, str] = {
    "owl": "http://www.w3.org/2002/07/owl#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "semapv": "https://w3id.org/semapv/vocab/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "sssom": "https://w3id.org/sssom/",
}
SKOS = BUILTIN_PREFIXES["skos"]
OWL = BUILTIN_PREFIXES["owl"]
RDFS = BUILTIN_PREFIXES["rdfs"]
SEMAPV = BUILTIN_PREFIXES["semapv"]
SSSOM = BUILTIN_PREFIXES["sssom"]

EXACT, BROAD, NARROW, CLOSE, RELATED = "exact", "broad", "narrow", "close", "related"
STRENGTH = {EXACT: 3, BROAD: 2, NARROW: 2, CLOSE: 1, RELATED: 0}

#: Known mapping predicates (expanded IRI) and how they translate terms.
PREDICATES: dict[str, str] = {
    SKOS + "exactMatch": EXACT,
    OWL + "equivalentClass": EXACT,
    OWL + "equivalentProperty": EXACT,
    OWL + "sameAs": EXACT,
    SKOS + "broadMatch": BROAD,
    RDFS + "subClassOf": BROAD,
    RDFS + "subPropertyOf": BROAD,
    SKOS + "narrowMatch": NARROW,
    SKOS + "closeMatch": CLOSE,
    SKOS + "relatedMatch": RELATED,
    RDFS + "seeAlso": RELATED,
    "http://www.geneontology.org/formats/oboInOwl#hasDbXref": RELATED,
}
INVERSE_KIND = {EXACT: EXACT, BROAD: NARROW, NARROW: BROAD, CLOSE: CLOSE, RELATED: RELATED}
SKOS_OF_KIND = {EXACT: "exactMatch", BROAD: "broadMatch", NARROW: "narrowMatch",
                 CLOSE: "closeMatch", RELATED: "relatedMatch"}

#: The mapping justifications of the SSSOM schema (semapv vocabulary).
JUSTIFICATIONS = frozenset(SEMAPV + n for n in (
    "LexicalMatching", "LogicalReasoning", "CompositeMatching", "UnspecifiedMatching",
    "SemanticSimilarityThresholdMatching", "LexicalSimilarityThresholdMatching", "MappingChaining",
    "MappingReview", "ManualMappingCuration", "MappingInversion", "StructuralMatching",
    "InstanceBasedMatching", "BackgroundKnowledgeBasedMatching"))

NO_TERM = frozenset({SSSOM + "NoTermFound", SSSOM + "NoMapping"})

#: Slots of a mapping (one TSV column each), in the order of the SSSOM 1.1 schema.
MAPPING_SLOTS: tuple[str, ...] = (
    "record_id", "subject_id", "subject_label", "subject_category", "predicate_id", "predicate_label",
    "predicate_modifier", "object_id", "object_label", "object_category", "mapping_justification",
    "author_id", "author_label", "reviewer_id", "reviewer_label", "creator_id", "creator_label",
    "license", "subject_type", "subject_source", "subject_source_version", "object_type",
    "object_source", "object_source_version", "predicate_type", "mapping_provider", "mapping_source",
    "mapping_cardinality", "cardinality_scope", "mapping_tool", "mapping_tool_id",
    "mapping_tool_version", "mapping_date", "publication_date", "review_date", "confidence",
    "reviewer_agreement", "curation_rule", "curation_rule_text", "subject_match_field",
    "object_match_field", "match_string", "subject_preprocessing", "object_preprocessing",
    "similarity_score", "similarity_measure", "see_also", "issue_tracker_item", "other", "comment",
)
#: Slots of a mapping set (YAML metadata keys).
SET_SLOTS: tuple[str, ...] = (
    "sssom_version", "curie_map", "mappings", "mapping_set_id", "mapping_set_version",
    "mapping_set_source", "mapping_set_title", "mapping_set_description", "mapping_set_confidence",
    "creator_id", "creator_label", "license", "subject_type", "subject_source",
    "subject_source_version", "object_type", "object_source", "object_source_version",
    "predicate_type", "mapping_provider", "cardinality_scope", "mapping_tool", "mapping_tool_id",
    "mapping_tool_version", "mapping_date", "publication_date", "subject_match_field",
    "object_match_field", "subject_preprocessing", "object_preprocessing", "similarity_measure",
    "curation_rule", "curation_rule_text", "see_also", "issue_tracker", "other", "comment",
    "extension_definitions",
)
MULTIVALUED = frozenset({
    "author_id", "author_label", "reviewer_id", "reviewer_label", "creator_id", "creator_label",
    "cardinality_scope", "curation_rule", "curation_rule_text", "subject_match_field",
    "object_match_field", "match_string", "subject_preprocessing", "object_preprocessing", "see_also",
    "mapping_set_source",
})
DOUBLES = frozenset({"confidence", "reviewer_agreement", "similarity_score", "mapping_set_confidence"})
ENTITY_REFERENCES = frozenset({
    "record_id", "subject_id", "predicate_id", "object_id", "mapping_justification", "author_id",
    "reviewer_id", "creator_id", "subject_source", "object_source", "mapping_source", "mapping_tool_id",
    "curation_rule", "subject_match_field", "object_match_field", "subject_preprocessing",
    "object_preprocessing", "issue_tracker_item",
})
