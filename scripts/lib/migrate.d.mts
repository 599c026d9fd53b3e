export interface MigrationFile {
  name: string;
  sql: string;
  checksum: string;
}
export function listMigrations(migrationsDir: string): Promise<MigrationFile[]>;
export function applyMigrations(databaseUrl: string, migrationsDir: string, log?: (line: string) => void): Promise<string[]>;
