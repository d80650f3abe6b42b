// What a call ended with, for assertions on AWS errors: "<ErrorName>: <message>", or undefined when it succeeded.
export const outcome = (p: Promise<unknown>): Promise<string | undefined> =>
  p.then(
    () => undefined,
    (err: Error) => `${err.name}: ${err.message}`,
  );
