"""Read-only queries behind pages and API lists: they select and count, never write."""
