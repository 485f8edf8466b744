"""The answer engine: the FAQ knowledge base, matcher, red flags, replies and the assistant; pure."""
