"""Operating the bot: logging set-up (with secrets redacted), backup and doctor."""
