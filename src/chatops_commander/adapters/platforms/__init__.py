"""Chat platform adapters: they only translate between a platform and `services.platforms.contract`."""
