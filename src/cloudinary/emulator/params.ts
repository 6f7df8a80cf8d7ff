/**
 * The parameters of one API request, from a multipart body, a form body or a query string.
 * Names lose their `[]` suffix: the SDK sends arrays as repeated `name[]` fields (a single value
 * may arrive as a plain string) but signs them as `name=v1,v2`.
 */
export class RequestParams {
  private readonly values = new Map<string, string[]>();
  private readonly arrayNames = new Set<string>();

  static fromEntries(entries: Iterable<readonly [string, string]>): RequestParams {
    const params = new RequestParams();
    for (const [name, value] of entries) params.append(name, value);
    return params;
  }

  /** Reads a parsed query string or form body, whose values are strings or string arrays. */
  static fromObject(object: unknown): RequestParams {
    const params = new RequestParams();
    if (object === null || typeof object !== 'object') return params;

    for (const [name, value] of Object.entries(object as Record<string, unknown>)) {
      const members = Array.isArray(value) ? value : [value];
      for (const member of members) {
        if (typeof member === 'string') params.append(name, member);
        else if (typeof member === 'number' || typeof member === 'boolean') params.append(name, String(member));
      }
    }
    return params;
  }

  append(wireName: string, value: string): void {
    const isArray = wireName.endsWith('[]');
    const name = isArray ? wireName.slice(0, -2) : wireName;
    if (isArray) this.arrayNames.add(name);

    const existing = this.values.get(name);
    if (existing) existing.push(value);
    else this.values.set(name, [value]);
  }

  has(name: string): boolean {
    return this.values.has(name);
  }

  /** Returns the last value sent under `name`, or undefined when it is absent or blank. */
  string(name: string): string | undefined {
    const values = this.values.get(name);
    const value = values?.[values.length - 1];
    return value === undefined || value === '' ? undefined : value;
  }

  /** Returns every non-blank value of `name`, without splitting any of them. */
  list(name: string): string[] {
    return (this.values.get(name) ?? []).filter((value) => value !== '');
  }

  /** Reads `1`/`true` as true and `0`/`false` as false, like the service's boolean parameters. */
  bool(name: string, fallback = false): boolean {
    const value = this.string(name);
    if (value === undefined) return fallback;
    return value === '1' || value.toLowerCase() === 'true';
  }

  /** Returns the parameters in the shape the signing module expects; repeated or `[]` names stay arrays. */
  toSignable(): Record<string, string | string[]> {
    const signable: Record<string, string | string[]> = {};
    for (const [name, values] of this.values) {
      signable[name] = this.arrayNames.has(name) || values.length > 1 ? [...values] : (values[0] ?? '');
    }
    return signable;
  }
}
