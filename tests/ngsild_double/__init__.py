"""A schema-validating NGSI-LD broker test double (see :mod:`.app`), run by uvicorn in its own process."""
