"""Member-side pages, one module per subject; members/urls.py wires them."""
