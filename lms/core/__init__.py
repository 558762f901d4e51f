"""Shared foundation: configuration, database, i18n, errors, permissions, outbox, storage."""
