"""The deterministic demo shop built from packaged public data (see :mod:`insight.demo.seed`)."""
