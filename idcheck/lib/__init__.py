"""Framework-light helpers with no models: env parsing, crypto, client addresses."""
