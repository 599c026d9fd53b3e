export function configProblems(env: Record<string, string | undefined>): string[];
export function sandboxConfigProblems(env: Record<string, string | undefined>): string[];
export function loadEnvFile(file: string, env?: Record<string, string | undefined>): string[];
