// GraphQL Code Generator: typed documents for this example, from the server's schema.
// `npm run codegen`; `scripts/check` fails when the committed output differs from a fresh run.
//
// ROSTER_SCHEMA points codegen at another copy of the schema (a branch's, or a draft with
// fields that have not landed yet); the committed output is always made from the default.
import type { CodegenConfig } from '@graphql-codegen/cli';

const schema = process.env.ROSTER_SCHEMA ?? '../../schema.graphql';

const config: CodegenConfig = {
  schema,
  documents: ['src/**/*.ts', '!src/gql/**', '!src/possible-types.ts'],
  ignoreNoDocuments: false,
  generates: {
    // `graphql()` and the typed documents it returns.
    'src/gql/': {
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: {
        scalars: { DateTime: 'string' },
        enumsAsTypes: true,
        useTypeImports: true,
        skipTypename: false,
        nonOptionalTypename: true,
        // Only the types the operations here use: an unrelated schema change leaves the
        // generated files alone, so drift means this client's types really changed.
        onlyOperationTypes: true,
      },
    },
    // Which concrete types each union and interface has: Graphcache and Apollo Client
    // need it to match `... on Error { message }` without guessing.
    'src/possible-types.ts': {
      plugins: ['fragment-matcher'],
      config: {
        apolloClientVersion: 3,
        deterministic: true,
      },
    },
  },
  silent: false,
};

export default config;
