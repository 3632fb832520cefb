// schema.graphql against what the live server's introspection serves: both are printed by
// graphql-js, with types and fields sorted, and must be equal, descriptions and
// @specifiedBy included. Usage: node sdl.mjs URL PATH_TO_SCHEMA_GRAPHQL
import { readFileSync } from 'node:fs';
import {
  buildClientSchema, buildSchema, getIntrospectionQuery, lexicographicSortSchema, printSchema,
} from 'graphql';

const [url, path] = process.argv.slice(2);
const query = getIntrospectionQuery({
  descriptions: true, specifiedByUrl: true, directiveIsRepeatable: true, inputValueDeprecation: true, oneOf: true,
});
const response = await fetch(url, {
  method: 'POST',
  headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
  body: JSON.stringify({ query }),
});
const body = await response.json();
if (!body.data) {
  console.error('introspection failed:', JSON.stringify(body));
  process.exit(1);
}
const print = (schema) => printSchema(lexicographicSortSchema(schema));
const served = print(buildClientSchema(body.data));
const committed = print(buildSchema(readFileSync(path, 'utf8')));
if (served !== committed) {
  const a = served.split('\n');
  const b = committed.split('\n');
  const line = a.findIndex((text, i) => text !== b[i]);
  console.error(`schema.graphql differs from introspection at printed line ${line + 1}:`);
  console.error(`  introspection: ${a[line]}`);
  console.error(`  schema.graphql: ${b[line]}`);
  process.exit(1);
}
if (!/scalar DateTime @specifiedBy\(url: "[^"]+"\)/.test(committed)) {
  console.error('DateTime has no @specifiedBy in schema.graphql');
  process.exit(1);
}
console.log('schema.graphql matches introspection (descriptions and @specifiedBy included)');
