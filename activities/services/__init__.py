"""Activities: services, one module per subject."""
