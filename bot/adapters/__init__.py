"""Platform adapters: translate platform events into service calls and outcomes into messages."""
