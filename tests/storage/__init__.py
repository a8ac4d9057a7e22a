"""Storage tests: every test here runs on SQLite and on a throwaway PostgreSQL server."""
