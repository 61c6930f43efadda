"""Who is asking: API keys, the principals they name, and what each may see and do."""
