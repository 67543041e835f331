"""Per-user data behind ask-sdk's ``AbstractPersistenceAdapter``: SQLite locally, DynamoDB on AWS."""
