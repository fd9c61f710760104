/**
 * oidc-provider's own MemoryAdapter over an unbounded store. Its default store is an LRU capped at
 * 1,000 entries, which would evict the pre-minted codes and grants a benchmark needs; everything
 * else (indexes, grant membership, expiry) is the library's code.
 * @module
 */
import MemoryAdapter from 'oidc-provider/lib/adapters/memory_adapter.js';

interface Entry {
  value: unknown;
  expiry?: number;
}

/** The LRU's interface (get / set with maxAge / delete), without the size cap. */
export class UnboundedStore {
  private readonly map = new Map<string, Entry>();

  get(key: string): unknown {
    const entry = this.map.get(key);
    if (!entry) return undefined;
    if (entry.expiry !== undefined && entry.expiry <= Date.now()) {
      this.map.delete(key);
      return undefined;
    }
    return entry.value;
  }

  set(key: string, value: unknown, options?: { maxAge?: number }): void {
    this.map.set(key, { value, expiry: options?.maxAge === undefined ? undefined : Date.now() + options.maxAge });
  }

  delete(key: string): void {
    this.map.delete(key);
  }
}

export function unboundedMemoryAdapter(): (model: string) => MemoryAdapter {
  const store = new UnboundedStore();
  return (model) => new MemoryAdapter(model, store);
}
