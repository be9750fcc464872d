"""Writes to member-side records, one module per subject. Each function is one business action,
keyword-only, atomic, and keeps its rule in one place; they raise ValidationError in Chinese."""
