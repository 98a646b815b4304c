"""Reports for people outside the chat: question analytics for authors, answer exports for group leads.

Platform-free and driver-free: the functions here take a store object (see
the Protocols) and return values, text or bytes; the CLI and the chat
adapters decide where those go.
"""
