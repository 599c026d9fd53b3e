import { readFileSync } from 'node:fs';

/**
 * Reads what schema.prisma says each table must look like, for the subset of the schema
 * language this project uses (models, enums, @map/@@map, @db.* types, @id, @unique,
 * @@unique, @@index). `prisma migrate diff` would do this but needs an engine this machine
 * cannot download, so the migration test compares the database with this reading.
 */
export interface ExpectedColumn {
  name: string;
  type: string;
  nullable: boolean;
}
export interface ExpectedTable {
  name: string;
  columns: ExpectedColumn[];
  primaryKey: string[];
  uniques: string[][];
  indexes: string[][];
}

const SCALAR_TYPES: Record<string, string> = {
  String: 'text',
  Int: 'integer',
  BigInt: 'bigint',
  Boolean: 'boolean',
  DateTime: 'timestamp(3) without time zone',
  Decimal: 'numeric(65,30)',
  Json: 'jsonb',
  Float: 'double precision',
};

const NATIVE_TYPES: Record<string, (args: string) => string> = {
  VarChar: (n) => `character varying(${n})`,
  Char: (n) => `character(${n})`,
  Uuid: () => 'uuid',
  Text: () => 'text',
  Timestamptz: (p) => `timestamp(${p || '6'}) with time zone`,
  Timestamp: (p) => `timestamp(${p || '6'}) without time zone`,
  Date: () => 'date',
  Decimal: (ps) => `numeric(${ps.replace(/\s/g, '')})`,
  Integer: () => 'integer',
  BigInt: () => 'bigint',
};

export function readPrismaSchema(file: string): { tables: ExpectedTable[]; enums: Map<string, string[]> } {
  const text = readFileSync(file, 'utf8').replace(/\/\/.*$/gm, '');
  const enums = new Map<string, { dbName: string; values: string[] }>();
  for (const [, name, body] of text.matchAll(/enum\s+(\w+)\s*\{([^}]*)\}/g)) {
    const dbName = /@@map\("([^"]+)"\)/.exec(body)?.[1] ?? name;
    const values = body
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line && !line.startsWith('@@'));
    enums.set(name, { dbName, values });
  }
  const modelNames = new Set([...text.matchAll(/model\s+(\w+)\s*\{/g)].map((m) => m[1]));
  const tables: ExpectedTable[] = [];
  for (const [, modelName, body] of text.matchAll(/model\s+(\w+)\s*\{([^}]*)\}/g)) {
    const table: ExpectedTable = {
      name: /@@map\("([^"]+)"\)/.exec(body)?.[1] ?? modelName,
      columns: [],
      primaryKey: [],
      uniques: [],
      indexes: [],
    };
    const columnOf = new Map<string, string>();
    const lines = body.split('\n').map((line) => line.trim()).filter(Boolean);
    for (const line of lines.filter((l) => !l.startsWith('@@') && !l.startsWith('///'))) {
      const [, field, rawType, rest = ''] = /^(\w+)\s+([\w[\]?]+)\s*(.*)$/.exec(line) ?? [];
      if (!field) continue;
      const baseType = rawType.replace(/[[\]?]/g, '');
      if (rawType.endsWith('[]') || modelNames.has(baseType)) continue; // relation fields have no column
      const column = /@map\("([^"]+)"\)/.exec(rest)?.[1] ?? field;
      columnOf.set(field, column);
      const native = /@db\.(\w+)(?:\(([^)]*)\))?/.exec(rest);
      const type = enums.has(baseType)
        ? `enum ${enums.get(baseType)!.dbName}`
        : native
          ? NATIVE_TYPES[native[1]](native[2] ?? '')
          : SCALAR_TYPES[baseType];
      if (!type) throw new Error(`prisma-schema reader: no mapping for ${modelName}.${field} ${rawType} ${rest}`);
      table.columns.push({ name: column, type, nullable: rawType.endsWith('?') });
      if (/@id\b/.test(rest)) table.primaryKey = [column];
      if (/@unique\b/.test(rest)) table.uniques.push([column]);
    }
    const fieldsOf = (list: string) => list.split(',').map((f) => columnOf.get(f.trim()) ?? f.trim());
    for (const [, list] of body.matchAll(/@@unique\(\[([^\]]+)\]/g)) table.uniques.push(fieldsOf(list));
    for (const [, list] of body.matchAll(/@@index\(\[([^\]]+)\]/g)) table.indexes.push(fieldsOf(list));
    for (const [, list] of body.matchAll(/@@id\(\[([^\]]+)\]/g)) table.primaryKey = fieldsOf(list);
    tables.push(table);
  }
  return { tables, enums: new Map([...enums.values()].map((e) => [e.dbName, e.values])) };
}
