"""Activities: views, one module per subject."""
