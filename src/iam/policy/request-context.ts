// The request context a policy is evaluated against: condition keys (lower-cased names, string values;
// multi-valued keys carry several) and the values policy variables resolve to.
export interface ContextValues {
  get(key: string): ReadonlyArray<string> | undefined;
}

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

/**
 * A context whose keys are computed only when a policy reads them: most requests meet policies without
 * conditions or variables, and then building the context would be wasted work on the hot path.
 */
export class LazyContext implements ContextValues {
  readonly #cache = new Map<string, ReadonlyArray<string> | undefined>();
  constructor(private readonly resolve: (lowerCaseKey: string) => ReadonlyArray<string> | undefined) {}
  get(key: string): ReadonlyArray<string> | undefined {
    const k = key.toLowerCase();
    if (!this.#cache.has(k)) this.#cache.set(k, this.resolve(k));
    return this.#cache.get(k);
  }
}
