// How TypeScript is compiled for the tests: by Jest (jest.config.js) and for the processes the
// tests start (build-app.mjs). Decorator metadata is NestJS's dependency injection.
export const SWC_OPTIONS = {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
    target: 'es2022',
    keepClassNames: true,
  },
  module: { type: 'es6' },
  sourceMaps: 'inline',
};
