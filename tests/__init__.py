"""ctscale's tests as a package, imported from the repository root (docs/testing.md): shared
helpers in tests.common, the NumPy/SciPy reference in tests.reference."""
