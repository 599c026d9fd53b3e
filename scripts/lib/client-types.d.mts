export function clientTypesFrom(document: object): Promise<string>;
