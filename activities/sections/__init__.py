"""Activities: sections, one module per subject."""
