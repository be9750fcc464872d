"""Activities: selectors, one module per subject."""
