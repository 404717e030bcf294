"""JSON-LD @context support: the NGSI-LD core context terms, offline."""
