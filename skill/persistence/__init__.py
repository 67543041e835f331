"""Per-user data in a ``VersionedStore`` the skill uses directly: SQLite locally, DynamoDB on AWS."""
