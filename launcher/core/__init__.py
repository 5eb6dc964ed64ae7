"""Pure domain logic: models, join flow, link recognition, errors. No I/O, no Qt."""
