// The house rules checked by `npm run deps` and inside `npm test` (scripts/test.mjs): the folders
// of src/ depend on each other one way only. dependency-cruiser aggregates every module into its
// folder (and that folder's parents); a cycle between two folders (src/deposits → src/risk →
// src/deposits) is one violation, printed with the path it takes.
module.exports = {
  forbidden: [
    {
      name: 'no-folder-cycles',
      comment: 'Folders of src/ form a one-way graph: a folder that needs another is never needed by it (nor through others).',
      severity: 'error',
      scope: 'folder',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'no-module-cycles',
      comment: 'No file reaches itself through its imports, dynamic imports included (the files at the root of src/ are not a folder of their own).',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'composition-root-on-top',
      comment:
        'The files at the root of src/ (app.module, main, worker) compose the folders; only src/bootstrap builds them, so nothing below can reach back up through them.',
      severity: 'error',
      from: { path: '^src/[^/]+/', pathNot: '^src/bootstrap/' },
      to: { path: '^src/[^/]+\\.ts$' },
    },
    {
      name: 'bootstrap-on-top',
      comment: 'src/bootstrap starts the application; only the entry points at the root of src/ use it.',
      severity: 'error',
      from: { path: '^src/[^/]+/', pathNot: '^src/bootstrap/' },
      to: { path: '^src/bootstrap/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // Prisma's generated client is a library, not a room of the house.
    exclude: { path: '^src/generated/' },
    tsConfig: { fileName: 'tsconfig.json' },
    // `import type` counts: a type-only cycle is still a cycle between two concepts.
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
