"""Training the intent model: templates, data generation, fitting (scikit-learn, training only)."""
