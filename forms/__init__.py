"""WTForms for the register's custom pages."""
