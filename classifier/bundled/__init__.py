"""The bundled model folder, shipped as package data (weights, label set, metrics, model card)."""
