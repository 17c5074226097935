"""The register's rules as plain functions: no Flask here, so pages, CLI and tests share them."""
