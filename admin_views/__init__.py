"""The register's Flask-Admin pages, one module per concern; ``registry`` adds them all."""
