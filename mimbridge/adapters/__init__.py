"""Format adapters (one module per family); see :mod:`mimbridge.registry`."""
