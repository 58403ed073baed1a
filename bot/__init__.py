"""Anti-fraud publicity reporting bot: domain code shared by every chat channel."""
