"""Provider API clients: pure protocol modules plus thin async shells over httpx."""
