"""The register's performance benchmark (``make bench``); not run by the test suite."""
