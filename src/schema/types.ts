// The snapshot model: everything a migration can change, normalized so that two databases built by the
// same DDL give deep-equal values (and equal JSON). No OIDs, no attnums, no physical storage details.
// Lists are sorted by name (byte order) except where order is meaningful to users: columns (their
// position among live columns), enum labels (their sort order), composite attributes, inheritance parents.
// Field names match the keys of the JSON document SNAPSHOT_SQL builds, so normalize() is a parse, not a map.

/** A reference to a relation: schema and name, unquoted. */
export interface RelationRef {
  schema: string
  name: string
}

export interface Snapshot {
  schemas: SchemaInfo[]
  extensions: ExtensionInfo[]
  types: TypeInfo[]
  sequences: SequenceInfo[]
  relations: RelationInfo[]
  functions: FunctionInfo[]
}

export interface SchemaInfo {
  name: string
  comment: string | null
}

export interface ExtensionInfo {
  name: string
  version: string
  schema: string
  comment: string | null
}

export type RelationKind = 'table' | 'partitioned table' | 'view' | 'materialized view' | 'foreign table'

/** Tables, views, materialized views and foreign tables (one pg_class namespace, one list). */
export interface RelationInfo {
  schema: string
  name: string
  kind: RelationKind
  /** 'unlogged' or 'permanent' (temporary tables live in pg_temp schemas, which are left out). */
  persistence: 'permanent' | 'unlogged'
  /** pg_get_partkeydef, e.g. "RANGE (created_at)", for partitioned tables. */
  partitionKey: string | null
  /** The parent, for a partition. */
  partitionOf: RelationRef | null
  /** pg_get_expr(relpartbound), e.g. "FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')". */
  partitionBound: string | null
  /** Classic (non-partition) inheritance parents, in declaration order. */
  inherits: RelationRef[]
  /** Storage parameters and view options (fillfactor=70, security_barrier=true), sorted. */
  options: string[]
  rowSecurity: boolean
  forceRowSecurity: boolean
  /** Tables only (null for views). */
  replicaIdentity: 'default' | 'nothing' | 'full' | 'index' | null
  /** pg_get_viewdef for views and materialized views. */
  definition: string | null
  comment: string | null
  /** In position order among live columns (dropped columns leave no gap). */
  columns: ColumnInfo[]
  /** Primary key, unique, exclusion, check and foreign key constraints. NOT NULL lives on the column. */
  constraints: ConstraintInfo[]
  /** Indexes that do not back a constraint (a primary key's index is the constraint's, listed there). */
  indexes: IndexInfo[]
  /** User triggers (internal ones, such as the FK enforcement triggers, are left out). */
  triggers: TriggerInfo[]
  policies: PolicyInfo[]
  /** CREATE RULE rules (a view's own _RETURN rule is its definition). */
  rules: RuleInfo[]
}

export interface ColumnInfo {
  name: string
  /** format_type with modifiers: "character varying(255)", "numeric(10,2)", "integer[]". */
  type: string
  notNull: boolean
  /** pg_get_expr of the default, or of the generation expression for a generated column. */
  default: string | null
  identity: 'always' | 'by default' | null
  generated: 'stored' | 'virtual' | null
  /** Only when it differs from the type's default collation. */
  collation: string | null
  comment: string | null
}

export type ConstraintType = 'primary key' | 'foreign key' | 'unique' | 'check' | 'exclusion'

export interface ConstraintInfo {
  name: string
  type: ConstraintType
  /** pg_get_constraintdef: the whole constraint, deferrability and NOT VALID included. */
  definition: string
  deferrable: boolean
  deferred: boolean
  validated: boolean
  /** Foreign keys only. */
  references: RelationRef | null
  onDelete: FkAction | null
  onUpdate: FkAction | null
  match: 'SIMPLE' | 'FULL' | 'PARTIAL' | null
  comment: string | null
}

export type FkAction = 'NO ACTION' | 'RESTRICT' | 'CASCADE' | 'SET NULL' | 'SET DEFAULT'

export interface IndexInfo {
  name: string
  /** pg_get_indexdef: "CREATE UNIQUE INDEX ix ON public.t USING btree (a) WHERE (b IS NULL)". */
  definition: string
  unique: boolean
  method: string
  /** The partial index predicate, if any. */
  predicate: string | null
  /** False after a failed CREATE INDEX CONCURRENTLY. */
  valid: boolean
  comment: string | null
}

export interface TriggerInfo {
  name: string
  /** pg_get_triggerdef. */
  definition: string
  enabled: 'enabled' | 'disabled' | 'replica' | 'always'
  comment: string | null
}

export interface PolicyInfo {
  name: string
  command: 'ALL' | 'SELECT' | 'INSERT' | 'UPDATE' | 'DELETE'
  permissive: boolean
  /** Role names, sorted; 'public' for PUBLIC. */
  roles: string[]
  using: string | null
  check: string | null
  comment: string | null
}

export interface RuleInfo {
  name: string
  definition: string
  enabled: 'enabled' | 'disabled' | 'replica' | 'always'
  comment: string | null
}

export interface SequenceInfo {
  schema: string
  name: string
  /** bigint, integer or smallint. */
  type: string
  // int8 values as text: JSON numbers lose precision above 2^53.
  start: string
  increment: string
  min: string
  max: string
  cache: string
  cycle: boolean
  persistence: 'permanent' | 'unlogged'
  /** OWNED BY (serial) or the identity column this sequence belongs to. */
  ownedBy: (RelationRef & { column: string }) | null
  comment: string | null
}

export type TypeKind = 'enum' | 'domain' | 'composite' | 'range'

export interface TypeInfo {
  schema: string
  name: string
  kind: TypeKind
  /** Enum labels in their sort order. */
  labels: string[] | null
  /** Domain: the base type with modifiers. Range: the subtype. */
  baseType: string | null
  /** Domain NOT NULL. */
  notNull: boolean
  /** Domain default. */
  default: string | null
  /** Domain or range collation, when set explicitly. */
  collation: string | null
  /** Domain CHECK constraints as "name: CHECK (...)" lines, sorted by name. */
  constraints: string[] | null
  /** Composite attributes as "name type" lines, in position order. */
  attributes: string[] | null
  comment: string | null
}

export type FunctionKind = 'function' | 'procedure' | 'aggregate' | 'window function'

export interface FunctionInfo {
  schema: string
  name: string
  kind: FunctionKind
  /** pg_get_function_identity_arguments: the part of the signature that identifies it. */
  arguments: string
  /** pg_get_function_result; null for procedures. */
  result: string | null
  language: string
  volatility: 'immutable' | 'stable' | 'volatile'
  strict: boolean
  securityDefiner: boolean
  /** prosrc (empty for SQL-standard BEGIN ATOMIC bodies, which `definition` covers). */
  body: string
  /** pg_get_functiondef (for aggregates: their transition function, state type, final function). */
  definition: string | null
  comment: string | null
}

/** Runs one SQL text and returns its rows; lets the same SQL run on any connection (pg, a Python helper). */
export type QueryRunner = (sql: string) => Promise<Array<Record<string, unknown>>>

/** Anything with pg's `query(text)` shape: pg.Client, pg.PoolClient, pg.Pool. */
export interface Queryable {
  query(sql: string): Promise<{ rows: Array<Record<string, unknown>> }>
}

export interface SnapshotOptions {
  /**
   * Tables left out with their columns, constraints, indexes, triggers and owned sequences: the migration
   * tool's bookkeeping (alembic_version). "schema.table" matches that schema only; a bare name any schema.
   */
  excludeTables?: string[]
}
