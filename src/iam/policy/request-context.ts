// The request context a policy is evaluated against: condition keys (lower-cased names, string values;
// multi-valued keys carry several) and the values policy variables resolve to.
export type ContextValues = ReadonlyMap<string, ReadonlyArray<string>>;

export class RequestContextBuilder {
  readonly #m = new Map<string, string[]>();
  set(key: string, value: string | ReadonlyArray<string> | undefined): this {
    if (value !== undefined) this.#m.set(key.toLowerCase(), typeof value === 'string' ? [value] : [...value]);
    return this;
  }
  build(): ContextValues {
    return this.#m;
  }
}
