// The docker provider's default image, in a module of its own: the inputs' table names it, and the
// CLI reads that table for --help without loading the provider (and the PostgreSQL client with it).
export const DEFAULT_POSTGRES_IMAGE = 'postgres:18-alpine'
