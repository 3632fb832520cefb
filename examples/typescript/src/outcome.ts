/**
 * The `default` branch of a `switch (answer.__typename)` that handles every member of a
 * result union.
 *
 * At compile time `answer` must be `never`: when the schema adds a member to the union,
 * codegen adds it to the answer's type and `tsc` fails here until the new case is handled.
 * At run time (a newer server than this build knows) every error still implements `Error`,
 * so its message is shown rather than nothing.
 */
export function unexpectedAnswer(answer: never): { ok: false; kind: 'unexpected'; message: string } {
  const { __typename, message } = answer as { __typename?: unknown; message?: unknown };
  return {
    ok: false,
    kind: 'unexpected',
    message: typeof message === 'string' ? message : `Unexpected answer: ${String(__typename)}`,
  };
}
